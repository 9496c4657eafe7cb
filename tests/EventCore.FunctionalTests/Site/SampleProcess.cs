using System.Collections.Concurrent;
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
    private readonly ConcurrentQueue<string> _output = new();

    private SampleProcess(Process process, IPEndPoint endPoint)
    {
        _process = process;
        EndPoint = endPoint;
    }

    public IPEndPoint EndPoint { get; }

    /// <summary>The child's process id (for /proc and prlimit).</summary>
    public int Id => _process.Id;

    /// <summary>Whether the child is still running (a crash ends it).</summary>
    public bool HasExited => _process.HasExited;

    /// <summary>What the child wrote to stdout after it started listening (its log lines).</summary>
    public IReadOnlyCollection<string> Output => _output;

    /// <summary>Descriptors the child has open now (/proc/PID/fd).</summary>
    public int OpenDescriptors => Directory.GetFileSystemEntries($"/proc/{_process.Id}/fd").Length;

    /// <summary>
    /// CPU time (user + system) of the epoll loops' threads — "EventCore epoll N" and handoff threads, whose names
    /// the kernel keeps as "EventCore epoll" — without the runtime's own threads (tiered JIT, GC), which may be busy
    /// on their own after a start. Threads that have ended are not counted.
    /// </summary>
    public TimeSpan LoopCpuTime
    {
        get
        {
            long ticks = 0;
            var loops = 0;
            foreach (var task in Directory.GetDirectories($"/proc/{_process.Id}/task"))
            {
                string stat;
                try
                {
                    stat = File.ReadAllText(Path.Combine(task, "stat"));
                }
                catch (IOException)
                {
                    continue; // the thread ended meanwhile
                }

                var open = stat.IndexOf('(', StringComparison.Ordinal);
                var close = stat.LastIndexOf(')');
                if (!stat.AsSpan(open + 1, close - open - 1).StartsWith("EventCore epoll", StringComparison.Ordinal))
                {
                    continue;
                }

                loops++;
                // After "(comm)": state is field 3, utime field 14 and stime field 15 (proc(5)).
                var fields = stat[(close + 2)..].Split(' ');
                ticks += long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
            }

            // None found would make every bound on this pass: the threads' names are part of the contract here.
            return loops > 0 ? TimeSpan.FromSeconds(ticks / 100.0) // USER_HZ is 100 on Linux
                : throw new InvalidOperationException("No \"EventCore epoll\" thread in the server process.");
        }
    }

    /// <summary>Peak resident set size so far (VmHWM), in bytes.</summary>
    public long PeakResidentBytes => ReadStatus("VmHWM");

    /// <summary>Current resident set size (VmRSS), in bytes.</summary>
    public long ResidentBytes => ReadStatus("VmRSS");

    /// <summary>Starts the sample; with <paramref name="descriptorLimit"/>, under <c>prlimit --nofile=L:L</c>.</summary>
    public static async Task<SampleProcess> StartAsync(string server, IReadOnlyDictionary<string, string> settings, CancellationToken cancellationToken, int? descriptorLimit = null)
    {
        var start = new ProcessStartInfo(descriptorLimit is null ? "dotnet" : "prlimit")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (descriptorLimit is { } limit)
        {
            // prlimit execs dotnet: the child keeps prlimit's pid.
            start.ArgumentList.Add($"--nofile={limit}:{limit}");
            start.ArgumentList.Add("dotnet");
        }

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
            var sample = new SampleProcess(process, endPoint);
            // Keep draining stdout so the child never blocks on a full pipe; the lines stay readable.
            _ = Task.Run(() => sample.PumpOutputAsync(), CancellationToken.None);
            return sample;
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
                return new IPEndPoint(IPAddress.Loopback, int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture));
            }
        }

        throw new InvalidOperationException($"The sample exited without listening:\n{string.Join('\n', output)}");
    }

    private async Task PumpOutputAsync()
    {
        try
        {
            while (await _process.StandardOutput.ReadLineAsync() is { } line)
            {
                _output.Enqueue(line);
            }
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or InvalidOperationException)
        {
            // The child went away.
        }
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
