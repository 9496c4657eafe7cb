using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;

namespace EventCore.FunctionalTests.Site;

/// <summary>The uploads API, signed in: round trips, hostile names and paths, the size limit, and aborted uploads.</summary>
public abstract partial class SiteTests
{
    [Fact(Timeout = TestTimeout)]
    public async Task UploadsRoundTripBySha256()
    {
        var ct = TestContext.Current.CancellationToken;
        await SignInAsync(ct);
        var stem = Guid.NewGuid().ToString("N");
        var first = SiteClient.RandomBytes(300_000);
        var second = SiteClient.RandomBytes(123_457);

        using var upload = await Client.PostAsync("/api/files", SiteClient.Multipart(($"{stem}-a.bin", first), ($"{stem}-b.bin", second)), ct);
        var saved = await upload.Content.ReadFromJsonAsync<List<StoredFile>>(ct);
        var listed = await Client.GetFromJsonAsync<List<StoredFile>>("/api/files", ct);
        var download = await Client.GetByteArrayAsync($"/api/files/{stem}-a.bin", ct);
        var download2 = await Client.GetByteArrayAsync($"/api/files/{stem}-b.bin", ct);
        using var delete = await Client.DeleteAsync($"/api/files/{stem}-a.bin", ct);
        using var deleteAgain = await Client.DeleteAsync($"/api/files/{stem}-a.bin", ct);
        using var gone = await Client.GetAsync($"/api/files/{stem}-a.bin", ct);

        Assert.Equal(HttpStatusCode.Created, upload.StatusCode);
        Assert.Equal([($"{stem}-a.bin", 300_000L), ($"{stem}-b.bin", 123_457L)], saved!.Select(f => (f.Name, f.Size)));
        Assert.Contains(listed!, f => f.Name == $"{stem}-a.bin" && f.Size == 300_000);
        Assert.Equal(SiteClient.Sha256(first), SiteClient.Sha256(download));
        Assert.Equal(SiteClient.Sha256(second), SiteClient.Sha256(download2));
        Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, deleteAgain.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        Assert.False(File.Exists(Path.Combine(Fixture.UploadsPath, $"{stem}-a.bin")));
    }

    [Fact(Timeout = TestTimeout)]
    public async Task DownloadSupportsRanges()
    {
        var ct = TestContext.Current.CancellationToken;
        await SignInAsync(ct);
        var name = Guid.NewGuid().ToString("N") + ".bin";
        var content = SiteClient.RandomBytes(10_000);
        using var upload = await Client.PostAsync("/api/files", SiteClient.Multipart((name, content)), ct);

        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/files/{name}");
        request.Headers.Range = new System.Net.Http.Headers.RangeHeaderValue(1000, 1999);
        using var partial = await Client.SendAsync(request, ct);

        Assert.Equal(HttpStatusCode.PartialContent, partial.StatusCode);
        Assert.Equal(content[1000..2000], await partial.Content.ReadAsByteArrayAsync(ct));
    }

    [Theory(Timeout = TestTimeout)]
    [InlineData("../x.txt")]
    [InlineData("..%2Fx.txt")]
    [InlineData("../../../../tmp/x.txt")]
    [InlineData("..\\..\\x.txt")]
    [InlineData("/etc/passwd")]
    [InlineData(".hidden")]
    [InlineData("..")]
    public async Task HostileFileNamesAreStoredUnderASafeName(string fileName)
    {
        var ct = TestContext.Current.CancellationToken;
        await SignInAsync(ct);
        var before = Directory.GetFileSystemEntries(Fixture.ParentPath);

        using var upload = await Client.PostAsync("/api/files", SiteClient.Multipart((fileName, "hostile"u8.ToArray())), ct);
        var saved = Assert.Single((await upload.Content.ReadFromJsonAsync<List<StoredFile>>(ct))!);

        Assert.Equal(HttpStatusCode.Created, upload.StatusCode);
        Assert.DoesNotContain('/', saved.Name);
        Assert.DoesNotContain('\\', saved.Name);
        Assert.False(saved.Name.StartsWith('.'), saved.Name);
        Assert.True(File.Exists(Path.Combine(Fixture.UploadsPath, saved.Name)), saved.Name);
        Assert.Equal(before, Directory.GetFileSystemEntries(Fixture.ParentPath));
        (await Client.DeleteAsync($"/api/files/{Uri.EscapeDataString(saved.Name)}", ct)).Dispose();
    }

    [Theory(Timeout = TestTimeout)]
    [InlineData("/api/files/..%2Fsecret.txt")]
    [InlineData("/api/files/%2E%2E%2Fsecret.txt")]
    [InlineData("/api/files/..%5Csecret.txt")]
    [InlineData("/api/files/%2Fsecret.txt")]
    [InlineData("/api/files/.secret.txt")]
    [InlineData("/api/files/..")]
    public async Task PathsOutsideTheUploadsDirectoryAreNotServedNorDeleted(string path)
    {
        var ct = TestContext.Current.CancellationToken;
        await SignInAsync(ct);
        var secret = Path.Combine(Fixture.ParentPath, "secret.txt");
        await File.WriteAllTextAsync(secret, "secret", ct);
        await File.WriteAllTextAsync(Path.Combine(Fixture.UploadsPath, ".secret.txt"), "hidden", ct);

        using var get = await Client.GetAsync(path, ct);
        using var delete = await Client.DeleteAsync(path, ct);

        Assert.True(get.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.BadRequest, $"GET {path}: {get.StatusCode}");
        Assert.True(delete.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.BadRequest or HttpStatusCode.MethodNotAllowed, $"DELETE {path}: {delete.StatusCode}");
        Assert.True(File.Exists(secret));
        Assert.True(File.Exists(Path.Combine(Fixture.UploadsPath, ".secret.txt")));
        File.Delete(Path.Combine(Fixture.UploadsPath, ".secret.txt"));
    }

    [Fact(Timeout = TestTimeout)]
    public async Task ANameAlreadyTakenGetsASuffix()
    {
        var ct = TestContext.Current.CancellationToken;
        await SignInAsync(ct);
        var stem = Guid.NewGuid().ToString("N");

        using var first = await Client.PostAsync("/api/files", SiteClient.Multipart(($"{stem}.txt", "one"u8.ToArray())), ct);
        using var second = await Client.PostAsync("/api/files", SiteClient.Multipart(($"{stem}.txt", "two"u8.ToArray())), ct);

        Assert.Equal(HttpStatusCode.Created, second.StatusCode);
        Assert.Equal($"{stem}-1.txt", Assert.Single((await second.Content.ReadFromJsonAsync<List<StoredFile>>(ct))!).Name);
        Assert.Equal("one", await File.ReadAllTextAsync(Path.Combine(Fixture.UploadsPath, $"{stem}.txt"), ct));
        Assert.Equal("two", await File.ReadAllTextAsync(Path.Combine(Fixture.UploadsPath, $"{stem}-1.txt"), ct));
    }

    [Fact(Timeout = TestTimeout)]
    public async Task ABodyAtTheLimitIsStoredAndOneByteMoreIs413WithNothingLeft()
    {
        var ct = TestContext.Current.CancellationToken;
        await SignInAsync(ct);
        var stem = Guid.NewGuid().ToString("N");
        using var empty = SiteClient.Multipart(($"{stem}.bin", []));
        var overhead = (await empty.ReadAsByteArrayAsync(ct)).Length;
        var atLimit = (int)SiteFixture.UploadLimit - overhead;

        using var over = await Client.PostAsync("/api/files", SiteClient.Multipart(($"{stem}-over.bin", SiteClient.RandomBytes(atLimit + 1))), ct);
        var afterOver = Directory.GetFiles(Fixture.UploadsPath);
        using var at = await Client.PostAsync("/api/files", SiteClient.Multipart(($"{stem}.bin", SiteClient.RandomBytes(atLimit))), ct);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, over.StatusCode);
        Assert.DoesNotContain(afterOver, f => Path.GetFileName(f).StartsWith(stem, StringComparison.Ordinal) || Path.GetFileName(f).StartsWith('.'));
        Assert.Equal(HttpStatusCode.Created, at.StatusCode);
        Assert.Equal(atLimit, new FileInfo(Path.Combine(Fixture.UploadsPath, $"{stem}.bin")).Length);
    }

    [Fact(Timeout = TestTimeout)]
    public async Task AClientThatDisconnectsMidUploadLeavesNothingBehind()
    {
        var ct = TestContext.Current.CancellationToken;
        var cookies = new CookieContainer();
        using var client = await ClientAsync(cookies);
        using (var login = await SiteClient.LogInAsync(client, ct))
        {
            Assert.Equal(HttpStatusCode.Found, login.StatusCode);
        }

        var endPoint = await Fixture.GetEndPointAsync();
        var name = Guid.NewGuid().ToString("N") + ".bin";
        const string Boundary = "----eventcore-abort";
        var head = $"--{Boundary}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n";
        var declared = 900_000;
        var request = $"POST /api/files HTTP/1.1\r\nHost: localhost\r\nCookie: {cookies.GetCookieHeader(client.BaseAddress!)}\r\nContent-Type: multipart/form-data; boundary={Boundary}\r\n" +
            $"Content-Length: {declared.ToString(CultureInfo.InvariantCulture)}\r\n\r\n{head}";

        using (var socket = new Socket(SocketType.Stream, ProtocolType.Tcp))
        {
            await socket.ConnectAsync(endPoint, ct);
            await socket.SendAsync(Encoding.ASCII.GetBytes(request), ct);
            await socket.SendAsync(SiteClient.RandomBytes(400_000), ct);
            Assert.True(
                await SiteClient.WaitForAsync(() => TempFiles().Length > 0, TimeSpan.FromSeconds(20), ct),
                "The server never started writing the upload to a temporary file.");
            socket.LingerState = new LingerOption(true, 0); // reset, as a Client that crashes
        }

        Assert.True(
            await SiteClient.WaitForAsync(() => TempFiles().Length == 0, TimeSpan.FromSeconds(20), ct),
            $"Temporary files left after the Client left: {string.Join(", ", TempFiles())}");
        Assert.False(File.Exists(Path.Combine(Fixture.UploadsPath, name)));

        string[] TempFiles() => Directory.GetFiles(Fixture.UploadsPath, ".upload-*");
    }

    private sealed record StoredFile(string Name, long Size, DateTimeOffset Modified);
}
