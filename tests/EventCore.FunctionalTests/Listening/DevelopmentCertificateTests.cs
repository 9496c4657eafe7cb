using System.Collections.Concurrent;
using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using EventCore.FunctionalTests.Site;
using EventCore.Server.Tls;

namespace EventCore.FunctionalTests.Listening;

/// <summary>
/// The ASP.NET Core HTTPS development certificate end to end: the real <c>dotnet dev-certs https</c> creates it in a
/// throw-away HOME (on Linux .NET keeps the CurrentUser store under <c>$HOME/.dotnet/corefx/cryptography/x509stores</c>,
/// so the real user's store is never touched), and the sample — its own process, that HOME, Development, an https URL
/// and no certificate configuration — serves with it on EventCore exactly as on Kestrel. Without one, EventCore
/// refuses to start with Kestrel's message.
/// </summary>
public sealed class DevelopmentCertificateTests : IDisposable
{
    private const string DevelopmentCertificateOid = "1.3.6.1.4.1.311.84.1.1";

    private readonly string _home = Directory.CreateTempSubdirectory("eventcore-devcert-").FullName;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public void Dispose() => SiteClient.DeleteDirectory(_home);

    [Fact]
    public async Task EventCore_and_Kestrel_present_the_development_certificate_in_Development()
    {
        var created = await CreateDevelopmentCertificateAsync();

        var onEventCore = await GetPlaintextOverHttpsAsync("eventcore", created);
        var onKestrel = await GetPlaintextOverHttpsAsync("kestrel", created);

        Assert.Equal(created, onEventCore.Thumbprint);
        Assert.Contains(onEventCore.Extensions.Cast<X509Extension>(), extension => extension.Oid?.Value == DevelopmentCertificateOid);
        Assert.Equal(onKestrel.Thumbprint, onEventCore.Thumbprint);
    }

    [Theory]
    [InlineData("eventcore")]
    [InlineData("kestrel")]
    public async Task Without_a_development_certificate_the_server_fails_to_start_with_Kestrels_message(string server)
    {
        var port = ChildServer.FreePort();
        using var process = StartSample(server, port);
        var output = new ConcurrentQueue<string>();
        process.OutputDataReceived += (_, e) => Collect(output, e.Data);
        process.ErrorDataReceived += (_, e) => Collect(output, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await WaitForExitThenStopAsync(process, TimeSpan.FromSeconds(60));

        var text = string.Join('\n', output);
        Assert.NotEqual(0, process.ExitCode);
        // Both say the first two sentences of the message (the runtime may print it with other line breaks).
        foreach (var line in TlsConnectionLayer.NoCertificateMessage.Split('\n')[..2])
        {
            Assert.Contains(line, text, StringComparison.Ordinal);
        }

        Assert.DoesNotContain("Now listening on", text, StringComparison.Ordinal);
        // Nothing is left listening on the endpoint's port.
        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        var refused = await Assert.ThrowsAsync<SocketException>(async () => await probe.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), Token));
        Assert.Equal(SocketError.ConnectionRefused, refused.SocketErrorCode);
    }

    /// <summary>Runs <c>dotnet dev-certs https</c> with HOME set to the temp directory; returns the new certificate's thumbprint.</summary>
    private async Task<string> CreateDevelopmentCertificateAsync()
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("dev-certs");
        start.ArgumentList.Add("https");
        SetEnvironment(start);
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start.");
        }
        catch (Win32Exception ex)
        {
            Assert.Fail($"`dotnet dev-certs https` is needed (it ships with the .NET SDK) and could not be run: {ex.Message}");
            throw;
        }

        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync(Token);
            var stderr = process.StandardError.ReadToEndAsync(Token);
            await WaitForExitThenStopAsync(process, TimeSpan.FromSeconds(120));

            var output = await stdout + await stderr;
            Assert.True(process.ExitCode == 0, $"`dotnet dev-certs https` is needed (it ships with the .NET SDK) and failed with exit code {process.ExitCode}:\n{output}");
        }

        var store = Path.Combine(_home, ".dotnet", "corefx", "cryptography", "x509stores", "my");
        var files = Directory.Exists(store) ? Directory.GetFiles(store, "*.pfx") : [];
        var file = Assert.Single(files); // the store names each certificate's file by its thumbprint
        return Path.GetFileNameWithoutExtension(file).ToUpperInvariant();
    }

    /// <summary>
    /// Starts the sample on <paramref name="server"/>, GETs /plaintext over HTTPS — trusting only the certificate with
    /// <paramref name="expectedThumbprint"/> — and returns the certificate it presented.
    /// </summary>
    private async Task<X509Certificate2> GetPlaintextOverHttpsAsync(string server, string expectedThumbprint)
    {
        var port = ChildServer.FreePort();
        using var process = StartSample(server, port);
        var output = new ConcurrentQueue<string>();
        var listening = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        var listeningLine = $"Now listening on: https://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}";
        process.OutputDataReceived += (_, e) =>
        {
            Collect(output, e.Data);
            if (e.Data?.Contains(listeningLine, StringComparison.Ordinal) == true)
            {
                listening.TrySetResult(true);
            }
        };
        process.ErrorDataReceived += (_, e) => Collect(output, e.Data);
        process.EnableRaisingEvents = true;
        process.Exited += (_, _) => listening.TrySetResult(false);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            var started = await listening.Task.WaitAsync(TimeSpan.FromSeconds(60), Token);
            Assert.True(started, $"The sample on {server} exited before \"{listeningLine}\":\n{string.Join('\n', output)}");

            X509Certificate2? presented = null;
            using var handler = new SocketsHttpHandler();
            handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, _) =>
            {
                presented = certificate is null ? null : new X509Certificate2(certificate);
                // dev-certs cannot trust it on Linux: accept exactly the certificate created in the temp store.
                return string.Equals(presented?.Thumbprint, expectedThumbprint, StringComparison.OrdinalIgnoreCase);
            };
            using var client = new HttpClient(handler);
            HttpResponseMessage response;
            try
            {
                response = await client.GetAsync(new Uri($"https://localhost:{port.ToString(CultureInfo.InvariantCulture)}/plaintext"), Token);
            }
            catch (HttpRequestException ex)
            {
                Assert.Fail($"{server} presented {presented?.Subject} ({presented?.Thumbprint}), not the development certificate {expectedThumbprint}: {ex.Message}");
                throw;
            }

            using var disposeResponse = response;
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("Hello, World!", await response.Content.ReadAsStringAsync(Token));
            Assert.Equal(server == "kestrel" ? "Kestrel" : "EventCore", response.Headers.Server.ToString());
            return Assert.IsType<X509Certificate2>(presented);
        }
        finally
        {
            await StopAsync(process);
        }
    }

    /// <summary>The built sample with the temp HOME, Development and only an https URL: no certificate configured.</summary>
    private Process StartSample(string server, int port)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "MinimalApi.dll"));
        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add($"https://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}");
        start.ArgumentList.Add("--server");
        start.ArgumentList.Add(server);
        start.ArgumentList.Add($"--contentRoot={Path.Combine(SampleProcess.FindRepositoryRoot(), "samples", "MinimalApi")}");
        SetEnvironment(start);
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";
        return Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start.");
    }

    private void SetEnvironment(ProcessStartInfo start)
    {
        start.Environment["HOME"] = _home;
        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1";
        // Nothing from the test's own environment may configure a certificate or another URL.
        foreach (var key in start.Environment.Keys.Where(key =>
            key.StartsWith("ASPNETCORE_", StringComparison.OrdinalIgnoreCase) ||
            key.StartsWith("DOTNET_ENVIRONMENT", StringComparison.OrdinalIgnoreCase) ||
            key.StartsWith("Kestrel__", StringComparison.OrdinalIgnoreCase) ||
            key.StartsWith("EventCore__", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            start.Environment.Remove(key);
        }
    }

    private static void Collect(ConcurrentQueue<string> output, string? line)
    {
        if (line is not null)
        {
            output.Enqueue(line);
        }
    }

    /// <summary>Waits at most <paramref name="limit"/> for the process to exit by itself; kills it in any case (no leak).</summary>
    private static async Task WaitForExitThenStopAsync(Process process, TimeSpan limit)
    {
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Token);
            timeout.CancelAfter(limit);
            await process.WaitForExitAsync(timeout.Token);
        }
        finally
        {
            await StopAsync(process);
        }
    }

    private static async Task StopAsync(Process process)
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await process.WaitForExitAsync(timeout.Token);
    }
}
