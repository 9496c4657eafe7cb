using EventCore.Sites.Configuration;

namespace EventCore.Webserv;

/// <summary>
/// The command line: <c>webserv [CONFIG] [ASP.NET Core arguments]</c> serves the file (default
/// <c>conf/webserv.conf</c>, the demo); <c>webserv -t [CONFIG]</c> only checks it. Exit status 0, or 1 with the error
/// (file:line) on stderr.
/// </summary>
internal static class WebservCommand
{
    public const string DefaultConfig = "conf/webserv.conf";

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error)
    {
        var checkOnly = args.Length > 0 && args[0] == "-t";
        var rest = checkOnly ? args[1..] : args;
        if (rest.Length > 0 && rest[0] is "-h" or "--help")
        {
            await output.WriteLineAsync("usage: webserv [-t] [CONFIG] [--urls ...]\n  -t  check the configuration file and exit (0: valid, 1: the error)\n  CONFIG defaults to " + DefaultConfig);
            return 0;
        }

        var hasConfig = rest.Length > 0 && !rest[0].StartsWith('-');
        var config = FindConfig(hasConfig ? rest[0] : DefaultConfig);
        var hostArgs = hasConfig ? rest[1..] : rest;
        try
        {
            if (checkOnly)
            {
                WebservHost.Check(config);
                await output.WriteLineAsync($"webserv: the configuration file {config} syntax is ok");
                return 0;
            }

            await using var app = WebservHost.Build(config, hostArgs);
            await app.RunAsync();
            return 0;
        }
        catch (Exception e) when (e is WebservConfigException or InvalidOperationException or IOException)
        {
            await error.WriteLineAsync("webserv: " + e.Message);
            return 1;
        }
    }

    /// <summary>The file as given, else (a relative path that is not there) the same path beside the program, where its demo lives.</summary>
    public static string FindConfig(string path)
    {
        var full = Path.GetFullPath(path);
        if (File.Exists(full) || Path.IsPathRooted(path))
        {
            return full;
        }

        var besideProgram = Path.GetFullPath(path, AppContext.BaseDirectory);
        return File.Exists(besideProgram) ? besideProgram : full;
    }
}
