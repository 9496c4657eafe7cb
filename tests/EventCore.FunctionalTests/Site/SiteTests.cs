using System.Net;

namespace EventCore.FunctionalTests.Site;

/// <summary>
/// The sample site feature by feature (static files, errors, uploads, sign-in, sessions) over real sockets with
/// HttpClient. <see cref="EventCoreSiteTests"/> runs it on EventCore, <see cref="KestrelSiteTests"/> on Kestrel.
/// </summary>
public abstract partial class SiteTests(SiteFixture fixture) : IAsyncLifetime
{
    /// <summary>Upper bound for one test: generous for a loaded 2-core machine, still bounded.</summary>
    protected const int TestTimeout = 60_000;

    /// <summary>The running app of this class.</summary>
    protected SiteFixture Fixture => fixture;

    /// <summary>The test's client (its own cookies), made before each test.</summary>
    protected HttpClient Client { get; private set; } = null!;

    /// <inheritdoc />
    public async ValueTask InitializeAsync() => Client = await ClientAsync();

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        GC.SuppressFinalize(this);
        Client.Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>A fresh client (its own cookies) for the app.</summary>
    protected async Task<HttpClient> ClientAsync(CookieContainer? cookies = null) =>
        SiteClient.Create(await fixture.GetEndPointAsync(), cookies);

    /// <summary>Signs the test's <see cref="Client"/> in as the demo user (uploading and deleting need it).</summary>
    protected async Task SignInAsync(CancellationToken cancellationToken)
    {
        using var login = await SiteClient.LogInAsync(Client, cancellationToken);
        Assert.Equal(HttpStatusCode.Found, login.StatusCode);
    }
}

/// <summary>The site on EventCore.</summary>
public sealed class EventCoreSiteTests(EventCoreSiteFixture fixture) : SiteTests(fixture), IClassFixture<EventCoreSiteFixture>;

/// <summary>The site on Kestrel: shows that the assertions are ASP.NET Core's behaviour.</summary>
public sealed class KestrelSiteTests(KestrelSiteFixture fixture) : SiteTests(fixture), IClassFixture<KestrelSiteFixture>;
