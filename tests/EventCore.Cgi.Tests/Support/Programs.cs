namespace EventCore.Cgi.Tests.Support;

/// <summary>
/// The interpreters the tests run (Debian's php-cgi and python3, installed by test.sh). A missing one skips the test,
/// unless EVENTCORE_REQUIRE_SERVICES=1 (as test.sh sets it), where it fails.
/// </summary>
internal static class Programs
{
    public const string PhpCgi = "/usr/bin/php-cgi";

    public const string Python = "/usr/bin/python3";

    public static void Require(string path)
    {
        if (File.Exists(path))
        {
            return;
        }

        var reason = $"{path} is not installed; install it (test.sh does) to run this test.";
        if (Environment.GetEnvironmentVariable("EVENTCORE_REQUIRE_SERVICES") == "1")
        {
            Assert.Fail(reason + " EVENTCORE_REQUIRE_SERVICES=1 makes that a failure.");
        }

        Assert.Skip(reason);
    }
}
