using EventCore.Transport.Epoll;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace EventCore.Cgi.Tests.Support;

/// <summary>
/// A real ASP.NET Core app on a real server (EventCore on epoll, or Kestrel) at 127.0.0.1:0 with
/// <c>AddCgi</c> + <c>UseCgi</c> serving a fresh <see cref="ScriptRoot"/> under <c>/cgi-bin</c>
/// (.sh and .cgi executed, .py by python3, .php by php-cgi), and one endpoint of its own, <c>GET /hello</c>.
/// Request bodies are unlimited unless the test sets a limit.
/// </summary>
internal sealed class CgiHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private CgiHost(WebApplication app, ScriptRoot scripts, TestLogs logs, int port)
    {
        _app = app;
        Scripts = scripts;
        Logs = logs;
        Port = port;
    }

    public ScriptRoot Scripts { get; }

    public TestLogs Logs { get; }

    public int Port { get; }

    public Uri BaseAddress => new($"http://127.0.0.1:{Port}/");

    public CgiExecutor Executor => _app.Services.GetRequiredService<CgiExecutor>();

    public static async Task<CgiHost> StartAsync(
        ServerKind server = ServerKind.EventCore,
        Action<CgiOptions>? cgi = null,
        Action<CgiMiddlewareOptions>? middleware = null,
        Action<EpollTransportOptions>? transport = null,
        long? maxRequestBodySize = null)
    {
        var scripts = new ScriptRoot();
        var logs = new TestLogs();
        try
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders().AddProvider(logs).SetMinimumLevel(LogLevel.Debug);
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            if (server == ServerKind.EventCore)
            {
                builder.WebHost.UseEventCore();
                if (transport is not null)
                {
                    builder.Services.Configure(transport);
                }
            }

            builder.Services.AddCgi(o => cgi?.Invoke(o));
            var app = builder.Build();
            var options = new CgiMiddlewareOptions
            {
                RootPath = scripts.Path,
                RequestPath = "/cgi-bin",
                Interpreters = { [".sh"] = null, [".cgi"] = null, [".py"] = Programs.Python, [".php"] = Programs.PhpCgi },
            };
            middleware?.Invoke(options);

            // Server-agnostic: the request body limit (30 MB by default on both servers) set per request.
            app.Use((context, next) =>
            {
                context.Features.GetRequiredFeature<IHttpMaxRequestBodySizeFeature>().MaxRequestBodySize = maxRequestBodySize;
                return next(context);
            });
            app.UseCgi(options);
            app.MapGet("/hello", (HttpContext context) => "hello from the app " + context.Request.QueryString);
            await app.StartAsync(TestContext.Current.CancellationToken);
            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            return new CgiHost(app, scripts, logs, new Uri(address).Port);
        }
        catch
        {
            scripts.Dispose();
            throw;
        }
    }

    public HttpClient CreateClient() => new(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false })
    {
        BaseAddress = BaseAddress,
        Timeout = TimeSpan.FromSeconds(60),
    };

    public async ValueTask DisposeAsync()
    {
        // What the CGI code (and EventCore's blocked-loop guard) logged, shown with the test's output (when it fails,
        // that is the first thing to read).
        foreach (var line in Logs.Cgi.Concat(Logs.BlockedLoop))
        {
            TestContext.Current.TestOutputHelper?.WriteLine($"{line.Level}: {line.Message}");
        }

        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await _app.StopAsync(stop.Token);
        await _app.DisposeAsync();
        Scripts.Dispose();
    }
}
