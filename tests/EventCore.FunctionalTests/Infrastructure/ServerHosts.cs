using System.Net;

namespace EventCore.FunctionalTests.Infrastructure;

/// <summary>
/// The sample app hosts one suite shares (a class fixture): the app as shipped, and the app with small
/// limits and short timeouts. Each starts on first use, so a server that fails to start fails the tests
/// that need it, each with the start-up exception, instead of failing the fixture.
/// </summary>
public abstract class ServerHosts : IAsyncDisposable
{
    /// <summary>Limits of the limited host: small body limit, 2 s keep-alive and request-head timeouts.</summary>
    public static readonly TestLimits SmallLimits = new(
        MaxRequestBodySize: 1024,
        KeepAliveTimeout: TimeSpan.FromSeconds(2),
        RequestHeadersTimeout: TimeSpan.FromSeconds(2));

    private readonly Lock _lock = new();
    private readonly List<SampleAppFactory> _started = [];
    private Lazy<Task<IPEndPoint>>? _default;
    private Lazy<Task<IPEndPoint>>? _limited;

    protected ServerHosts(ServerKind server) => Server = server;

    /// <summary>The server the hosts run on.</summary>
    public ServerKind Server { get; }

    /// <summary>The sample app with its shipped settings, serving <paramref name="webRoot"/>.</summary>
    public Task<IPEndPoint> GetDefaultAsync(TestWebRoot webRoot) => Get(ref _default, webRoot, limits: null);

    /// <summary>The sample app with <see cref="SmallLimits"/>.</summary>
    public Task<IPEndPoint> GetLimitedAsync(TestWebRoot webRoot) => Get(ref _limited, webRoot, SmallLimits);

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        GC.SuppressFinalize(this);
        foreach (var factory in _started)
        {
            await factory.DisposeAsync();
        }
    }

    private Task<IPEndPoint> Get(ref Lazy<Task<IPEndPoint>>? slot, TestWebRoot webRoot, TestLimits? limits)
    {
        lock (_lock)
        {
            slot ??= new Lazy<Task<IPEndPoint>>(() => Task.Run(() => Start(webRoot, limits)));
            return slot.Value;
        }
    }

    private IPEndPoint Start(TestWebRoot webRoot, TestLimits? limits)
    {
        var factory = new SampleAppFactory(Server, webRoot.RootPath, limits);
        lock (_lock)
        {
            _started.Add(factory);
        }

        return factory.EndPoint;
    }
}
