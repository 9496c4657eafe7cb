using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace EventCore.FunctionalTests.Site;

/// <summary>
/// A throw-away server program the tests start (redis-server, nginx): its process, its temp directory and the
/// loopback port it listens on. Disposing kills the process and deletes the directory.
/// </summary>
internal abstract class ChildServer(Process process, string directory, int port) : IAsyncDisposable
{
    public int Port { get; } = port;

    protected Process Process { get; } = process;

    /// <summary>A loopback port free right now (the child binds it a moment later).</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        await SampleProcess.StopAsync(Process);
        SiteClient.DeleteDirectory(directory);
    }
}
