using System.Net;
using System.Net.Http.Json;
using EventCore.FunctionalTests.Infrastructure;

namespace EventCore.FunctionalTests.Site;

/// <summary>
/// Two instances of the site on EventCore behind one (imaginary) load balancer, sharing a real redis-server
/// for sessions and the Data Protection key ring: a login and a session made on one are seen on the other.
/// </summary>
public sealed class RedisSharingTests
{
    [Fact(Timeout = 120_000)]
    public async Task TwoInstancesShareLoginsAndSessionsThroughRedis()
    {
        ServiceRequirement.Require(RedisServer.Executable, "redis-server (apt package redis-server)");
        var ct = TestContext.Current.CancellationToken;
        await using var redis = await RedisServer.StartAsync(ct);
        var uploads = Path.Combine(Path.GetTempPath(), "eventcore-redis-uploads-" + Guid.NewGuid().ToString("N"));
        var settings = new Dictionary<string, string>
        {
            ["ConnectionStrings:Redis"] = redis.ConnectionString,
            ["Uploads:Path"] = uploads,
        };
        try
        {
            await using var first = new SampleAppFactory(ServerKind.EventCoreEpoll, settings: settings);
            await using var second = new SampleAppFactory(ServerKind.EventCoreEpoll, settings: settings);
            var (firstEndPoint, secondEndPoint) = (await Task.Run(() => first.EndPoint, ct), await Task.Run(() => second.EndPoint, ct));

            // One cookie jar for both: cookies are per host, not per port, as behind a load balancer.
            var cookies = new CookieContainer();
            using var a = SiteClient.Create(firstEndPoint, cookies);
            using var b = SiteClient.Create(secondEndPoint, cookies);

            using var login = await SiteClient.LogInAsync(a, ct);
            var me = await b.GetFromJsonAsync<Me>("/account/me", ct);
            var visitOnA = await a.GetFromJsonAsync<SessionState>("/api/session", ct);
            using var added = await a.PostAsJsonAsync("/api/session/cart", new { item = "shared" }, ct);
            var visitOnB = await b.GetFromJsonAsync<SessionState>("/api/session", ct);

            Assert.NotEqual(firstEndPoint.Port, secondEndPoint.Port);
            Assert.Equal(HttpStatusCode.Found, login.StatusCode);
            Assert.Equal(SiteClient.DemoUser, me?.Name);
            Assert.Equal(1, visitOnA?.Visits);
            Assert.Equal(2, visitOnB?.Visits);
            Assert.Equal(["shared"], visitOnB?.Cart);
            Assert.Equal(SiteClient.DemoUser, visitOnB?.User);
        }
        finally
        {
            SiteClient.DeleteDirectory(uploads);
        }
    }

    private sealed record Me(string Name);

    private sealed record SessionState(int Visits, List<string> Cart, string? User);
}
