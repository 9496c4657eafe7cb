using System.Net;
using EventCore.Cgi.Tests.Support;

namespace EventCore.Cgi.Tests;

/// <summary>RFC 3875 §4.2: the request body reaches the script's stdin, decoded, with CONTENT_LENGTH when it is known.</summary>
public abstract class RequestBodyTests(ServerKind server)
{
    [Fact]
    public async Task AContentLengthBodyReachesStdinWhole()
    {
        await using var host = await CgiHost.StartAsync(server);
        using var client = host.CreateClient();
        using var response = await client.PostAsync("/cgi-bin/echo.sh", new Pattern.Content(1_000_000, chunked: false), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("1000000", Header(response, "X-Content-Length"));
        Assert.Equal(1_000_000, await Pattern.VerifyAsync(await response.Content.ReadAsStreamAsync(TestContext.Current.CancellationToken), Pattern.Line));
    }

    [Fact]
    public async Task AShortChunkedBodyIsDecodedAndGetsAnExactContentLength()
    {
        await using var host = await CgiHost.StartAsync(server);
        using var client = host.CreateClient();
        using var response = await client.PostAsync("/cgi-bin/echo.sh", new Pattern.Content(5000, chunked: true), TestContext.Current.CancellationToken);

        Assert.Equal("5000", Header(response, "X-Content-Length"));
        Assert.Equal(5000, await Pattern.VerifyAsync(await response.Content.ReadAsStreamAsync(TestContext.Current.CancellationToken), Pattern.Line));
    }

    [Fact]
    public async Task ALongChunkedBodyIsStreamedDecodedWithoutContentLength()
    {
        await using var host = await CgiHost.StartAsync(server);
        using var client = host.CreateClient();
        using var response = await client.PostAsync("/cgi-bin/echo.sh", new Pattern.Content(3_000_000, chunked: true), TestContext.Current.CancellationToken);

        Assert.Equal("none", Header(response, "X-Content-Length"));
        Assert.Equal(3_000_000, await Pattern.VerifyAsync(await response.Content.ReadAsStreamAsync(TestContext.Current.CancellationToken), Pattern.Line));
    }

    [Fact]
    public async Task APythonScriptReadsAChunkedBodyToItsEnd()
    {
        Programs.Require(Programs.Python);
        await using var host = await CgiHost.StartAsync(server);
        using var client = host.CreateClient();
        using var response = await client.PostAsync("/cgi-bin/upper.py", new Pattern.Content(2_000_000, chunked: true), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(2_000_000, await Pattern.VerifyAsync(await response.Content.ReadAsStreamAsync(TestContext.Current.CancellationToken), Pattern.UpperLine));
    }

    [Fact]
    public async Task AScriptThatIgnoresItsBodyStillAnswersAndTheConnectionStaysUsable()
    {
        await using var host = await CgiHost.StartAsync(server);
        using var client = host.CreateClient();
        using var first = await client.PostAsync("/cgi-bin/hello.sh?ignored", new Pattern.Content(2_000_000, chunked: false), TestContext.Current.CancellationToken);
        var text = await first.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        using var second = await client.GetAsync("/cgi-bin/hello.sh?again", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal("hello ignored\n", text);
        Assert.Equal("hello again\n", await second.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? values.Single() : null;
}

/// <summary>On EventCore.</summary>
public sealed class EventCoreRequestBodyTests() : RequestBodyTests(ServerKind.EventCore);

/// <summary>On Kestrel.</summary>
public sealed class KestrelRequestBodyTests() : RequestBodyTests(ServerKind.Kestrel);
