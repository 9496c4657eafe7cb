using System.Net;
using System.Net.Sockets;
using EventCore.Server.Tests.Support;

namespace EventCore.Server.Tests;

public class AddressTests
{
    [Fact]
    public async Task Port_zero_publishes_the_bound_port()
    {
        await using var host = await ServerHost.StartAsync(BasicRequestTests.Plaintext);
        var address = Assert.Single(host.Addresses);
        Assert.StartsWith("http://127.0.0.1:", address, StringComparison.Ordinal);
        Assert.NotEqual(0, host.Port);
    }

    [Fact]
    public async Task Localhost_binds_ipv4_and_ipv6_loopback_on_one_port()
    {
        await using var host = await ServerHost.StartAsync(BasicRequestTests.Plaintext, o => o.Urls.Add("http://localhost:0"));
        var address = Assert.Single(host.Addresses);
        Assert.StartsWith("http://localhost:", address, StringComparison.Ordinal);
        using var http = new HttpClient();
        Assert.Equal("Hello, World!", await http.GetStringAsync(new Uri($"http://127.0.0.1:{host.Port}/"), TestContext.Current.CancellationToken));
        if (Socket.OSSupportsIPv6)
        {
            Assert.Equal("Hello, World!", await http.GetStringAsync(new Uri($"http://[::1]:{host.Port}/"), TestContext.Current.CancellationToken));
        }
    }

    [Fact]
    public async Task Ipv6_literal_is_published_in_brackets()
    {
        Assert.SkipUnless(Socket.OSSupportsIPv6, "IPv6 unavailable");
        await using var host = await ServerHost.StartAsync(BasicRequestTests.Plaintext, o => o.Urls.Add("http://[::1]:0"));
        Assert.StartsWith("http://[::1]:", Assert.Single(host.Addresses), StringComparison.Ordinal);
        using var http = new HttpClient();
        Assert.Equal("Hello, World!", await http.GetStringAsync(new Uri(host.Addresses.First()), TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Wildcard_binds_all_interfaces()
    {
        await using var host = await ServerHost.StartAsync(BasicRequestTests.Plaintext, o => o.Urls.Add("http://*:0"));
        var address = Assert.Single(host.Addresses);
        Assert.True(address.StartsWith("http://[::]:", StringComparison.Ordinal) || address.StartsWith("http://0.0.0.0:", StringComparison.Ordinal), address);
        using var http = new HttpClient();
        Assert.Equal("Hello, World!", await http.GetStringAsync(new Uri($"http://127.0.0.1:{new Uri(address).Port}/"), TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Https_without_a_certificate_is_refused_with_Kestrels_error()
    {
        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => ServerHost.StartAsync(BasicRequestTests.Plaintext, o => o.Urls.Add("https://127.0.0.1:0")));
        Assert.StartsWith("Unable to configure HTTPS endpoint. No server certificate was specified", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unknown_schemes_are_refused_with_Kestrels_error()
    {
        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => ServerHost.StartAsync(BasicRequestTests.Plaintext, o => o.Urls.Add("ftp://127.0.0.1:0")));
        Assert.Equal("Unrecognized scheme in server address 'ftp://127.0.0.1:0'. Only 'http://' and 'https://' are supported.", ex.Message);
    }

    [Fact]
    public async Task Connections_over_the_limit_are_closed_at_accept()
    {
        await using var host = await ServerHost.StartAsync(BasicRequestTests.Plaintext, o => o.Limits.MaxConcurrentConnections = 1);
        using var first = await host.ConnectAsync();
        await first.SendAsync("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
        Assert.Equal(200, (await first.ReadResponseAsync()).StatusCode);
        // Refused at accept: the reset may even beat the client's connect to completion.
        try
        {
            using var second = await host.ConnectAsync();
            Assert.True(await second.IsClosedByServerAsync());
        }
        catch (SocketException ex) when (ex.SocketErrorCode == SocketError.ConnectionReset)
        {
        }

        await first.SendAsync("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
        Assert.Equal(200, (await first.ReadResponseAsync()).StatusCode);
    }
}
