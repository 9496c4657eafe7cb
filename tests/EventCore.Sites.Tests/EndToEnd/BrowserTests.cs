using EventCore.Sites.Tests.Support;
using Microsoft.Playwright;

namespace EventCore.Sites.Tests.EndToEnd;

/// <summary>
/// The demo in Debian's headless Chromium driven by Playwright (never a downloaded browser): the index with its CSS
/// and image, an autoindex page, and an upload through the form; screenshots of the three pages are saved under the
/// test output's artifacts/ folder.
/// </summary>
public sealed class BrowserTests
{
    private const string Chromium = "/usr/bin/chromium";

    [Fact(Timeout = 180_000)]
    public async Task Demo_index_autoindex_and_upload_form_in_chromium()
    {
        Interpreters.Need(Chromium);
        Environment.SetEnvironmentVariable("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
        await using var demo = await DemoServer.StartAsync();
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium,
            Headless = true,
            Timeout = 30_000,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
        await using var context = await browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = demo.Address.ToString() });
        context.SetDefaultTimeout(30_000);
        var page = await context.NewPageAsync();
        page.RequestFailed += (_, request) => TestContext.Current.TestOutputHelper?.WriteLine($"Request failed: {request.Method} {request.Url}: {request.Failure}");
        var artifacts = Directory.CreateDirectory(Path.Combine(AppContext.BaseDirectory, "artifacts")).FullName;

        await page.GotoAsync("/");
        Assert.Equal("EventCore webserv", await page.TitleAsync());
        Assert.Equal("rgb(42, 91, 215)", await page.EvalOnSelectorAsync<string>("h1", "e => getComputedStyle(e).color"));
        Assert.Equal(64, await page.EvalOnSelectorAsync<int>("header img", "e => e.naturalWidth"));
        await Screenshot(page, artifacts, "webserv-index.png");

        await page.GotoAsync("/files/");
        Assert.Equal("Index of /files/", await page.TitleAsync());
        Assert.True(await page.Locator("a:text-is('readme.txt')").CountAsync() == 1);
        await Screenshot(page, artifacts, "webserv-autoindex.png");

        var name = $"browser-{Guid.NewGuid():N}.txt";
        var local = Path.Combine(Path.GetTempPath(), name);
        await File.WriteAllTextAsync(local, "uploaded by chromium", TestContext.Current.CancellationToken);
        try
        {
            await page.GotoAsync("/upload.html");
            await Screenshot(page, artifacts, "webserv-upload-form.png");
            await page.SetInputFilesAsync("input[type=file]", local);
            // The form's POST answer is checked as the browser received it, not through the page's load event: a CI
            // run once saw the navigation commit and the network go idle while Chromium's load never fired.
            var answer = await page.RunAndWaitForResponseAsync(
                () => page.ClickAsync("button[type=submit]"),
                r => r.Request.Method == "POST" && r.Url.EndsWith("/uploads/", StringComparison.Ordinal));
            Assert.Equal(201, answer.Status);
            Assert.Equal(name + "\n", await answer.TextAsync());
            using var client = demo.Client();
            Assert.Equal("uploaded by chromium", await client.GetStringAsync("/uploads/" + name, TestContext.Current.CancellationToken));
            await client.DeleteAsync("/uploads/" + name, TestContext.Current.CancellationToken);
        }
        finally
        {
            File.Delete(local);
        }
    }

    private static async Task Screenshot(IPage page, string folder, string file)
    {
        var path = Path.Combine(folder, file);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
        Assert.True(new FileInfo(path).Length > 1000, $"{path} is empty");
        TestContext.Current.TestOutputHelper?.WriteLine($"Screenshot: {path}");
    }
}
