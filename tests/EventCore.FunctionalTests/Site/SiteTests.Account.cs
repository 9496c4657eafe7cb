using System.Net;
using System.Net.Http.Json;

namespace EventCore.FunctionalTests.Site;

/// <summary>Cookie sign-in: 401 for API calls, redirects for pages, antiforgery on every form post.</summary>
public abstract partial class SiteTests
{
    [Fact(Timeout = TestTimeout)]
    public async Task MeIs401ForApiCallsAndARedirectToLoginForPages()
    {
        var ct = TestContext.Current.CancellationToken;

        using var api = await SiteClient.GetAsync(Client, "/account/me", "application/json", ct);
        using var page = await SiteClient.GetAsync(Client, "/account/me", "text/html", ct);

        Assert.Equal(HttpStatusCode.Unauthorized, api.StatusCode);
        Assert.Equal(HttpStatusCode.Found, page.StatusCode);
        Assert.Equal("/account/login", page.Headers.Location?.AbsolutePath);
        Assert.Contains("ReturnUrl=%2Faccount%2Fme", page.Headers.Location?.Query, StringComparison.Ordinal);
    }

    [Fact(Timeout = TestTimeout)]
    public async Task LoginMeAndLogoutRoundTrip()
    {
        var ct = TestContext.Current.CancellationToken;

        using var login = await SiteClient.LogInAsync(Client, ct);
        var me = await Client.GetFromJsonAsync<Me>("/account/me", ct);
        var token = await SiteClient.GetAntiforgeryTokenAsync(Client, "/account/me", ct);
        using var logout = await Client.PostAsync("/account/logout", new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = token }), ct);
        using var after = await SiteClient.GetAsync(Client, "/account/me", "application/json", ct);

        Assert.Equal(HttpStatusCode.Found, login.StatusCode);
        Assert.Equal("/account/me", login.Headers.Location?.OriginalString);
        Assert.Equal(SiteClient.DemoUser, me?.Name);
        Assert.Equal(HttpStatusCode.Found, logout.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, after.StatusCode);
    }

    [Fact(Timeout = TestTimeout)]
    public async Task AWrongPasswordDoesNotSignIn()
    {
        var ct = TestContext.Current.CancellationToken;

        using var login = await SiteClient.LogInAsync(Client, ct, password: "not-the-password");
        using var me = await SiteClient.GetAsync(Client, "/account/me", "application/json", ct);

        Assert.Equal(HttpStatusCode.Unauthorized, login.StatusCode);
        Assert.Contains("wrong password", await login.Content.ReadAsStringAsync(ct), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Unauthorized, me.StatusCode);
    }

    [Theory(Timeout = TestTimeout)]
    [InlineData("/account/login")]
    [InlineData("/account/logout")]
    [InlineData("/session/cart")]
    [InlineData("/session/cart/clear")]
    public async Task AFormPostWithoutAnAntiforgeryTokenIs400(string path)
    {
        var ct = TestContext.Current.CancellationToken;
        _ = await SiteClient.GetAntiforgeryTokenAsync(Client, "/account/login", ct); // the cookie half is there, the form half is not

        using var response = await Client.PostAsync(path, new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["username"] = SiteClient.DemoUser,
            ["password"] = SiteClient.DemoPassword,
            ["item"] = "x",
        }), ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.False(response.Headers.TryGetValues("Set-Cookie", out var cookies) && cookies.Any(c => c.StartsWith(".EventCore.Auth=", StringComparison.Ordinal) && !c.Contains("expires=Thu, 01 Jan 1970", StringComparison.OrdinalIgnoreCase)));
    }

    private sealed record Me(string Name);
}
