using System.Net;
using System.Net.Http.Headers;

namespace EventCore.FunctionalTests.Site;

/// <summary>
/// The file API and page are protected: listing and downloading are public; uploading and deleting need a signed-in
/// user (401 for the API, a redirect to the login form for the page), and the page's forms need their antiforgery
/// token. Anonymous, signed-in and forged requests; nothing is stored or deleted by a refused one.
/// </summary>
public abstract partial class SiteTests
{
    private const string TokenField = "__RequestVerificationToken";

    [Fact(Timeout = TestTimeout)]
    public async Task AnonymousApiUploadsAndDeletesAre401AndChangeNothing()
    {
        var ct = TestContext.Current.CancellationToken;
        var name = Guid.NewGuid().ToString("N") + ".txt";
        var existing = await StoreDirectlyAsync("kept", ct);

        using var upload = await Client.PostAsync("/api/files", SiteClient.Multipart((name, "x"u8.ToArray())), ct);
        using var delete = await Client.DeleteAsync($"/api/files/{existing}", ct);
        using var list = await Client.GetAsync("/api/files", ct);
        using var download = await Client.GetAsync($"/api/files/{existing}", ct);

        Assert.Equal(HttpStatusCode.Unauthorized, upload.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, delete.StatusCode);
        Assert.Null(upload.Headers.Location);
        Assert.False(File.Exists(Path.Combine(Fixture.UploadsPath, name)));
        Assert.Empty(Directory.GetFiles(Fixture.UploadsPath, ".upload-*"));
        Assert.True(File.Exists(Path.Combine(Fixture.UploadsPath, existing)));
        Assert.Equal(HttpStatusCode.OK, list.StatusCode);
        Assert.Equal("kept", await download.Content.ReadAsStringAsync(ct));
    }

    [Fact(Timeout = TestTimeout)]
    public async Task AnonymousVisitsToTheUploadPageAndItsFormsAreSentToTheLoginPage()
    {
        var ct = TestContext.Current.CancellationToken;
        var name = Guid.NewGuid().ToString("N") + ".txt";
        var existing = await StoreDirectlyAsync("kept", ct);

        using var page = await SiteClient.GetAsync(Client, "/uploads", "text/html", ct);
        using var post = await SendFormAsync(Client, "/uploads", FileForm(name, token: null), ct);
        using var delete = await SendFormAsync(Client, $"/uploads/{existing}/delete", new FormUrlEncodedContent([]), ct);

        foreach (var response in new[] { page, post, delete })
        {
            Assert.Equal(HttpStatusCode.Found, response.StatusCode);
            Assert.Equal("/account/login", response.Headers.Location?.AbsolutePath);
        }

        Assert.Contains("ReturnUrl=%2Fuploads", page.Headers.Location?.Query, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(Fixture.UploadsPath, name)));
        Assert.True(File.Exists(Path.Combine(Fixture.UploadsPath, existing)));
    }

    [Fact(Timeout = TestTimeout)]
    public async Task ASignedInUserUploadsAndDeletesThroughTheFormsWithTheirTokens()
    {
        var ct = TestContext.Current.CancellationToken;
        var name = Guid.NewGuid().ToString("N") + ".txt";
        await SignInAsync(ct);
        var token = await SiteClient.GetAntiforgeryTokenAsync(Client, "/uploads", ct);

        using var upload = await SendFormAsync(Client, "/uploads", FileForm(name, token), ct);
        var stored = File.Exists(Path.Combine(Fixture.UploadsPath, name));
        using var delete = await SendFormAsync(Client, $"/uploads/{name}/delete", TokenForm(token), ct);

        Assert.Equal((HttpStatusCode.Found, "/uploads"), (upload.StatusCode, upload.Headers.Location?.OriginalString));
        Assert.True(stored);
        Assert.Equal(HttpStatusCode.Found, delete.StatusCode);
        Assert.False(File.Exists(Path.Combine(Fixture.UploadsPath, name)));
    }

    [Theory(Timeout = TestTimeout)]
    [InlineData("missing")]
    [InlineData("garbage")]
    [InlineData("another user's session")]
    [InlineData("issued before sign-in")]
    public async Task FormsWithAMissingOrForgedTokenAre400AndChangeNothing(string forgery)
    {
        var ct = TestContext.Current.CancellationToken;
        var name = Guid.NewGuid().ToString("N") + ".txt";
        var existing = await StoreDirectlyAsync("kept", ct);
        var anonymousToken = await SiteClient.GetAntiforgeryTokenAsync(Client, "/account/login", ct);
        await SignInAsync(ct);
        _ = await SiteClient.GetAntiforgeryTokenAsync(Client, "/uploads", ct); // this session's cookie half is in place
        var token = forgery switch
        {
            "missing" => null,
            "garbage" => "CfDJ8-not-a-real-token",
            "issued before sign-in" => anonymousToken,
            _ => await OtherSessionTokenAsync(ct),
        };

        using var upload = await SendFormAsync(Client, "/uploads", FileForm(name, token), ct);
        using var delete = await SendFormAsync(Client, $"/uploads/{existing}/delete", token is null ? new FormUrlEncodedContent([]) : TokenForm(token), ct);

        Assert.Equal(HttpStatusCode.BadRequest, upload.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, delete.StatusCode);
        Assert.False(File.Exists(Path.Combine(Fixture.UploadsPath, name)));
        Assert.True(File.Exists(Path.Combine(Fixture.UploadsPath, existing)));
    }

    /// <summary>A token from a second client signed in as the same user: valid, but not for this client's cookie.</summary>
    private async Task<string> OtherSessionTokenAsync(CancellationToken cancellationToken)
    {
        using var other = await ClientAsync();
        using var login = await SiteClient.LogInAsync(other, cancellationToken);
        Assert.Equal(HttpStatusCode.Found, login.StatusCode);
        return await SiteClient.GetAntiforgeryTokenAsync(other, "/uploads", cancellationToken);
    }

    /// <summary>A file put in the uploads directory by the test itself, to see whether a refused delete leaves it.</summary>
    private async Task<string> StoreDirectlyAsync(string content, CancellationToken cancellationToken)
    {
        var name = Guid.NewGuid().ToString("N") + ".txt";
        await File.WriteAllTextAsync(Path.Combine(Fixture.UploadsPath, name), content, cancellationToken);
        return name;
    }

    /// <summary>Posts as a browser form does (Accept: text/html).</summary>
    private static async Task<HttpResponseMessage> SendFormAsync(HttpClient client, string path, HttpContent form, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = form };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/html"));
        return await client.SendAsync(request, cancellationToken);
    }

    private static MultipartFormDataContent FileForm(string fileName, string? token)
    {
        var form = SiteClient.Multipart((fileName, "form upload"u8.ToArray()));
        if (token is not null)
        {
            form.Add(new StringContent(token), TokenField);
        }

        return form;
    }

    private static FormUrlEncodedContent TokenForm(string token) => new([new(TokenField, token)]);
}
