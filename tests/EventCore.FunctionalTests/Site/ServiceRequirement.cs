namespace EventCore.FunctionalTests.Site;

/// <summary>
/// Tests that need an outside program (redis-server, chromium) skip when it is missing, unless
/// EVENTCORE_REQUIRE_SERVICES=1 (as test.sh sets it), where a missing service fails the test.
/// </summary>
internal static class ServiceRequirement
{
    public static void Require(string path, string what)
    {
        if (File.Exists(path))
        {
            return;
        }

        var reason = $"{what} is not installed ({path} is missing); install it (test.sh does) to run this test.";
        if (Environment.GetEnvironmentVariable("EVENTCORE_REQUIRE_SERVICES") == "1")
        {
            Assert.Fail(reason + " EVENTCORE_REQUIRE_SERVICES=1 makes that a failure.");
        }

        Assert.Skip(reason);
    }
}
