using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using EventCore.FunctionalTests.Infrastructure;
using EventCore.FunctionalTests.Site;
using Microsoft.AspNetCore.Connections;

namespace EventCore.FunctionalTests.Listening;

/// <summary>EventCore on a Unix domain socket (epoll transport), with real clients: HttpClient, curl, a raw socket.</summary>
public sealed class UnixSocketTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("eventcore-uds-").FullName;

    private string SocketPath => Path.Combine(_directory, "app.sock");

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task ListenUnixSocket_serves_HttpClient_and_publishes_a_unix_url()
    {
        await using var host = await ListenHost.StartAsync(o => o.ListenUnixSocket(SocketPath));
        Assert.Equal($"http://unix:{SocketPath}", Assert.Single(host.Addresses));
        using var client = CreateClient(SocketPath);
        Assert.Equal("Hello over EventCore", await client.GetStringAsync(new Uri("http://localhost/"), Token));
    }

    [Fact]
    public async Task Kestrel_url_syntax_binds_a_unix_socket()
    {
        await using var host = await ListenHost.StartAsync(urls: [$"http://unix:{SocketPath}"]);
        using var client = CreateClient(SocketPath);
        Assert.Equal("Hello over EventCore", await client.GetStringAsync(new Uri("http://localhost/"), Token));
    }

    [Fact]
    public async Task An_at_url_binds_an_abstract_socket_with_no_file()
    {
        // Kestrel's URL parser knows only socket paths; EventCore also reads unix:@name, as ListenUnixSocket("@name").
        var name = $"eventcore-test-{Guid.NewGuid():N}";
        await using var host = await ListenHost.StartAsync(urls: [$"http://unix:@{name}"]);
        Assert.Equal($"http://unix:@{name}", Assert.Single(host.Addresses));
        Assert.Contains("@" + name, await File.ReadAllTextAsync("/proc/net/unix", Token), StringComparison.Ordinal);
        using (var client = CreateClient("\0" + name)) // .NET's spelling of an abstract name
        {
            Assert.Equal("Hello over EventCore", await client.GetStringAsync(new Uri("http://localhost/"), Token));
        }

        await host.StopAsync(); // the name is released with the last descriptor (accepted connections carry it too)
        Assert.DoesNotContain("@" + name, await File.ReadAllTextAsync("/proc/net/unix", Token), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_at_url_without_a_name_is_refused_with_a_clear_error()
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => ListenHost.StartAsync(urls: ["http://unix:@"]));
        Assert.Contains("needs a name after the '@'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Connection_info_matches_Kestrel_on_a_unix_socket()
    {
        // Kestrel on the same socket path is the reference for what HttpContext.Connection reports there.
        var reference = await DescribeAsync(kestrel: true);
        var ours = await DescribeAsync(kestrel: false);
        Assert.Equal("null", ours["remote-ip"]);
        Assert.Equal("0", ours["remote-port"]);
        foreach (var key in new[] { "scheme", "is-https", "remote-ip", "remote-port", "local-ip", "local-port" })
        {
            Assert.Equal(reference[key], ours[key]);
        }
    }

    [Fact]
    public async Task Curl_gets_responses_over_the_unix_socket()
    {
        ServiceRequirement.Require("/usr/bin/curl", "curl");
        await using var host = await ListenHost.StartAsync(o => o.ListenUnixSocket(SocketPath));
        var (exitCode, output) = await RunAsync("/usr/bin/curl", "-sS", "--unix-socket", SocketPath, "http://localhost/", "http://localhost/n/7");
        Assert.True(exitCode == 0, output);
        Assert.Equal("Hello over EventCore7", output);
    }

    [Fact]
    public async Task Pipelined_requests_are_answered_in_order()
    {
        await using var host = await ListenHost.StartAsync(o => o.ListenUnixSocket(SocketPath));
        using var connection = await RawConnection.ConnectAsync(new UnixDomainSocketEndPoint(SocketPath), Token);
        var batch = new StringBuilder();
        for (var i = 1; i <= 16; i++)
        {
            batch.Append("GET /n/").Append(i).Append(" HTTP/1.1\r\nHost: x\r\n\r\n");
        }

        await connection.SendAsync(batch.ToString(), Token);
        for (var i = 1; i <= 16; i++)
        {
            var response = await connection.ReadResponseAsync(Token);
            Assert.Equal(200, response.StatusCode);
            Assert.Equal(i.ToString(System.Globalization.CultureInfo.InvariantCulture), response.BodyText);
        }
    }

    [Fact]
    public async Task Sendfile_sends_a_large_file_over_the_unix_socket()
    {
        await using var host = await ListenHost.StartAsync(o => o.ListenUnixSocket(SocketPath));
        using var client = CreateClient(SocketPath);
        var body = await client.GetByteArrayAsync(new Uri("http://localhost/file"), Token);
        Assert.Equal(ListenHost.FileHash, Convert.ToHexString(SHA256.HashData(body)));
        var description = ListenHost.ParseDescription(await client.GetStringAsync(new Uri("http://localhost/connection"), Token));
        Assert.Equal("yes", description["sendfile"]);
    }

    [Fact]
    public async Task The_socket_file_is_removed_at_shutdown()
    {
        var host = await ListenHost.StartAsync(o => o.ListenUnixSocket(SocketPath));
        Assert.True(IsSocketFile(SocketPath));
        await host.StopAsync();
        await host.DisposeAsync();
        Assert.False(File.Exists(SocketPath));
    }

    [Fact]
    public async Task A_stale_socket_file_is_replaced_at_start()
    {
        // A socket file nobody accepts on: bind a socket, move its file away from under it, close the socket.
        var other = Path.Combine(_directory, "bound.sock");
        using (var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified))
        {
            socket.Bind(new UnixDomainSocketEndPoint(other));
            File.Move(other, SocketPath);
        }

        Assert.True(IsSocketFile(SocketPath));
        await using var host = await ListenHost.StartAsync(o => o.ListenUnixSocket(SocketPath));
        using var client = CreateClient(SocketPath);
        Assert.Equal("Hello over EventCore", await client.GetStringAsync(new Uri("http://localhost/"), Token));
        Assert.Contains(host.Logs.Entries, e => e.Message.Contains("stale Unix socket file", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_socket_someone_listens_on_is_in_use()
    {
        using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(SocketPath));
        listener.Listen();
        var ex = await Assert.ThrowsAsync<AddressInUseException>(() => ListenHost.StartAsync(o => o.ListenUnixSocket(SocketPath)));
        Assert.Contains(SocketPath, ex.Message, StringComparison.Ordinal);
        Assert.True(IsSocketFile(SocketPath)); // still the other process's
    }

    [Fact]
    public async Task A_file_that_is_not_a_socket_is_never_removed()
    {
        await File.WriteAllTextAsync(SocketPath, "precious", Token);
        var ex = await Assert.ThrowsAsync<IOException>(() => ListenHost.StartAsync(o => o.ListenUnixSocket(SocketPath)));
        Assert.Contains("is not a socket", ex.Message, StringComparison.Ordinal);
        Assert.Equal("precious", await File.ReadAllTextAsync(SocketPath, Token));
    }

    [Fact]
    public async Task Many_concurrent_clients_are_served()
    {
        await using var host = await ListenHost.StartAsync(o => o.ListenUnixSocket(SocketPath));
        using var client = CreateClient(SocketPath);
        var answers = await Task.WhenAll(Enumerable.Range(0, 200).Select(i => client.GetStringAsync(new Uri($"http://localhost/n/{i}"), Token)));
        Assert.Equal(Enumerable.Range(0, 200).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)), answers);
    }

    /// <summary>An HttpClient whose every connection goes to the Unix socket at <paramref name="path"/>.</summary>
    internal static HttpClient CreateClient(string path) => new(new SocketsHttpHandler
    {
        ConnectCallback = async (_, cancellationToken) =>
        {
            var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            try
            {
                await socket.ConnectAsync(new UnixDomainSocketEndPoint(path), cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    });

    internal static async Task<(int ExitCode, string Output)> RunAsync(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync(Token);
        var error = process.StandardError.ReadToEndAsync(Token);
        await process.WaitForExitAsync(Token);
        return (process.ExitCode, await output + await error);
    }

    /// <summary>Whether something accepts connections at <paramref name="path"/> or a socket file is left there (connect says which).</summary>
    private static bool IsSocketFile(string path)
    {
        using var probe = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            probe.Connect(new UnixDomainSocketEndPoint(path));
            return true;
        }
        catch (SocketException ex) when (ex.SocketErrorCode == SocketError.ConnectionRefused)
        {
            return File.Exists(path); // a socket file nobody accepts on (a regular file refuses too, but tests know which)
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private async Task<Dictionary<string, string>> DescribeAsync(bool kestrel)
    {
        var path = Path.Combine(_directory, kestrel ? "kestrel.sock" : "eventcore.sock");
        await using var host = await ListenHost.StartAsync(urls: [$"http://unix:{path}"], kestrel: kestrel);
        using var client = CreateClient(path);
        return ListenHost.ParseDescription(await client.GetStringAsync(new Uri("http://localhost/connection"), Token));
    }
}
