namespace EventCore.Sites.Tests.Support;

/// <summary>php-cgi and python3 (installed by test.sh): a test that needs a missing one skips, or fails under EVENTCORE_REQUIRE_SERVICES=1.</summary>
internal static class Interpreters
{
    public const string PhpCgi = "/usr/bin/php-cgi";

    public const string Python = "/usr/bin/python3";

    public static void Need(params string[] programs)
    {
        foreach (var missing in programs.Where(p => !File.Exists(p)))
        {
            var message = $"{missing} is not installed (./test.sh installs it)";
            if (Environment.GetEnvironmentVariable("EVENTCORE_REQUIRE_SERVICES") == "1")
            {
                Assert.Fail(message + "; EVENTCORE_REQUIRE_SERVICES=1 makes a missing program a failure.");
            }

            Assert.Skip(message + ".");
        }
    }
}
