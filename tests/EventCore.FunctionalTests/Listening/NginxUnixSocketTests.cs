using System.Net;
using System.Security.Cryptography;
using EventCore.FunctionalTests.Site;

namespace EventCore.FunctionalTests.Listening;

/// <summary>
/// A real nginx proxying to the app over a Unix socket, the app on EventCore and, as the reference, on Kestrel behind
/// the same nginx configuration: forwarded headers, cookies and uploads must come out the same.
/// </summary>
public sealed class NginxUnixSocketTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("eventcore-nginx-app-").FullName;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task Nginx_proxies_to_EventCore_over_a_unix_socket_as_to_Kestrel()
    {
        ServiceRequirement.Require(NginxServer.Executable, "nginx (Debian's nginx-light)");
        var reference = await ThroughNginxAsync(kestrel: true);
        var ours = await ThroughNginxAsync(kestrel: false);
        Assert.Equal("127.0.0.1", ours.Connection["remote-ip"]); // X-Forwarded-For, applied by UseForwardedHeaders
        Assert.Equal("http", ours.Connection["scheme"]);
        foreach (var key in new[] { "scheme", "remote-ip", "local-ip", "local-port", "host" })
        {
            Assert.Equal(reference.Connection[key], ours.Connection[key]);
        }

        Assert.Equal(reference.Cookie, ours.Cookie);
        Assert.Equal(reference.UploadHash, ours.UploadHash);
        Assert.Equal(ListenHost.FileHash, ours.DownloadHash);
    }

    private async Task<(Dictionary<string, string> Connection, string Cookie, string UploadHash, string DownloadHash)> ThroughNginxAsync(bool kestrel)
    {
        var socket = Path.Combine(_directory, kestrel ? "kestrel.sock" : "eventcore.sock");
        await using var app = await ListenHost.StartAsync(urls: [$"http://unix:{socket}"], kestrel: kestrel, forwardedHeaders: true);
        await using var nginx = await NginxServer.StartAsync(socket, Token);
        var cookies = new CookieContainer();
        using var client = new HttpClient(new SocketsHttpHandler { CookieContainer = cookies });
        var origin = new Uri($"http://127.0.0.1:{nginx.Port}");
        var connection = ListenHost.ParseDescription(await client.GetStringAsync(new Uri(origin, "/connection"), Token));
        await client.GetStringAsync(new Uri(origin, "/cookie"), Token);
        var cookie = await client.GetStringAsync(new Uri(origin, "/cookie"), Token); // the cookie set by the first call, sent back
        var upload = new byte[5 * 1024 * 1024];
        new Random(7).NextBytes(upload);
        using var response = await client.PostAsync(new Uri(origin, "/echo"), new ByteArrayContent(upload), Token);
        response.EnsureSuccessStatusCode();
        var uploadHash = Convert.ToHexString(SHA256.HashData(await response.Content.ReadAsByteArrayAsync(Token)));
        var download = Convert.ToHexString(SHA256.HashData(await client.GetByteArrayAsync(new Uri(origin, "/file"), Token)));
        Assert.Equal(Convert.ToHexString(SHA256.HashData(upload)), uploadHash);
        return (connection, cookie, uploadHash, download);
    }
}
