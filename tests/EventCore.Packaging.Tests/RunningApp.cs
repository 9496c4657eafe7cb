using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace EventCore.Packaging.Tests;

/// <summary>A started app process: the port it listens on, what it printed, and a graceful stop (SIGTERM).</summary>
public sealed partial class RunningApp : IAsyncDisposable
{
    private static readonly TimeSpan s_startTimeout = TimeSpan.FromSeconds(60);
    private readonly Process _process;
    private readonly List<string> _output = [];

    private RunningApp(Process process) => _process = process;

    public int Port { get; private set; }

    public string Output
    {
        get
        {
            lock (_output)
            {
                return string.Join('\n', _output);
            }
        }
    }

    public static async Task<RunningApp> StartAsync(ProcessStartInfo start)
    {
        var app = new RunningApp(new Process { StartInfo = start });
        var listening = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        app._process.OutputDataReceived += (_, e) => app.OnLine(e.Data, listening);
        app._process.ErrorDataReceived += (_, e) => app.OnLine(e.Data, listening);
        app._process.Exited += (_, _) => listening.TrySetException(new InvalidOperationException("The app exited before it listened."));
        app._process.EnableRaisingEvents = true;
        app._process.Start();
        app._process.BeginOutputReadLine();
        app._process.BeginErrorReadLine();
        try
        {
            app.Port = await listening.Task.WaitAsync(s_startTimeout, TestContext.Current.CancellationToken);
            return app;
        }
        catch (Exception e)
        {
            await app.DisposeAsync();
            throw new InvalidOperationException($"The app did not start listening:\n{app.Output}", e);
        }
    }

    /// <summary>Sends SIGTERM, as a service manager stops an app, and returns the exit code.</summary>
    public async Task<int> StopAsync()
    {
        using Process kill = Process.Start("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)]);
        await kill.WaitForExitAsync(TestContext.Current.CancellationToken);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        limit.CancelAfter(TimeSpan.FromSeconds(30));
        await _process.WaitForExitAsync(limit.Token);
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync(CancellationToken.None);
        }

        _process.Dispose();
    }

    private void OnLine(string? line, TaskCompletionSource<int> listening)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.Add(line);
        }

        Match match = ListeningLine().Match(line);
        if (match.Success)
        {
            listening.TrySetResult(int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture));
        }
    }

    [GeneratedRegex(@"Now listening on: http://127\.0\.0\.1:(\d+)")]
    private static partial Regex ListeningLine();
}
