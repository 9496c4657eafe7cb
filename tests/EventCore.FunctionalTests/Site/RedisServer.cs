using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace EventCore.FunctionalTests.Site;

/// <summary>
/// A throw-away redis-server on a free loopback port: no persistence (<c>--save "" --appendonly no</c>),
/// its working directory a temp dir; killed and cleaned up on dispose.
/// </summary>
internal sealed class RedisServer(Process process, string directory, int port) : ChildServer(process, directory, port)
{
    public const string Executable = "/usr/bin/redis-server";

    /// <summary>The StackExchange.Redis connection string.</summary>
    public string ConnectionString => $"127.0.0.1:{Port}";

    public static async Task<RedisServer> StartAsync(CancellationToken cancellationToken)
    {
        var directory = Path.Combine(Path.GetTempPath(), "eventcore-redis-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        var port = FreePort();
        var start = new ProcessStartInfo(Executable) { UseShellExecute = false, RedirectStandardOutput = true, WorkingDirectory = directory };
        foreach (var argument in new[] { "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", directory })
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("redis-server did not start.");
        var server = new RedisServer(process, directory, port);
        try
        {
            _ = process.StandardOutput.BaseStream.CopyToAsync(Stream.Null, CancellationToken.None);
            await server.WaitForPongAsync(cancellationToken);
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    private async Task WaitForPongAsync(CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, Port, cancellationToken);
                var stream = client.GetStream();
                await stream.WriteAsync("PING\r\n"u8.ToArray(), cancellationToken);
                var buffer = new byte[16];
                var read = await stream.ReadAsync(buffer, cancellationToken);
                if (Encoding.ASCII.GetString(buffer, 0, read).StartsWith("+PONG", StringComparison.Ordinal))
                {
                    return;
                }
            }
            catch (SocketException) when (DateTime.UtcNow < deadline && !Process.HasExited)
            {
                // Not listening yet.
            }

            if (Process.HasExited || DateTime.UtcNow > deadline)
            {
                throw new InvalidOperationException($"redis-server on port {Port} did not answer PING.");
            }

            await Task.Delay(100, cancellationToken);
        }
    }
}
