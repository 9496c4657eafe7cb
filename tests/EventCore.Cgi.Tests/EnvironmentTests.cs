using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using EventCore.Cgi.Tests.Support;

namespace EventCore.Cgi.Tests;

/// <summary>RFC 3875 §4.1: what a script gets in its environment, folder, process group and descriptors.</summary>
public abstract class EnvironmentTests(ServerKind server)
{
    /// <summary>Set in the test process: a script must never see the host's environment.</summary>
    private const string HostSecret = "EVENTCORE_CGI_TEST_HOST_SECRET";

    [Fact]
    public async Task AShellScriptGetsTheFullCgiEnvironmentAndNothingElse()
    {
        Environment.SetEnvironmentVariable(HostSecret, "must-not-leak");
        await using var host = await CgiHost.StartAsync(server);
        using var connection = await RawHttp.ConnectAsync(host.Port);
        await connection.SendAsync(
            "GET /cgi-bin/env.sh/extra/path%20x?a=1&b=two HTTP/1.1\r\n" +
            "Host: example.test:8080\r\n" +
            "X-Custom-Header: custom\r\n" +
            "X_Under: dropped\r\n" +
            "Proxy: http://evil.example:3128\r\n" +
            "Authorization: Basic Zm9vOmJhcg==\r\n" +
            "Cookie: c=1\r\n" +
            "Connection: close\r\n\r\n");
        await connection.ReadToEndAsync();
        var response = RawResponse.Parse(connection.Received);
        var env = ParseLines(response.BodyText);
        var root = host.Scripts.Path;

        Assert.Equal(200, response.Status);
        Assert.Equal("CGI/1.1", env["GATEWAY_INTERFACE"]);
        Assert.StartsWith("EventCore.Cgi/", env["SERVER_SOFTWARE"], StringComparison.Ordinal);
        Assert.Equal("example.test", env["SERVER_NAME"]);
        Assert.Equal(host.Port.ToString(CultureInfo.InvariantCulture), env["SERVER_PORT"]);
        Assert.Equal("HTTP/1.1", env["SERVER_PROTOCOL"]);
        Assert.Equal("GET", env["REQUEST_METHOD"]);
        Assert.Equal("/cgi-bin/env.sh/extra/path%20x?a=1&b=two", env["REQUEST_URI"]);
        Assert.Equal("/cgi-bin/env.sh", env["SCRIPT_NAME"]);
        Assert.Equal(root + "/env.sh", env["SCRIPT_FILENAME"]);
        Assert.Equal("/extra/path x", env["PATH_INFO"]);
        Assert.Equal(root + "/extra/path x", env["PATH_TRANSLATED"]);
        Assert.Equal("a=1&b=two", env["QUERY_STRING"]);
        Assert.Equal("127.0.0.1", env["REMOTE_ADDR"]);
        Assert.Equal(connection.LocalPort.ToString(CultureInfo.InvariantCulture), env["REMOTE_PORT"]);
        Assert.Equal(root, env["DOCUMENT_ROOT"]);
        Assert.Equal("200", env["REDIRECT_STATUS"]);
        Assert.Equal("custom", env["HTTP_X_CUSTOM_HEADER"]);
        Assert.Equal("example.test:8080", env["HTTP_HOST"]);
        Assert.Equal("c=1", env["HTTP_COOKIE"]);
        Assert.True(env.ContainsKey("PATH"));

        // httpoxy, an underscore name that could pose as another header, credentials, a body that is not there.
        Assert.DoesNotContain("HTTP_PROXY", env.Keys);
        Assert.DoesNotContain(env.Keys, k => k.Contains("UNDER", StringComparison.Ordinal));
        Assert.DoesNotContain("HTTP_AUTHORIZATION", env.Keys);
        Assert.DoesNotContain("CONTENT_LENGTH", env.Keys);
        Assert.DoesNotContain("CONTENT_TYPE", env.Keys);
        Assert.DoesNotContain(HostSecret, env.Keys);

        // Its own folder, its own session and process group, and nothing open but the three pipes (besides the
        // shell's own handle on the script it reads).
        Assert.Equal(root, env["CWD"]);
        var proc = env["PROC"].Split(' ');
        Assert.Equal(proc[0], proc[1]);
        Assert.Equal(proc[0], proc[2]);
        var descriptors = response.BodyText.Split('\n').Select(l => Regex.Match(l, @" (\d+) -> (.*)$")).Where(m => m.Success)
            .Select(m => new[] { m.Groups[1].Value, m.Groups[2].Value }).Where(f => f[1] != root + "/env.sh").ToList();
        Assert.Equal(["0", "1", "2"], descriptors.Select(f => f[0]).Order());
        Assert.All(descriptors, f => Assert.StartsWith("pipe:", f[1], StringComparison.Ordinal));
    }

    [Fact]
    public async Task APostGivesContentLengthAndContentType()
    {
        await using var host = await CgiHost.StartAsync(server);
        using var client = host.CreateClient();
        using var content = new ByteArrayContent("name=value&x=1"u8.ToArray());
        content.Headers.ContentType = new("application/x-www-form-urlencoded");
        using var response = await client.PostAsync("/cgi-bin/env.sh", content, TestContext.Current.CancellationToken);
        var env = ParseLines(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("POST", env["REQUEST_METHOD"]);
        Assert.Equal("14", env["CONTENT_LENGTH"]);
        Assert.Equal("application/x-www-form-urlencoded", env["CONTENT_TYPE"]);
        Assert.Equal("", env["QUERY_STRING"]);
        Assert.Equal("", env["PATH_INFO"]);
        Assert.DoesNotContain("PATH_TRANSLATED", env.Keys);
    }

    [Fact]
    public async Task APythonScriptRunsThroughItsInterpreterInItsOwnFolderAndGroup()
    {
        Programs.Require(Programs.Python);
        await using var host = await CgiHost.StartAsync(server);
        using var client = host.CreateClient();
        using var document = JsonDocument.Parse(await client.GetStringAsync("/cgi-bin/sub/../env.py?q=%C3%A9", TestContext.Current.CancellationToken));
        var root = document.RootElement;
        var env = root.GetProperty("env");

        Assert.Equal("CGI/1.1", env.GetProperty("GATEWAY_INTERFACE").GetString());
        Assert.Equal("/cgi-bin/env.py", env.GetProperty("SCRIPT_NAME").GetString());
        Assert.Equal(host.Scripts.Path + "/env.py", env.GetProperty("SCRIPT_FILENAME").GetString());
        Assert.Equal("q=%C3%A9", env.GetProperty("QUERY_STRING").GetString());
        Assert.Equal(host.Scripts.Path, root.GetProperty("cwd").GetString());
        Assert.Equal(root.GetProperty("pid").GetInt32(), root.GetProperty("pgrp").GetInt32());
        Assert.Equal(root.GetProperty("pid").GetInt32(), root.GetProperty("sid").GetInt32());
    }

    [Fact]
    public async Task PhpCgiRunsWithRedirectStatusAndParsesQueryAndForm()
    {
        Programs.Require(Programs.PhpCgi);
        await using var host = await CgiHost.StartAsync(server);
        using var client = host.CreateClient();
        using var content = new FormUrlEncodedContent([new("name", "Ada Lovelace"), new("lang", "en")]);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/cgi-bin/env.php/more?x=1") { Content = content };
        request.Headers.Add("X-Custom", "from the client");
        using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        var variables = document.RootElement.GetProperty("server");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("200", variables.GetProperty("REDIRECT_STATUS").GetString());
        Assert.Equal("/cgi-bin/env.php", variables.GetProperty("SCRIPT_NAME").GetString());
        Assert.Equal("/more", variables.GetProperty("PATH_INFO").GetString());
        Assert.Equal("from the client", variables.GetProperty("HTTP_X_CUSTOM").GetString());
        Assert.Equal("1", document.RootElement.GetProperty("get").GetProperty("x").GetString());
        Assert.Equal("Ada Lovelace", document.RootElement.GetProperty("post").GetProperty("name").GetString());
    }

    [Fact]
    public async Task PhpCgiReadsAShortChunkedBodyThroughAnExactContentLength()
    {
        Programs.Require(Programs.PhpCgi);
        await using var host = await CgiHost.StartAsync(server);
        using var client = host.CreateClient();
        using var content = new StreamContent(new MemoryStream("name=chunked&n=2"u8.ToArray()));
        content.Headers.ContentType = new("application/x-www-form-urlencoded");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/cgi-bin/env.php") { Content = content };
        request.Headers.TransferEncodingChunked = true;
        using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));

        Assert.Equal("16", document.RootElement.GetProperty("server").GetProperty("CONTENT_LENGTH").GetString());
        Assert.Equal("chunked", document.RootElement.GetProperty("post").GetProperty("name").GetString());
        Assert.False(document.RootElement.GetProperty("server").TryGetProperty("HTTP_TRANSFER_ENCODING", out _));
    }

    internal static Dictionary<string, string> ParseLines(string text)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in text.Split('\n'))
        {
            var equals = line.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0)
            {
                result.TryAdd(line[..equals], line[(equals + 1)..]);
            }
        }

        return result;
    }
}

/// <summary>On EventCore.</summary>
public sealed class EventCoreEnvironmentTests() : EnvironmentTests(ServerKind.EventCore);

/// <summary>On Kestrel: the same middleware, the same environment.</summary>
public sealed class KestrelEnvironmentTests() : EnvironmentTests(ServerKind.Kestrel);
