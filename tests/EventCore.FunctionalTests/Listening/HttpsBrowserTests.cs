using System.Net;
using System.Security.Cryptography;
using EventCore.FunctionalTests.Site;
using Microsoft.Playwright;

namespace EventCore.FunctionalTests.Listening;

/// <summary>A page load over HTTPS in Debian's headless Chromium (Playwright), trusting the test certificate's key.</summary>
public sealed class HttpsBrowserTests(TestCertificates certificates) : IClassFixture<TestCertificates>
{
    private const string Chromium = "/usr/bin/chromium";

    [Fact(Timeout = 120_000)]
    public async Task Chromium_loads_a_page_over_https_with_http11()
    {
        ServiceRequirement.Require(Chromium, "Chromium (apt package chromium)");
        Environment.SetEnvironmentVariable("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
        await using var host = await ListenHost.StartAsync(o => o.Listen(IPAddress.Loopback, 0, l => l.UseHttps(certificates.Server)));

        // Chromium trusts a certificate whose public key hash is listed here (it has no flag for a CA file).
        var spki = Convert.ToBase64String(SHA256.HashData(certificates.Server.PublicKey.ExportSubjectPublicKeyInfo()));
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium,
            Headless = true,
            Timeout = 30_000,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
                $"--ignore-certificate-errors-spki-list={spki}"],
        });
        var page = await browser.NewPageAsync();
        var response = await page.GotoAsync($"https://localhost:{host.Port}/connection");
        Assert.NotNull(response);
        Assert.Equal(200, response.Status);
        var description = ListenHost.ParseDescription(await response.TextAsync().WaitAsync(TestContext.Current.CancellationToken));
        Assert.Equal("https", description["scheme"]);
        Assert.Equal("http/1.1", description["alpn"]); // Chromium offers h2 first; EventCore's ALPN answers http/1.1
        Assert.Equal("http/1.1", await page.EvaluateAsync<string>("() => performance.getEntriesByType('navigation')[0].nextHopProtocol"));
    }
}
