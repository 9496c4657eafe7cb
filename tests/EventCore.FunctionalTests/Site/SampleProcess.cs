using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;

namespace EventCore.FunctionalTests.Site;

/// <summary>
/// The built sample (MinimalApi.dll, copied beside the tests) run as a child process on 127.0.0.1:0, so its
/// memory can be read from /proc without the test's own allocations in the way. Killed on dispose.
/// </summary>
internal sealed partial class SampleProcess : IAsyncDisposable
{
    private readonly Process _process;

    private SampleProcess(Process process, IPEndPoint endPoint)
    {
        _process = process;
        EndPoint = endPoint;
    }

    public IPEndPoint EndPoint { get; }

    /// <summary>Peak resident set size so far (VmHWM), in bytes.</summary>
    public long PeakResidentBytes => ReadStatus("VmHWM");

    /// <summary>Current resident set size (VmRSS), in bytes.</summary>
    public long ResidentBytes => ReadStatus("VmRSS");

    public static async Task<SampleProcess> StartAsync(string server, IReadOnlyDictionary<string, string> settings, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "MinimalApi.dll"));
        foreach (var (key, value) in new Dictionary<string, string>(settings)
        {
            ["urls"] = "http://127.0.0.1:0",
            ["server"] = server,
            ["contentRoot"] = Path.Combine(FindRepositoryRoot(), "samples", "MinimalApi"),
            ["environment"] = "Production",
        })
        {
            start.ArgumentList.Add($"--{key}={value}");
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start.");
        try
        {
            var endPoint = await ReadListeningEndPointAsync(process, cancellationToken);
            process.ErrorDataReceived += (_, _) => { };
            process.BeginErrorReadLine();
            return new SampleProcess(process, endPoint);
        }
        catch
        {
            process.Kill(entireProcessTree: true);
            process.Dispose();
            throw;
        }
    }

    public ValueTask DisposeAsync() => StopAsync(_process);

    /// <summary>Kills a child process (and its children) if it still runs, waits for it, and disposes it.</summary>
    internal static async ValueTask StopAsync(Process process)
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await process.WaitForExitAsync(timeout.Token);
        }

        process.Dispose();
    }

    private static async Task<IPEndPoint> ReadListeningEndPointAsync(Process process, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(60));
        var output = new List<string>();
        while (await process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
        {
            output.Add(line);
            var match = ListeningLine().Match(line);
            if (match.Success)
            {
                // Keep draining stdout so the child never blocks on a full pipe.
                _ = process.StandardOutput.BaseStream.CopyToAsync(Stream.Null, CancellationToken.None);
                return new IPEndPoint(IPAddress.Loopback, int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture));
            }
        }

        throw new InvalidOperationException($"The sample exited without listening:\n{string.Join('\n', output)}");
    }

    private long ReadStatus(string field)
    {
        foreach (var line in File.ReadLines($"/proc/{_process.Id}/status"))
        {
            if (line.StartsWith(field + ":", StringComparison.Ordinal))
            {
                var kilobytes = line[(field.Length + 1)..].Trim().Split(' ')[0];
                return long.Parse(kilobytes, CultureInfo.InvariantCulture) * 1024;
            }
        }

        throw new InvalidOperationException($"No {field} in /proc/{_process.Id}/status.");
    }

    internal static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "EventCore.AspNet.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"EventCore.AspNet.sln not found above {AppContext.BaseDirectory}.");
    }

    [GeneratedRegex(@"Now listening on: http://127\.0\.0\.1:(\d+)")]
    private static partial Regex ListeningLine();
}
