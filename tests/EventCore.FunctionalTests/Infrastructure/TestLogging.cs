using Microsoft.Extensions.Logging;

namespace EventCore.FunctionalTests.Infrastructure;

/// <summary>Test hosts log nothing unless EVENTCORE_TEST_LOGS=1 (then warnings and errors go to the console).</summary>
internal static class TestLogging
{
    private static readonly bool s_enabled = Environment.GetEnvironmentVariable("EVENTCORE_TEST_LOGS") == "1";

    public static void Configure(ILoggingBuilder logging)
    {
        logging.ClearProviders();
        if (s_enabled)
        {
            logging.AddSimpleConsole().SetMinimumLevel(LogLevel.Warning);
        }
    }
}
