using System.Net;
using System.Security.Authentication;
using EventCore.Server;

namespace EventCore.FunctionalTests.Listening;

/// <summary>
/// Kestrel's endpoint configuration under <c>EventCore</c>: the same keys start the same endpoints, and the same
/// mistakes get Kestrel's messages. The renamed-section test runs one configuration on both servers.
/// </summary>
public sealed class EndpointConfigurationTests(TestCertificates certificates) : IClassFixture<TestCertificates>
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Kestrel_configuration_renamed_starts_both_servers()
    {
        foreach (var (section, kestrel) in new[] { ("Kestrel", true), ("EventCore", false) })
        {
            var settings = new Dictionary<string, string?>
            {
                [$"{section}:Endpoints:Web:Url"] = "http://127.0.0.1:0",
                [$"{section}:Endpoints:Secure:Url"] = "https://127.0.0.1:0",
                [$"{section}:Endpoints:Secure:Protocols"] = "Http1",
                [$"{section}:Endpoints:Secure:SslProtocols:0"] = "Tls12",
                [$"{section}:Endpoints:Secure:Certificate:Path"] = certificates.PathOf("server.pem"),
                [$"{section}:Endpoints:Secure:Certificate:KeyPath"] = certificates.PathOf("server.key"),
            };
            await using var host = await ListenHost.StartAsync(configuration: settings, kestrel: kestrel);
            var addresses = host.Addresses.ToList();
            Assert.Equal(2, addresses.Count);
            var plain = addresses.Single(a => a.StartsWith("http://", StringComparison.Ordinal));
            var secure = addresses.Single(a => a.StartsWith("https://", StringComparison.Ordinal));
            using var client = new HttpClient(certificates.CreateHandler());
            Assert.Contains("scheme=http\n", await client.GetStringAsync(new Uri(plain + "/connection"), Token), StringComparison.Ordinal);
            var description = ListenHost.ParseDescription(await client.GetStringAsync(new Uri($"https://localhost:{new Uri(secure).Port}/connection"), Token));
            Assert.Equal("https", description["scheme"]);
            Assert.Equal("Tls12", description["tls-protocol"]);
        }
    }

    [Fact]
    public async Task A_pfx_certificate_with_its_password()
    {
        await using var host = await ListenHost.StartAsync(configuration: new Dictionary<string, string?>
        {
            ["EventCore:Endpoints:Secure:Url"] = "https://127.0.0.1:0",
            ["EventCore:Endpoints:Secure:Certificate:Path"] = certificates.PathOf("server.pfx"),
            ["EventCore:Endpoints:Secure:Certificate:Password"] = TestCertificates.PfxPassword,
        });
        await AssertServesHttpsAsync(host);
    }

    [Fact]
    public async Task Certificates_Default_serves_https_urls_without_a_certificate()
    {
        var settings = new Dictionary<string, string?>
        {
            ["EventCore:Certificates:Default:Path"] = certificates.PathOf("server.pem"),
            ["EventCore:Certificates:Default:KeyPath"] = certificates.PathOf("server.key"),
        };
        await using var host = await ListenHost.StartAsync(configuration: settings, urls: ["https://127.0.0.1:0"]);
        await AssertServesHttpsAsync(host);
    }

    [Fact]
    public async Task UseHttps_without_a_certificate_uses_the_default_one()
    {
        var settings = new Dictionary<string, string?>
        {
            ["EventCore:Certificates:Default:Path"] = certificates.PathOf("server.pfx"),
            ["EventCore:Certificates:Default:Password"] = TestCertificates.PfxPassword,
        };
        await using var host = await ListenHost.StartAsync(o => o.ListenLocalhost(0, l => l.UseHttps()), configuration: settings);
        Assert.StartsWith("https://localhost:", Assert.Single(host.Addresses), StringComparison.Ordinal);
        await AssertServesHttpsAsync(host);
    }

    [Fact]
    public async Task UseHttps_with_a_pfx_file_name()
    {
        await using var host = await ListenHost.StartAsync(o => o.Listen(IPAddress.Loopback, 0, l => l.UseHttps(certificates.PathOf("server.pfx"), TestCertificates.PfxPassword)));
        await AssertServesHttpsAsync(host);
    }

    [Fact]
    public async Task An_endpoint_without_a_url_gets_Kestrels_message()
    {
        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => ListenHost.StartAsync(configuration: new Dictionary<string, string?>
        {
            ["EventCore:Endpoints:Broken:Protocols"] = "Http1",
        }));
        Assert.Equal("The endpoint Broken is missing the required 'Url' parameter.", ex.Message);
    }

    [Theory]
    [InlineData("Http2")]
    [InlineData("Http1AndHttp2")]
    [InlineData("Http1AndHttp2AndHttp3")]
    public async Task Protocols_other_than_http1_are_refused_clearly(string protocols)
    {
        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => ListenHost.StartAsync(configuration: new Dictionary<string, string?>
        {
            ["EventCore:Endpoints:Web:Url"] = "http://127.0.0.1:0",
            ["EventCore:Endpoints:Web:Protocols"] = protocols,
        }));
        Assert.Contains($"The endpoint Web asks for Protocols '{protocols}'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("HTTP/1.1 only", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EndpointDefaults_apply_to_endpoints_that_do_not_set_their_own()
    {
        await using var host = await ListenHost.StartAsync(configuration: new Dictionary<string, string?>
        {
            ["EventCore:EndpointDefaults:SslProtocols:0"] = "Tls12",
            ["EventCore:Endpoints:Secure:Url"] = "https://127.0.0.1:0",
            ["EventCore:Endpoints:Secure:Certificate:Path"] = certificates.PathOf("server.pfx"),
            ["EventCore:Endpoints:Secure:Certificate:Password"] = TestCertificates.PfxPassword,
        });
        using var client = new HttpClient(certificates.CreateHandler());
        Assert.Equal("Tls12", ListenHost.ParseDescription(await client.GetStringAsync(HttpsTests.Url(host, "/connection"), Token))["tls-protocol"]);

        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => ListenHost.StartAsync(configuration: new Dictionary<string, string?>
        {
            ["EventCore:EndpointDefaults:Protocols"] = "Http1AndHttp2",
            ["EventCore:Endpoints:Web:Url"] = "http://127.0.0.1:0",
        }));
        Assert.Contains("HTTP/1.1 only", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Protocols_in_code_are_refused_too()
    {
        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => ListenHost.StartAsync(o => o.Listen(IPAddress.Loopback, 0,
            l => l.Protocols = Microsoft.AspNetCore.Server.Kestrel.Core.HttpProtocols.Http1AndHttp2)));
        Assert.Contains("HTTP/1.1 only", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Https_without_any_certificate_gets_Kestrels_message()
    {
        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => ListenHost.StartAsync(urls: ["https://127.0.0.1:0"]));
        Assert.StartsWith("Unable to configure HTTPS endpoint. No server certificate was specified", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Two_certificate_sources_get_Kestrels_message()
    {
        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => ListenHost.StartAsync(configuration: new Dictionary<string, string?>
        {
            ["EventCore:Endpoints:Secure:Url"] = "https://127.0.0.1:0",
            ["EventCore:Endpoints:Secure:Certificate:Path"] = certificates.PathOf("server.pfx"),
            ["EventCore:Endpoints:Secure:Certificate:Subject"] = "localhost",
        }));
        Assert.Equal("The endpoint Secure specified multiple certificate sources.", ex.Message);
    }

    [Fact]
    public async Task Https_settings_on_an_http_endpoint_get_Kestrels_message()
    {
        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => ListenHost.StartAsync(configuration: new Dictionary<string, string?>
        {
            ["EventCore:Endpoints:Web:Url"] = "http://127.0.0.1:0",
            ["EventCore:Endpoints:Web:ClientCertificateMode"] = "RequireCertificate",
        }));
        Assert.Equal("The non-HTTPS endpoint Web includes HTTPS-only configuration for ClientCertificateMode.", ex.Message);
    }

    [Fact]
    public async Task DelayCertificate_is_refused_at_start()
    {
        var ex = await Assert.ThrowsAsync<NotSupportedException>(() => ListenHost.StartAsync(configuration: new Dictionary<string, string?>
        {
            ["EventCore:Endpoints:Secure:Url"] = "https://127.0.0.1:0",
            ["EventCore:Endpoints:Secure:ClientCertificateMode"] = "DelayCertificate",
            ["EventCore:Endpoints:Secure:Certificate:Path"] = certificates.PathOf("server.pfx"),
            ["EventCore:Endpoints:Secure:Certificate:Password"] = TestCertificates.PfxPassword,
        }));
        Assert.Contains("DelayCertificate", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_certificate_file_names_the_endpoint_and_the_path()
    {
        var missing = certificates.PathOf("missing.pem");
        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => ListenHost.StartAsync(configuration: new Dictionary<string, string?>
        {
            ["EventCore:Endpoints:Secure:Url"] = "https://127.0.0.1:0",
            ["EventCore:Endpoints:Secure:Certificate:Path"] = missing,
            ["EventCore:Endpoints:Secure:Certificate:KeyPath"] = certificates.PathOf("server.key"),
        }));
        Assert.Contains("Secure", ex.Message, StringComparison.Ordinal);
        Assert.Contains(missing, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Configured_endpoints_win_over_hosting_urls()
    {
        await using var host = await ListenHost.StartAsync(
            configuration: new Dictionary<string, string?> { ["EventCore:Endpoints:Web:Url"] = "http://127.0.0.1:0" },
            urls: ["http://127.0.0.1:1"]);
        Assert.NotEqual(1, host.Port);
        Assert.Contains(host.Logs.Entries, e => e.Message.Contains("Overriding the hosting addresses", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_Sni_section_picks_the_certificate_by_host_name()
    {
        await using var host = await ListenHost.StartAsync(configuration: new Dictionary<string, string?>
        {
            ["EventCore:Endpoints:Secure:Url"] = "https://127.0.0.1:0",
            ["EventCore:Endpoints:Secure:Sni:localhost:Certificate:Path"] = certificates.PathOf("server.pem"),
            ["EventCore:Endpoints:Secure:Sni:localhost:Certificate:KeyPath"] = certificates.PathOf("server.key"),
            ["EventCore:Endpoints:Secure:Sni:*.test:Certificate:Path"] = certificates.PathOf("other.pem"),
            ["EventCore:Endpoints:Secure:Sni:*.test:Certificate:KeyPath"] = certificates.PathOf("other.key"),
        });
        Assert.Equal("CN=localhost", await ServerCertificateSubjectAsync(host.Port, "localhost"));
        Assert.Equal("CN=other.test", await ServerCertificateSubjectAsync(host.Port, "other.test"));
        var refused = await Assert.ThrowsAnyAsync<Exception>(() => ServerCertificateSubjectAsync(host.Port, "unknown.example"));
        Assert.True(refused is IOException or System.Security.Authentication.AuthenticationException, refused.ToString());
        await AssertServesHttpsAsync(host);
    }

    [Fact]
    public async Task Sni_entries_set_their_own_SslProtocols_and_ClientCertificateMode()
    {
        await using var host = await ListenHost.StartAsync(
            o => o.ConfigureHttpsDefaults(h => h.ClientCertificateValidation = (certificate, _, _) => certificates.IsIssuedByTestAuthority(certificate)),
            configuration: new Dictionary<string, string?>
            {
                ["EventCore:Endpoints:Secure:Url"] = "https://127.0.0.1:0",
                ["EventCore:Endpoints:Secure:Sni:localhost:Certificate:Path"] = certificates.PathOf("server.pem"),
                ["EventCore:Endpoints:Secure:Sni:localhost:Certificate:KeyPath"] = certificates.PathOf("server.key"),
                ["EventCore:Endpoints:Secure:Sni:localhost:SslProtocols:0"] = "Tls12",
                ["EventCore:Endpoints:Secure:Sni:*.test:Certificate:Path"] = certificates.PathOf("other.pem"),
                ["EventCore:Endpoints:Secure:Sni:*.test:Certificate:KeyPath"] = certificates.PathOf("other.key"),
                ["EventCore:Endpoints:Secure:Sni:*.test:ClientCertificateMode"] = "RequireCertificate",
                ["EventCore:Endpoints:Secure:Sni:*.test:Protocols"] = "Http1",
            });

        // localhost: TLS 1.2 only, no client certificate asked for.
        var localhost = await DescribeOverSniAsync(host.Port, "localhost", withClientCertificate: false);
        Assert.Equal("Tls12", localhost["tls-protocol"]);
        Assert.Equal("none", localhost["client-certificate"]);
        await Assert.ThrowsAnyAsync<Exception>(() => DescribeOverSniAsync(host.Port, "localhost", withClientCertificate: false, SslProtocols.Tls13));

        // *.test: the endpoint's protocols (TLS 1.3 here), and a client certificate is required.
        var other = await DescribeOverSniAsync(host.Port, "other.test", withClientCertificate: true);
        Assert.Equal("Tls13", other["tls-protocol"]);
        Assert.Equal("CN=EventCore Test Client", other["client-certificate"]);
        await Assert.ThrowsAnyAsync<Exception>(() => DescribeOverSniAsync(host.Port, "other.test", withClientCertificate: false));
    }

    [Fact]
    public async Task An_Sni_entry_asking_for_another_protocol_than_Http1_is_refused()
    {
        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => ListenHost.StartAsync(configuration: new Dictionary<string, string?>
        {
            ["EventCore:Endpoints:Secure:Url"] = "https://127.0.0.1:0",
            ["EventCore:Endpoints:Secure:Sni:*:Certificate:Path"] = certificates.PathOf("server.pem"),
            ["EventCore:Endpoints:Secure:Sni:*:Certificate:KeyPath"] = certificates.PathOf("server.key"),
            ["EventCore:Endpoints:Secure:Sni:*:Protocols"] = "Http2",
        }));
        Assert.Contains("Http1 only", ex.Message, StringComparison.Ordinal);
    }

    /// <summary>GET /connection over a TLS connection to 127.0.0.1 that names <paramref name="hostName"/> by SNI.</summary>
    private async Task<Dictionary<string, string>> DescribeOverSniAsync(int port, string hostName, bool withClientCertificate, SslProtocols protocols = SslProtocols.None)
    {
        using var handler = certificates.CreateHandler(withClientCertificate);
        handler.SslOptions.EnabledSslProtocols = protocols;
        handler.ConnectCallback = async (_, cancellationToken) =>
        {
            var socket = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), cancellationToken);
            return new System.Net.Sockets.NetworkStream(socket, ownsSocket: true);
        };
        using var client = new HttpClient(handler);
        return ListenHost.ParseDescription(await client.GetStringAsync(new Uri($"https://{hostName}:{port}/connection"), Token));
    }

    [Fact]
    public async Task A_certificate_file_replaced_while_running_is_used_for_new_handshakes()
    {
        var directory = Directory.CreateTempSubdirectory("eventcore-reload-").FullName;
        try
        {
            var certificate = Path.Combine(directory, "site.pem");
            var key = Path.Combine(directory, "site.key");
            File.Copy(certificates.PathOf("server.pem"), certificate);
            File.Copy(certificates.PathOf("server.key"), key);
            await using var host = await ListenHost.StartAsync(configuration: new Dictionary<string, string?>
            {
                ["EventCore:Endpoints:Secure:Url"] = "https://127.0.0.1:0",
                ["EventCore:Endpoints:Secure:Certificate:Path"] = certificate,
                ["EventCore:Endpoints:Secure:Certificate:KeyPath"] = key,
            });
            Assert.Equal("CN=localhost", await ServerCertificateSubjectAsync(host.Port));
            using var open = new HttpClient(certificates.CreateHandler());
            await open.GetStringAsync(HttpsTests.Url(host, "/"), Token); // a keep-alive connection made before the renewal

            // A renewal the way certbot and cert-manager do it: new files renamed into place.
            File.Copy(certificates.PathOf("other.key"), key + ".new");
            File.Copy(certificates.PathOf("other.pem"), certificate + ".new");
            File.Move(key + ".new", key, overwrite: true);
            File.Move(certificate + ".new", certificate, overwrite: true);
            await host.Logs.WaitForAsync(Microsoft.Extensions.Logging.LogLevel.Information, "CN=other.test", Token);

            Assert.Equal("CN=other.test", await ServerCertificateSubjectAsync(host.Port));
            Assert.Equal("Hello over EventCore", await open.GetStringAsync(HttpsTests.Url(host, "/"), Token)); // still served
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>The subject of the certificate the server presents to a new handshake (any test certificate, whatever its name).</summary>
    private async Task<string> ServerCertificateSubjectAsync(int port, string hostName = "localhost")
    {
        using var tcp = new System.Net.Sockets.TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, port, Token);
        await using var tls = new System.Net.Security.SslStream(tcp.GetStream());
        await tls.AuthenticateAsClientAsync(new System.Net.Security.SslClientAuthenticationOptions
        {
            TargetHost = hostName,
            RemoteCertificateValidationCallback = (_, certificate, _, _) => certificates.IsIssuedByTestAuthority(certificate),
        }, Token);
        return tls.RemoteCertificate!.Subject;
    }

    private async Task AssertServesHttpsAsync(ListenHost host)
    {
        using var client = new HttpClient(certificates.CreateHandler());
        Assert.Equal("https", ListenHost.ParseDescription(await client.GetStringAsync(HttpsTests.Url(host, "/connection"), Token))["scheme"]);
    }
}
