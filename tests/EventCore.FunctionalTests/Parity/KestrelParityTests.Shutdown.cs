using System.Security.Cryptography;
using EventCore.FunctionalTests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace EventCore.FunctionalTests.Parity;

/// <summary>Graceful stop: the host's ShutdownTimeout is the budget, and a response in flight is never cut within it.</summary>
public sealed partial class KestrelParityTests
{
    private const int GeneratedSize = 100 * 1024 * 1024;
    private const int GeneratedPiece = 64 * 1024;

    [Theory(Timeout = TestTimeout)]
    [MemberData(nameof(Servers))]
    public Task A_slow_100_megabyte_file_download_in_flight_when_the_stop_begins_completes_intact(ServerKind server)
        => DownloadAcrossStopAsync(server, "/" + TestWebRoot.LargeFileName, TestWebRoot.LargeFileSize, () => webRoot.LargeFileSha256, TestContext.Current.CancellationToken);

    [Theory(Timeout = TestTimeout)]
    [MemberData(nameof(Servers))]
    public Task A_slow_100_megabyte_streamed_response_in_flight_when_the_stop_begins_completes_intact(ServerKind server)
        => DownloadAcrossStopAsync(server, "/generated", GeneratedSize, GeneratedHash, TestContext.Current.CancellationToken);

    [Theory(Timeout = TestTimeout)]
    [MemberData(nameof(EpollAndKestrel))]
    public async Task The_hosts_shutdown_timeout_ends_the_drain_even_when_the_app_ignores_RequestAborted(ServerKind server)
    {
        var ct = TestContext.Current.CancellationToken;
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var never = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var host = await ParityHost.StartAsync(server, new ParitySettings { ShutdownTimeout = TimeSpan.FromMilliseconds(500) }, app =>
            app.MapGet("/stuck", async () =>
            {
                started.TrySetResult();
                await never.Task; // ignores RequestAborted
            }), ct);
        using var connection = await RawConnection.ConnectAsync(host.EndPoint, ct);
        await connection.SendAsync("GET /stuck HTTP/1.1\r\nHost: localhost\r\n\r\n", ct);
        await started.Task.WaitAsync(TimeSpan.FromSeconds(20), ct);

        // Bounded well below the 30 s EventCore used to allow on its own: the host's 500 ms plus the 1 s abort wait.
        await host.StopAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(20), ct);

        Assert.True(await connection.WaitForServerCloseAsync(TimeSpan.FromSeconds(10), ct), "The stuck request's connection must be aborted.");
        never.SetResult();
    }

    private async Task DownloadAcrossStopAsync(ServerKind server, string path, long size, Func<byte[]> expectedHash, CancellationToken ct)
    {
        var file = Path.Combine(webRoot.RootPath, TestWebRoot.LargeFileName);
        _ = webRoot.LargeFileSha256; // makes the file
        await using var host = await ParityHost.StartAsync(server, new ParitySettings { ShutdownTimeout = TimeSpan.FromSeconds(50) }, app =>
        {
            app.MapGet("/" + TestWebRoot.LargeFileName, () => Results.File(file, "application/octet-stream"));
            app.MapGet("/generated", WriteGeneratedAsync);
        }, ct);
        using var client = CreateClient(host);
        using var response = await client.GetAsync(path, HttpCompletionOption.ResponseHeadersRead, ct);
        await using var body = await response.Content.ReadAsStreamAsync(ct);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[256 * 1024];

        // A slow reader: the server cannot finish before the client has read (socket buffers hold a few MB at most).
        var read = await ReadAsync(body, hash, buffer, 8L * 1024 * 1024, ct);
        var stopping = host.StopAsync(CancellationToken.None);
        read += await ReadAsync(body, hash, buffer, size / 2, ct);
        Assert.False(stopping.IsCompleted, "The stop finished while half of the response was still unread.");
        await AssertRefusedAsync(host.EndPoint, ct);
        read += await ReadAsync(body, hash, buffer, long.MaxValue, ct);
        await stopping.WaitAsync(TimeSpan.FromSeconds(30), ct);

        Assert.Equal(size, read);
        Assert.Equal(Convert.ToHexString(expectedHash()), Convert.ToHexString(hash.GetHashAndReset()));
    }

    /// <summary>Reads up to <paramref name="limit"/> bytes (or to the end), pausing every megabyte like a slow client.</summary>
    private static async Task<long> ReadAsync(Stream body, IncrementalHash hash, byte[] buffer, long limit, CancellationToken cancellationToken)
    {
        long total = 0;
        long sincePause = 0;
        while (total < limit)
        {
            var n = await body.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, limit - total)), cancellationToken);
            if (n == 0)
            {
                break;
            }

            hash.AppendData(buffer, 0, n);
            total += n;
            sincePause += n;
            if (sincePause >= 1024 * 1024)
            {
                sincePause = 0;
                await Task.Delay(2, cancellationToken);
            }
        }

        return total;
    }

    /// <summary>100 MB of deterministic bytes, written in 64 KB pieces with no Content-Length (chunked).</summary>
    private static async Task WriteGeneratedAsync(HttpContext context)
    {
        var piece = new byte[GeneratedPiece];
        for (var offset = 0; offset < GeneratedSize; offset += GeneratedPiece)
        {
            FillPiece(piece, offset);
            await context.Response.Body.WriteAsync(piece, context.RequestAborted);
        }
    }

    private static byte[] GeneratedHash()
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var piece = new byte[GeneratedPiece];
        for (var offset = 0; offset < GeneratedSize; offset += GeneratedPiece)
        {
            FillPiece(piece, offset);
            hash.AppendData(piece);
        }

        return hash.GetHashAndReset();
    }

    private static void FillPiece(byte[] piece, int offset)
    {
        for (var i = 0; i < piece.Length; i += 4)
        {
            BitConverter.TryWriteBytes(piece.AsSpan(i), offset + i);
        }
    }
}
