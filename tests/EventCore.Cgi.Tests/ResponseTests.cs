using System.Net;
using EventCore.Cgi.Tests.Support;
using Microsoft.Extensions.Logging;

namespace EventCore.Cgi.Tests;

/// <summary>RFC 3875 §6: the script's header block becomes the response; its body streams with the right framing.</summary>
public abstract class ResponseTests(ServerKind server)
{
    [Fact]
    public async Task StatusContentTypeCookiesAndOtherFieldsPassThrough()
    {
        await using var host = await CgiHost.StartAsync(server);
        var response = await RawHttp.SendAsync(host.Port, "GET /cgi-bin/status.sh HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");

        Assert.Equal(418, response.Status);
        Assert.Equal("I am a teapot", response.Reason);
        Assert.Equal("text/plain; charset=utf-8", response.Header("Content-Type"));
        Assert.Equal("custom value", response.Header("X-Custom"));
        Assert.Equal(["a=1; Path=/", "b=2; Path=/"], response.All("Set-Cookie"));
        Assert.DoesNotContain("keep-alive-please", response.All("Connection"));
        Assert.Equal("short and stout", response.BodyText);
        Assert.Contains(host.Logs.Cgi, l => l.Message.Contains("Connection (hop-by-hop", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ABodyWithoutContentLengthIsChunked()
    {
        await using var host = await CgiHost.StartAsync(server);
        var response = await RawHttp.SendAsync(host.Port, "GET /cgi-bin/hello.sh?x HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");

        Assert.Equal(200, response.Status);
        Assert.Equal("chunked", response.Header("Transfer-Encoding"));
        Assert.Null(response.Header("Content-Length"));
        Assert.True(response.Complete);
        Assert.Equal("hello x\n", response.BodyText);
    }

    [Fact]
    public async Task AScriptsContentLengthIsKeptAndLfOnlyLinesAreAccepted()
    {
        await using var host = await CgiHost.StartAsync(server);
        var response = await RawHttp.SendAsync(host.Port, "GET /cgi-bin/lf.sh HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");

        Assert.Equal(200, response.Status);
        Assert.Equal("5", response.Header("Content-Length"));
        Assert.Null(response.Header("Transfer-Encoding"));
        Assert.Equal("hello", response.BodyText);
    }

    [Fact]
    public async Task AHeadRequestGetsTheHeadersAndNoBody()
    {
        await using var host = await CgiHost.StartAsync(server);
        var response = await RawHttp.SendAsync(host.Port, "HEAD /cgi-bin/lf.sh HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");

        Assert.Equal(200, response.Status);
        Assert.Equal("5", response.Header("Content-Length"));
        Assert.Empty(response.Body);
    }

    [Fact]
    public async Task AnAbsoluteLocationIsAClientRedirect()
    {
        await using var host = await CgiHost.StartAsync(server);
        using var client = host.CreateClient();
        using var response = await client.GetAsync("/cgi-bin/client-redirect.sh", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Found, response.StatusCode);
        Assert.Equal("http://example.com/elsewhere", response.Headers.Location?.OriginalString);
    }

    [Fact]
    public async Task ALocationWithAStatusGoesToTheClientWithThatStatusAndBody()
    {
        await using var host = await CgiHost.StartAsync(server);
        using var client = host.CreateClient();
        using var response = await client.GetAsync("/cgi-bin/moved.sh", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.MovedPermanently, response.StatusCode);
        Assert.Equal("/new-place", response.Headers.Location?.OriginalString);
        Assert.Equal("moved", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task ALocalRedirectIsServedInTheSameRequestAsAGetOfThatPath()
    {
        await using var host = await CgiHost.StartAsync(server);
        using var client = host.CreateClient();
        using var content = new ByteArrayContent("a body the redirect must not pass on"u8.ToArray());
        content.Headers.ContentType = new("text/plain");
        using var response = await client.PostAsync("/cgi-bin/local-redirect.sh", content, TestContext.Current.CancellationToken);
        var env = EnvironmentTests.ParseLines(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("GET", env["REQUEST_METHOD"]);
        Assert.Equal("/cgi-bin/env.sh", env["SCRIPT_NAME"]);
        Assert.Equal("/from-redirect", env["PATH_INFO"]);
        Assert.Equal("via=local", env["QUERY_STRING"]);
        Assert.Equal("/cgi-bin/env.sh/from-redirect?via=local", env["REQUEST_URI"]);
        Assert.DoesNotContain("CONTENT_LENGTH", env.Keys);
        Assert.DoesNotContain("CONTENT_TYPE", env.Keys);
    }

    [Fact]
    public async Task ALocalRedirectReachesTheAppsOwnEndpoints()
    {
        await using var host = await CgiHost.StartAsync(server);
        using var client = host.CreateClient();
        using var response = await client.GetAsync("/cgi-bin/app-redirect.sh", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("hello from the app ?from=cgi", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task LocalRedirectsInALoopEndIn500()
    {
        await using var host = await CgiHost.StartAsync(server);
        using var client = host.CreateClient();
        using var response = await client.GetAsync("/cgi-bin/loop.sh", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Contains(host.Logs.Cgi, l => l.Level == LogLevel.Error && l.Message.Contains("local redirects", StringComparison.Ordinal));
        Assert.Equal(0, host.Executor.RunningProcesses);
    }

    [Fact]
    public async Task PhpSetsSeveralCookiesAndItsRedirectGoesToTheClient()
    {
        Programs.Require(Programs.PhpCgi);
        await using var host = await CgiHost.StartAsync(server);
        var cookies = await RawHttp.SendAsync(host.Port, "GET /cgi-bin/cookies.php HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
        var redirect = await RawHttp.SendAsync(host.Port, "GET /cgi-bin/redirect.php HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");

        Assert.Equal(200, cookies.Status);
        Assert.Equal(["first=one", "second=two"], cookies.All("Set-Cookie"));
        Assert.Equal("php", cookies.Header("X-Script"));
        Assert.Equal("cookies set", cookies.BodyText);
        Assert.Equal(302, redirect.Status);
        Assert.Equal("/somewhere", redirect.Header("Location"));
    }

    [Fact]
    public async Task OutputShorterThanItsContentLengthCutsTheResponseOff()
    {
        await using var host = await CgiHost.StartAsync(server);
        using var connection = await RawHttp.ConnectAsync(host.Port);
        await connection.SendAsync("GET /cgi-bin/toolong.sh HTTP/1.1\r\nHost: t\r\n\r\n");
        await connection.ReadToEndAsync();

        // The connection closes without a complete response: the head and 3 bytes, or (Kestrel drops what it had
        // not sent yet when aborted) nothing at all. Never a padded or "complete" 10-byte body.
        if (RawResponse.TryParse(connection.Received) is { } response)
        {
            Assert.Equal(200, response.Status);
            Assert.Equal("10", response.Header("Content-Length"));
            Assert.False(response.Complete);
        }

        Assert.Contains(host.Logs.Cgi, l => l.Message.Contains("ended after 3 bytes", StringComparison.Ordinal));
    }

    [Fact]
    public async Task OutputLongerThanItsContentLengthIsCutToIt()
    {
        await using var host = await CgiHost.StartAsync(server);
        var response = await RawHttp.SendAsync(host.Port, "GET /cgi-bin/toomuch.sh HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");

        Assert.Equal(200, response.Status);
        Assert.Equal("abc", response.BodyText);
    }

    [Fact]
    public async Task StderrLinesGoToTheLog()
    {
        await using var host = await CgiHost.StartAsync(server);
        using var client = host.CreateClient();
        var body = await client.GetStringAsync("/cgi-bin/stderr.sh", TestContext.Current.CancellationToken);

        Assert.Equal("ok", body);
        await ProcessTable.WaitUntilAsync(
            () => host.Logs.Cgi.Count(l => l.Level == LogLevel.Warning && l.Message.Contains("problem line", StringComparison.Ordinal)) == 2,
            TimeSpan.FromSeconds(10),
            () => "both stderr lines logged:\n" + host.Logs);
        Assert.Contains(host.Logs.Cgi, l => l.Message == "CGI script /cgi-bin/stderr.sh stderr: first problem line");
    }
}

/// <summary>On EventCore.</summary>
public sealed class EventCoreResponseTests() : ResponseTests(ServerKind.EventCore);

/// <summary>On Kestrel.</summary>
public sealed class KestrelResponseTests() : ResponseTests(ServerKind.Kestrel);
