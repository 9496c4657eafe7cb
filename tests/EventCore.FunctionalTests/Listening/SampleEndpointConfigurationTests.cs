using System.Globalization;
using System.Net;
using EventCore.FunctionalTests.Site;

namespace EventCore.FunctionalTests.Listening;

/// <summary>
/// The acceptance case of "configured like Kestrel": the sample app (its own process) started with one Kestrel-style
/// endpoint configuration — an http endpoint and an https one with a PEM certificate — under <c>Kestrel</c> on
/// Kestrel and, renamed, under <c>EventCore</c> on EventCore; both serve the site over HTTPS.
/// </summary>
public sealed class SampleEndpointConfigurationTests(TestCertificates certificates) : IClassFixture<TestCertificates>
{
    [Theory]
    [InlineData("kestrel", "Kestrel")]
    [InlineData("eventcore", "EventCore")]
    public async Task The_renamed_endpoint_configuration_starts_the_sample(string server, string section)
    {
        var token = TestContext.Current.CancellationToken;
        var httpsPort = ChildServer.FreePort();
        var settings = new Dictionary<string, string>
        {
            [$"{section}:Endpoints:Web:Url"] = "http://127.0.0.1:0",
            [$"{section}:Endpoints:Secure:Url"] = $"https://127.0.0.1:{httpsPort.ToString(CultureInfo.InvariantCulture)}",
            [$"{section}:Endpoints:Secure:Protocols"] = "Http1",
            [$"{section}:Endpoints:Secure:Certificate:Path"] = certificates.PathOf("server.pem"),
            [$"{section}:Endpoints:Secure:Certificate:KeyPath"] = certificates.PathOf("server.key"),
        };
        await using var sample = await SampleProcess.StartAsync(server, settings, token);
        using var client = new HttpClient(certificates.CreateHandler());
        using var health = await client.GetAsync(new Uri($"https://localhost:{httpsPort}/healthz"), token);
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        using var page = await client.GetAsync(new Uri($"https://localhost:{httpsPort}/"), token);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal(server == "kestrel" ? "Kestrel" : "EventCore", page.Headers.Server.ToString());
        using var plain = await client.GetAsync(new Uri($"http://{sample.EndPoint}/healthz"), token);
        Assert.Equal(HttpStatusCode.OK, plain.StatusCode);
    }
}
