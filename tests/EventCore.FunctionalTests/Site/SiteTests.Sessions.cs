using System.Net;
using System.Net.Http.Json;

namespace EventCore.FunctionalTests.Site;

/// <summary>Session state: the visit counter and the cart, per session cookie.</summary>
public abstract partial class SiteTests
{
    /// <summary>What <c>GET /api/session</c> answers.</summary>
    private sealed record SessionState(int Visits, List<string> Cart, string? User);

    [Fact(Timeout = TestTimeout)]
    public async Task TheVisitCounterCountsPerSession()
    {
        var ct = TestContext.Current.CancellationToken;
        using var other = await ClientAsync();

        var visits = new List<int>();
        for (var i = 0; i < 3; i++)
        {
            visits.Add((await Client.GetFromJsonAsync<SessionState>("/api/session", ct))!.Visits);
        }

        var page = await Client.GetStringAsync("/session", ct);
        var otherVisits = (await other.GetFromJsonAsync<SessionState>("/api/session", ct))!.Visits;

        Assert.Equal([1, 2, 3], visits);
        Assert.Contains("""<strong id="visits">4</strong>""", page, StringComparison.Ordinal);
        Assert.Equal(1, otherVisits);
    }

    [Fact(Timeout = TestTimeout)]
    public async Task TheCartKeepsItemsThroughTheApiAndTheForm()
    {
        var ct = TestContext.Current.CancellationToken;

        using var added = await Client.PostAsJsonAsync("/api/session/cart", new { item = "apples" }, ct);
        using var rejected = await Client.PostAsJsonAsync("/api/session/cart", new { item = "" }, ct);
        var token = await SiteClient.GetAntiforgeryTokenAsync(Client, "/session", ct);
        using var form = await Client.PostAsync("/session/cart", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = token,
            ["item"] = "pears <b>",
        }), ct);
        var state = await Client.GetFromJsonAsync<SessionState>("/api/session", ct);
        var page = await Client.GetStringAsync("/session", ct);
        using var cleared = await Client.DeleteAsync("/api/session/cart", ct);
        var after = await Client.GetFromJsonAsync<SessionState>("/api/session", ct);

        Assert.Equal(HttpStatusCode.OK, added.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, rejected.StatusCode);
        Assert.Equal(HttpStatusCode.Found, form.StatusCode);
        Assert.Equal(["apples", "pears <b>"], state!.Cart);
        Assert.Contains("pears &lt;b&gt;", page, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NoContent, cleared.StatusCode);
        Assert.Empty(after!.Cart);
    }
}
