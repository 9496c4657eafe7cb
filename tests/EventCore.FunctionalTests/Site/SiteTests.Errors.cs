using System.Net;

namespace EventCore.FunctionalTests.Site;

/// <summary>Error pages, ProblemDetails, the permanent redirect and the health endpoint.</summary>
public abstract partial class SiteTests
{
    [Fact(Timeout = TestTimeout)]
    public async Task OldIsAPermanentRedirectHome()
    {
        var ct = TestContext.Current.CancellationToken;

        using var response = await Client.GetAsync("/old", ct);

        Assert.Equal(HttpStatusCode.MovedPermanently, response.StatusCode);
        Assert.Equal("/", response.Headers.Location?.OriginalString);
    }

    [Fact(Timeout = TestTimeout)]
    public async Task HealthzIsHealthy()
    {
        var ct = TestContext.Current.CancellationToken;

        using var response = await Client.GetAsync("/healthz", ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Healthy", await response.Content.ReadAsStringAsync(ct));
    }

    [Fact(Timeout = TestTimeout)]
    public async Task MissingPageIsA404PageForBrowsersAndProblemDetailsForTheApi()
    {
        var ct = TestContext.Current.CancellationToken;

        using var page = await SiteClient.GetAsync(Client, "/no-such-page", "text/html", ct);
        using var api = await SiteClient.GetAsync(Client, "/api/files/no-such-file.txt", "application/json", ct);
        using var bare = await Client.GetAsync("/no-such-page", ct);

        Assert.Equal(HttpStatusCode.NotFound, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        Assert.Contains("404 Not Found", await page.Content.ReadAsStringAsync(ct), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, api.StatusCode);
        Assert.Equal("application/problem+json", api.Content.Headers.ContentType?.MediaType);
        Assert.Contains("\"status\":404", await api.Content.ReadAsStringAsync(ct), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, bare.StatusCode);
        Assert.Equal(0, bare.Content.Headers.ContentLength);
    }

    [Fact(Timeout = TestTimeout)]
    public async Task ExceptionIsA500PageForBrowsersAndProblemDetailsForTheApi()
    {
        var ct = TestContext.Current.CancellationToken;

        using var page = await SiteClient.GetAsync(Client, "/demo/throw", "text/html", ct);
        using var api = await SiteClient.GetAsync(Client, "/api/demo/throw", "application/json", ct);

        Assert.Equal(HttpStatusCode.InternalServerError, page.StatusCode);
        Assert.Contains("500 Internal Server Error", await page.Content.ReadAsStringAsync(ct), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.InternalServerError, api.StatusCode);
        Assert.Equal("application/problem+json", api.Content.Headers.ContentType?.MediaType);
        Assert.Contains("\"status\":500", await api.Content.ReadAsStringAsync(ct), StringComparison.Ordinal);
    }
}
