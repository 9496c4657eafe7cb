namespace EventCore.Sites.Tests.Support;

/// <summary>A site tree in a temporary folder (<see cref="Populate"/>) served by the Webserv host from <see cref="Config"/>, shared by a test class.</summary>
public abstract class WebservFixture : IAsyncLifetime
{
    private WebservServer? _server;

    internal TempFolder Site { get; } = new();

    internal WebservServer Server => _server ?? throw new InvalidOperationException("the server has not started");

    /// <summary>The configuration text (<c>{PORT0}</c>, <c>{PORT1}</c>, <c>{SITE}</c> filled in by <see cref="WebservServer"/>).</summary>
    protected abstract string Config { get; }

    /// <summary>Writes the site's files.</summary>
    protected abstract void Populate();

    public async ValueTask InitializeAsync()
    {
        Populate();
        _server = await WebservServer.StartAsync(Site, Config);
    }

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        Site.Dispose();
        GC.SuppressFinalize(this);
    }
}
