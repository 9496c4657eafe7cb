using System.Globalization;
using System.Net;
using EventCore.Sites.Tests.Support;

namespace EventCore.Sites.Tests.EndToEnd;

/// <summary>Runs alone: it counts this process's children and descriptors, which other tests' servers would change.</summary>
[CollectionDefinition(nameof(RunsAlone), DisableParallelization = true)]
public sealed class RunsAlone;

/// <summary>200 CGI requests at once through the sites, then no child process and no descriptor left over.</summary>
[Collection(nameof(RunsAlone))]
public sealed class CgiLoadTests
{
    private const string Config = """
        cgi_max_processes 256;
        server {
            listen 127.0.0.1:{PORT0};
            root {SITE}/www;
            location /cgi/ { allow_methods GET POST; cgi .py /usr/bin/python3; }
        }
        """;

    [Fact]
    public async Task Two_hundred_concurrent_scripts_then_no_zombie_and_no_leaked_descriptor()
    {
        Interpreters.Need(Interpreters.Python);
        var cancel = TestContext.Current.CancellationToken;
        using var site = new TempFolder();
        site.Write("www/cgi/echo.py", "import os, sys\nsys.stdout.write('Content-Type: text/plain\\r\\n\\r\\n' + os.environ['QUERY_STRING'] + ':' + sys.stdin.read())\n");
        await using var server = await WebservServer.StartAsync(site, Config);
        using (var warmUp = server.Client())
        {
            Assert.Equal("w:", await warmUp.GetStringAsync("/cgi/echo.py?w", cancel));
        }

        await Eventually.TrueAsync(() => Children().Count == 0, "the warm-up script to be reaped");
        var before = Descriptors();

        using (var client = server.Client())
        {
            var requests = Enumerable.Range(0, 200).Select(async i =>
            {
                var response = await client.PostAsync($"/cgi/echo.py?{i}", new StringContent("body " + i.ToString(CultureInfo.InvariantCulture)), cancel);
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                Assert.Equal($"{i}:body {i}", await response.Content.ReadAsStringAsync(cancel));
            });
            await Task.WhenAll(requests);
        }

        await Eventually.TrueAsync(
            () => Children().Count == 0 && !Descriptors().Except(before).Any(),
            $"children [{string.Join(", ", Children())}], descriptors opened [{string.Join(", ", Descriptors().Except(before))}]");
    }

    /// <summary>
    /// Where each open descriptor of this process points (not the assemblies the runtime maps as it loads them). Pipes
    /// and sockets are named by inode (<c>pipe:[123]</c>), so a descriptor opened and not closed shows as a new entry.
    /// </summary>
    private static List<string> Descriptors() =>
        [.. Directory.EnumerateFileSystemEntries("/proc/self/fd")
            .Select(fd => new FileInfo(fd).LinkTarget ?? "")
            .Where(target => target.Length > 0 && !target.EndsWith(".dll", StringComparison.Ordinal) && !target.StartsWith("/proc/", StringComparison.Ordinal))];

    /// <summary>Processes whose parent is this one, zombies included.</summary>
    private static List<int> Children()
    {
        var self = Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
        var children = new List<int>();
        foreach (var folder in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(folder), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                try
                {
                    var stat = File.ReadAllText(Path.Combine(folder, "stat"));
                    if (stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1] == self)
                    {
                        children.Add(pid);
                    }
                }
                catch (IOException)
                {
                    // Gone while listing.
                }
            }
        }

        return children;
    }
}
