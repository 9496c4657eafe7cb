using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using EventCore.FunctionalTests.Site;

namespace EventCore.FunctionalTests.Listening;

/// <summary>
/// A throw-away nginx (Debian's nginx-light) on a free loopback port, proxying everything to a Unix socket with the
/// usual reverse-proxy headers (Host, X-Forwarded-For, X-Forwarded-Proto), keep-alive to the upstream. Its prefix,
/// configuration, logs and temp files live in a temp dir; its workers run as the test's user (nginx ignores that
/// directive when not started as root); killed and cleaned up on dispose.
/// </summary>
internal sealed class NginxServer(Process process, string directory, int port) : ChildServer(process, directory, port)
{
    public const string Executable = "/usr/sbin/nginx";

    public static async Task<NginxServer> StartAsync(string upstreamSocket, CancellationToken cancellationToken)
    {
        var directory = Directory.CreateTempSubdirectory("eventcore-nginx-").FullName;
        var port = FreePort();
        var configuration = Path.Combine(directory, "nginx.conf");
        await File.WriteAllTextAsync(configuration, $$"""
            user {{Environment.UserName}};
            worker_processes 1;
            daemon off;
            pid {{directory}}/nginx.pid;
            error_log stderr warn;
            events { worker_connections 256; }
            http {
                access_log off;
                client_body_temp_path {{directory}}/body;
                proxy_temp_path {{directory}}/proxy;
                fastcgi_temp_path {{directory}}/fastcgi;
                uwsgi_temp_path {{directory}}/uwsgi;
                scgi_temp_path {{directory}}/scgi;
                client_max_body_size 20m;
                upstream app { server unix:{{upstreamSocket}}; keepalive 8; }
                server {
                    listen 127.0.0.1:{{port.ToString(CultureInfo.InvariantCulture)}};
                    location / {
                        proxy_pass http://app;
                        proxy_http_version 1.1;
                        proxy_set_header Connection "";
                        proxy_set_header Host $host;
                        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
                        proxy_set_header X-Forwarded-Proto $scheme;
                    }
                }
            }
            """, cancellationToken);
        var start = new ProcessStartInfo(Executable) { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var argument in new[] { "-e", "stderr", "-p", directory, "-c", configuration })
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("nginx did not start.");
        var server = new NginxServer(process, directory, port);
        try
        {
            _ = process.StandardOutput.BaseStream.CopyToAsync(Stream.Null, CancellationToken.None);
            _ = process.StandardError.BaseStream.CopyToAsync(Stream.Null, CancellationToken.None);
            await server.WaitUntilListeningAsync(cancellationToken);
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>nginx opens its port after reading the configuration: connect until it accepts (or exited, or 30 s).</summary>
    private async Task WaitUntilListeningAsync(CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, Port, cancellationToken);
                return;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline && !Process.HasExited)
            {
                await Task.Delay(20, cancellationToken);
            }
        }
    }
}
