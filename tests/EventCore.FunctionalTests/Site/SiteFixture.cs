using System.Net;
using EventCore.FunctionalTests.Infrastructure;

namespace EventCore.FunctionalTests.Site;

/// <summary>
/// One running sample app per test class and server, with its own temporary uploads directory (inside a
/// temporary parent, so tests can check that nothing escapes it) and a small upload limit.
/// </summary>
public abstract class SiteFixture : IAsyncDisposable
{
    /// <summary>The upload limit (whole request body) of the fixture's app.</summary>
    public const long UploadLimit = 1024 * 1024;

    private readonly Lazy<SampleAppFactory> _factory;

    protected SiteFixture(ServerKind server)
    {
        Server = server;
        ParentPath = Path.Combine(Path.GetTempPath(), "eventcore-site-" + Guid.NewGuid().ToString("N"));
        UploadsPath = Path.Combine(ParentPath, "uploads");
        Directory.CreateDirectory(UploadsPath);
        _factory = new Lazy<SampleAppFactory>(
            () => new SampleAppFactory(server, settings: new Dictionary<string, string>
            {
                ["Uploads:Path"] = UploadsPath,
                ["Uploads:MaxBytes"] = UploadLimit.ToString(System.Globalization.CultureInfo.InvariantCulture),
            }),
            LazyThreadSafetyMode.ExecutionAndPublication);
    }

    /// <summary>The server the app runs on.</summary>
    public ServerKind Server { get; }

    /// <summary>The temporary directory that holds <see cref="UploadsPath"/>.</summary>
    public string ParentPath { get; }

    /// <summary>The app's uploads directory.</summary>
    public string UploadsPath { get; }

    /// <summary>Where the app listens; starts it on first use.</summary>
    public Task<IPEndPoint> GetEndPointAsync() => Task.Run(() => _factory.Value.EndPoint);

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        GC.SuppressFinalize(this);
        if (_factory.IsValueCreated)
        {
            await _factory.Value.DisposeAsync();
        }

        SiteClient.DeleteDirectory(ParentPath);
    }
}

/// <summary>The site on EventCore (epoll transport).</summary>
public sealed class EventCoreSiteFixture() : SiteFixture(ServerKind.EventCoreEpoll);

/// <summary>The site on Kestrel: the reference.</summary>
public sealed class KestrelSiteFixture() : SiteFixture(ServerKind.Kestrel);
