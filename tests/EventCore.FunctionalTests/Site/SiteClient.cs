using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text.RegularExpressions;

namespace EventCore.FunctionalTests.Site;

/// <summary>An HttpClient for the site: cookies kept, redirects and decompression off, plus the site's little rituals.</summary>
internal static partial class SiteClient
{
    public const string DemoUser = "demo";
    public const string DemoPassword = "demo-password";

    public static HttpClient Create(IPEndPoint endPoint, CookieContainer? cookies = null) =>
        new(new SocketsHttpHandler
        {
            CookieContainer = cookies ?? new CookieContainer(),
            UseCookies = true,
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
            PooledConnectionLifetime = TimeSpan.FromMinutes(1),
        })
        {
            BaseAddress = new Uri($"http://{endPoint}"),
            Timeout = TimeSpan.FromSeconds(60),
        };

    /// <summary>Reads the antiforgery token from a page's form (its cookie lands in the client's container).</summary>
    public static async Task<string> GetAntiforgeryTokenAsync(HttpClient client, string page, CancellationToken cancellationToken)
    {
        using var response = await GetAsync(client, page, "text/html", cancellationToken);
        var html = await response.Content.ReadAsStringAsync(cancellationToken);
        var match = TokenField().Match(html);
        Assert.True(match.Success, $"No antiforgery field on {page}:\n{html}");
        return WebUtility.HtmlDecode(match.Groups[1].Value);
    }

    /// <summary>Logs in as the demo user through the form; returns the response (a redirect on success).</summary>
    public static async Task<HttpResponseMessage> LogInAsync(HttpClient client, CancellationToken cancellationToken, string password = DemoPassword)
    {
        var token = await GetAntiforgeryTokenAsync(client, "/account/login", cancellationToken);
        using var form = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = token,
            ["username"] = DemoUser,
            ["password"] = password,
            ["returnUrl"] = "/account/me",
        });
        return await client.PostAsync("/account/login", form, cancellationToken);
    }

    /// <summary>GET with an Accept header.</summary>
    public static async Task<HttpResponseMessage> GetAsync(HttpClient client, string path, string accept, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(accept));
        return await client.SendAsync(request, cancellationToken);
    }

    /// <summary>A multipart body with one file part per (name, content).</summary>
    public static MultipartFormDataContent Multipart(params (string FileName, byte[] Content)[] files)
    {
        var content = new MultipartFormDataContent("----eventcore-site-test");
        foreach (var (fileName, bytes) in files)
        {
            var part = new ByteArrayContent(bytes);
            part.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
            part.Headers.ContentDisposition = new ContentDispositionHeaderValue("form-data") { Name = "\"files\"", FileName = $"\"{fileName}\"" };
            content.Add(part);
        }

        return content;
    }

    public static byte[] RandomBytes(int length)
    {
        var bytes = new byte[length];
        Random.Shared.NextBytes(bytes);
        return bytes;
    }

    public static string Sha256(byte[] bytes) => Convert.ToHexString(SHA256.HashData(bytes));

    /// <summary>Best-effort recursive delete of a test's temporary directory.</summary>
    public static void DeleteDirectory(string path)
    {
        try
        {
            Directory.Delete(path, recursive: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // A file still open by a host being torn down only leaves a temp dir behind.
        }
    }

    /// <summary>Polls <paramref name="condition"/> until it holds or <paramref name="timeout"/> passes.</summary>
    public static async Task<bool> WaitForAsync(Func<bool> condition, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                return false;
            }

            await Task.Delay(50, cancellationToken);
        }

        return true;
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex TokenField();
}
