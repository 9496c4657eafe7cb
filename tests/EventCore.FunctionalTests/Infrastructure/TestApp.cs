using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace EventCore.FunctionalTests.Infrastructure;

/// <summary>
/// A tiny app with the endpoints the sample lacks (RequestAborted, OnStarting/OnCompleted, a cookie set from
/// OnStarting, a slow request, a streamed chunked response, app exceptions, the request's Activity), on the suite's
/// server. One per test.
/// </summary>
public sealed class TestApp : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _slowStarted;

    private TestApp(WebApplication app) => _app = app;

    /// <summary>Where the app listens.</summary>
    public IPEndPoint EndPoint { get; private set; } = null!;

    /// <summary>Completes when /wait-for-abort saw <c>RequestAborted</c> fire.</summary>
    public TaskCompletionSource RequestAborted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes when /wait-for-abort has started (the app is waiting).</summary>
    public TaskCompletionSource WaitingForAbort { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes when the OnCompleted callback of /hooks ran.</summary>
    public TaskCompletionSource HooksCompleted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Released by the test to let every /slow request finish.</summary>
    public TaskCompletionSource ReleaseSlow { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>How many /slow requests have reached the app.</summary>
    public int SlowStarted => Volatile.Read(ref _slowStarted);

    /// <summary>The pieces /stream writes, one flush each.</summary>
    public static IReadOnlyList<string> StreamPieces { get; } = ["first,", "second,", "third,", "fourth,", "last"];

    /// <summary>What /json-large serializes: large enough (~150 KB) that the serializer streams it in several flushes.</summary>
    public static IReadOnlyList<JsonItem> LargeJson { get; } =
        [.. Enumerable.Range(0, 5000).Select(i => new JsonItem(i, $"item number {i}", i % 2 == 0))];

    /// <summary>Builds and starts the app on <paramref name="server"/> at 127.0.0.1, any port.</summary>
    public static async Task<TestApp> StartAsync(ServerKind server, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseServer(server, limits: null).UseUrls(ServerSetup.AnyLoopbackPort);
        TestLogging.Configure(builder.Logging);
        var testApp = new TestApp(builder.Build());
        testApp.MapEndpoints();
        try
        {
            await testApp._app.StartAsync(cancellationToken);
            testApp.EndPoint = ServerSetup.GetListeningEndPoint(testApp._app.Services.GetRequiredService<IServer>(), server);
            return testApp;
        }
        catch
        {
            await testApp.DisposeAsync();
            throw;
        }
    }

    /// <summary>Stops the host gracefully (what the test's shutdown case exercises).</summary>
    public Task StopAsync(CancellationToken cancellationToken) => _app.StopAsync(cancellationToken);

    /// <inheritdoc />
    public ValueTask DisposeAsync() => _app.DisposeAsync();

    private void MapEndpoints()
    {
        _app.MapGet("/wait-for-abort", WaitForAbort);
        _app.MapGet("/hooks", Hooks);
        _app.MapGet("/slow", Slow);
        _app.MapGet("/stream", Stream);
        _app.MapGet("/json-large", (HttpContext context) => context.Response.WriteAsJsonAsync(LargeJson, context.RequestAborted));
        _app.MapGet("/throw", string () => throw new InvalidOperationException("Thrown before the response started."));
        _app.MapGet("/throw-after-start", ThrowAfterStart);
        _app.MapGet("/declared-10-bytes/{written:int}", WrongContentLength);
        _app.MapGet("/activity-parent", ActivityParent);
        _app.MapGet("/async-local", SeenThenSetAsyncLocal);
        _app.MapMethods("/head-served-as-get", [HttpMethods.Head], HeadServedAsGet);
    }

    /// <summary>
    /// A HEAD request the app serves as a GET (a known way to answer HEAD with GET's code): it rewrites the method, then
    /// writes a body. The client still asked HEAD, so no body may go out.
    /// </summary>
    private static Task HeadServedAsGet(HttpContext context)
    {
        context.Request.Method = HttpMethods.Get;
        return context.Response.WriteAsync("body of the GET");
    }

    private static readonly AsyncLocal<string> s_requestLocal = new();

    /// <summary>An endpoint that sets an AsyncLocal without awaiting, and returns what it found set before.</summary>
    private static string SeenThenSetAsyncLocal()
    {
        var seen = s_requestLocal.Value ?? "none";
        s_requestLocal.Value = "set by an earlier request";
        return seen;
    }

    /// <summary>The parent of the request's Activity (hosting's, when something listens), after an await.</summary>
    private static async Task<string> ActivityParent()
    {
        await Task.Yield();
        return System.Diagnostics.Activity.Current is { } activity ? activity.ParentId ?? "none" : "no activity";
    }

    private async Task WaitForAbort(HttpContext context)
    {
        WaitingForAbort.TrySetResult();
        try
        {
            await Task.Delay(Timeout.Infinite, context.RequestAborted);
        }
        catch (OperationCanceledException)
        {
            RequestAborted.TrySetResult();
        }
    }

    private Task Hooks(HttpContext context)
    {
        var response = context.Response;
        response.OnStarting(() =>
        {
            response.Headers["X-On-Starting"] = "ran";
            response.Cookies.Append("session", "abc123", new CookieOptions { HttpOnly = true, Path = "/" });
            return Task.CompletedTask;
        });
        response.OnCompleted(() =>
        {
            HooksCompleted.TrySetResult();
            return Task.CompletedTask;
        });
        response.ContentType = "text/plain";
        return response.WriteAsync("hooks", context.RequestAborted);
    }

    private async Task Slow(HttpContext context)
    {
        Interlocked.Increment(ref _slowStarted);
        await ReleaseSlow.Task.WaitAsync(context.RequestAborted);
        await context.Response.WriteAsync("slow done", context.RequestAborted);
    }

    private static async Task Stream(HttpContext context)
    {
        context.Response.ContentType = "text/plain";
        foreach (var piece in StreamPieces)
        {
            await context.Response.WriteAsync(piece, context.RequestAborted);
            await context.Response.Body.FlushAsync(context.RequestAborted);
        }
    }

    /// <summary>Declares Content-Length: 10 and writes another number of bytes.</summary>
    private static async Task WrongContentLength(HttpContext context, int written)
    {
        context.Response.ContentLength = 10;
        await context.Response.Body.WriteAsync(new byte[written].AsMemory(), context.RequestAborted);
        await context.Response.Body.FlushAsync(context.RequestAborted);
    }

    private static async Task ThrowAfterStart(HttpContext context)
    {
        await context.Response.WriteAsync("partial", context.RequestAborted);
        await context.Response.Body.FlushAsync(context.RequestAborted);
        throw new InvalidOperationException("Thrown after the response started.");
    }
}
