using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace EventCore.FunctionalTests.Site;

/// <summary>
/// The site as a person uses it, in Debian's headless Chromium driven by Playwright (never a downloaded
/// browser): log in, upload through the form, see the file listed, download it, delete it, watch the visit
/// counter rise. A screenshot of the session page is saved under the test output's artifacts/ folder.
/// </summary>
public abstract class BrowserTests(SiteFixture fixture)
{
    private const string Chromium = "/usr/bin/chromium";
    private const float StepTimeout = 30_000;

    [Fact(Timeout = 180_000)]
    public async Task LogInUploadDownloadDeleteAndCountVisits()
    {
        ServiceRequirement.Require(Chromium, "Chromium (apt package chromium)");
        Environment.SetEnvironmentVariable("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
        var ct = TestContext.Current.CancellationToken;
        var baseUrl = $"http://{await fixture.GetEndPointAsync()}";
        var work = Path.Combine(Path.GetTempPath(), "eventcore-browser-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(work);
        try
        {
            using var playwright = await Playwright.CreateAsync();
            await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
            {
                ExecutablePath = Chromium,
                Headless = true,
                Timeout = StepTimeout,
                Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
            });
            await using var context = await browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = baseUrl, AcceptDownloads = true });
            context.SetDefaultTimeout(StepTimeout);
            var page = await context.NewPageAsync();
            await RunScenarioAsync(page, work, ct);
        }
        finally
        {
            SiteClient.DeleteDirectory(work);
        }
    }

    private async Task RunScenarioAsync(IPage page, string work, CancellationToken cancellationToken)
    {
        // Log in: /account/me sends the browser to the form and back.
        await page.GotoAsync("/account/me");
        Assert.Contains("/account/login", page.Url, StringComparison.Ordinal);
        await page.FillAsync("input[name=username]", SiteClient.DemoUser);
        await page.FillAsync("input[name=password]", SiteClient.DemoPassword);
        await page.ClickAsync("form.card button[type=submit]");
        // Wait for what the new page shows, not for its load event: on a loaded CI machine Playwright once saw no load
        // event within 30 s here with the network idle (and the Kestrel run once timed out in a load-state wait too).
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("/account/me$"), new() { Timeout = StepTimeout });
        await Assertions.Expect(page.Locator("#user")).ToHaveTextAsync(SiteClient.DemoUser, new() { Timeout = StepTimeout });

        // Upload through the form, see it listed.
        var name = $"browser-{Guid.NewGuid():N}.txt";
        var local = Path.Combine(work, name);
        var content = SiteClient.RandomBytes(50_000);
        await File.WriteAllBytesAsync(local, content, cancellationToken);
        await page.GotoAsync("/uploads");
        await page.SetInputFilesAsync("input[type=file]", local);
        await page.ClickAsync("form.card button[type=submit]");
        var link = page.Locator($"#uploads a:text-is('{name}')");
        await link.WaitForAsync();

        // Download it and compare.
        var download = await page.RunAndWaitForDownloadAsync(() => link.ClickAsync());
        var saved = Path.Combine(work, "downloaded.bin");
        await download.SaveAsAsync(saved);
        Assert.Equal(SiteClient.Sha256(content), Convert.ToHexString(SHA256.HashData(await File.ReadAllBytesAsync(saved, cancellationToken))));

        // Delete it.
        // The page is /uploads before and after the POST's redirect, so waiting for that URL can wait on the old page's
        // load state instead; wait for what the new page shows (Playwright retries until it holds or the step times out).
        await page.Locator("#uploads tr", new PageLocatorOptions { HasText = name }).Locator("button").ClickAsync();
        await Assertions.Expect(page.Locator($"#uploads a:text-is('{name}')")).ToHaveCountAsync(0, new() { Timeout = StepTimeout });
        Assert.False(File.Exists(Path.Combine(fixture.UploadsPath, name)));

        // The visit counter rises.
        await page.GotoAsync("/session");
        var first = int.Parse((await page.TextContentAsync("#visits"))!, System.Globalization.CultureInfo.InvariantCulture);
        await page.ReloadAsync();
        var second = int.Parse((await page.TextContentAsync("#visits"))!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(first + 1, second);

        var artifacts = Path.Combine(AppContext.BaseDirectory, "artifacts");
        Directory.CreateDirectory(artifacts);
        var screenshot = Path.Combine(artifacts, $"site-{fixture.Server}.png");
        await page.GotoAsync("/");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = screenshot, FullPage = true });
        TestContext.Current.TestOutputHelper?.WriteLine($"Screenshot: {screenshot}");
    }
}

/// <summary>On EventCore.</summary>
public sealed class EventCoreBrowserTests(EventCoreSiteFixture fixture) : BrowserTests(fixture), IClassFixture<EventCoreSiteFixture>;

/// <summary>On Kestrel: the reference.</summary>
public sealed class KestrelBrowserTests(KestrelSiteFixture fixture) : BrowserTests(fixture), IClassFixture<KestrelSiteFixture>;
