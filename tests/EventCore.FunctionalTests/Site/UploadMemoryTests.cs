using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;

namespace EventCore.FunctionalTests.Site;

/// <summary>
/// A large upload streams to disk: 200 MB through <c>POST /api/files</c> must not grow the server process's
/// peak resident memory (VmHWM of the sample run as a child process) by more than 20 MB.
/// </summary>
public abstract class UploadMemoryTests(string server) : IDisposable
{
    private const long UploadSize = 200L * 1024 * 1024;
    private const long AllowedGrowth = 20L * 1024 * 1024;

    private readonly string _uploads = Path.Combine(Path.GetTempPath(), "eventcore-upload-memory-" + Guid.NewGuid().ToString("N"));

    [Fact(Timeout = 240_000)]
    public async Task A200MegabyteUploadStreamsToDiskWithFlatMemory()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = await SampleProcess.StartAsync(server, new Dictionary<string, string>
        {
            ["Uploads:Path"] = _uploads,
            ["Uploads:MaxBytes"] = (UploadSize + (1 << 20)).ToString(CultureInfo.InvariantCulture),
        }, ct);
        using var client = SiteClient.Create(app.EndPoint);
        client.Timeout = TimeSpan.FromMinutes(3);
        using (var login = await SiteClient.LogInAsync(client, ct))
        {
            Assert.Equal(HttpStatusCode.Found, login.StatusCode); // uploading needs a signed-in user
        }

        // Warm up the whole path (JIT, pools, file I/O) with uploads of the same shape, so the peak after it is the baseline.
        for (var i = 0; i < 3; i++)
        {
            using var warmUp = await client.PostAsync("/api/files", new GeneratedFileContent($"warm-{i}.bin", 16L * 1024 * 1024), ct);
            Assert.Equal(HttpStatusCode.Created, warmUp.StatusCode);
        }

        var baseline = app.PeakResidentBytes;
        var content = new GeneratedFileContent("large.bin", UploadSize);
        using var upload = await client.PostAsync("/api/files", content, ct);
        var peak = app.PeakResidentBytes;

        TestContext.Current.TestOutputHelper?.WriteLine($"{server}: peak RSS {baseline / (1024 * 1024)} MB before, {peak / (1024 * 1024)} MB after the 200 MB upload.");
        Assert.Equal(HttpStatusCode.Created, upload.StatusCode);
        Assert.True(peak - baseline < AllowedGrowth, $"Peak RSS grew by {(peak - baseline) / (1024 * 1024)} MB during a 200 MB upload (baseline {baseline / (1024 * 1024)} MB).");
        var stored = Path.Combine(_uploads, "large.bin");
        Assert.Equal(UploadSize, new FileInfo(stored).Length);
        await using var file = File.OpenRead(stored);
        Assert.Equal(content.Sha256, Convert.ToHexString(await SHA256.HashDataAsync(file, ct)));
        _ = await client.GetFromJsonAsync<object>("/api/files", ct);
    }

    public void Dispose()
    {
        GC.SuppressFinalize(this);
        SiteClient.DeleteDirectory(_uploads);
    }

    /// <summary>A multipart body with one file of <c>size</c> pseudo-random bytes, generated while sending (never held whole).</summary>
    private sealed class GeneratedFileContent : HttpContent
    {
        private const string Boundary = "----eventcore-large";
        private readonly byte[] _head;
        private readonly byte[] _tail;
        private readonly long _size;

        public GeneratedFileContent(string fileName, long size)
        {
            _size = size;
            _head = System.Text.Encoding.ASCII.GetBytes(
                $"--{Boundary}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"{fileName}\"\r\nContent-Type: application/octet-stream\r\n\r\n");
            _tail = System.Text.Encoding.ASCII.GetBytes($"\r\n--{Boundary}--\r\n");
            Headers.ContentType = MediaTypeHeaderValue.Parse($"multipart/form-data; boundary={Boundary}");
        }

        public string Sha256 { get; private set; } = string.Empty;

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
            await SerializeToStreamAsync(stream, context, CancellationToken.None);

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
        {
            var random = new Random(42);
            var block = new byte[256 * 1024];
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            await stream.WriteAsync(_head, cancellationToken);
            for (long sent = 0; sent < _size; sent += block.Length)
            {
                var count = (int)Math.Min(block.Length, _size - sent);
                random.NextBytes(block.AsSpan(0, count));
                hash.AppendData(block, 0, count);
                await stream.WriteAsync(block.AsMemory(0, count), cancellationToken);
            }

            await stream.WriteAsync(_tail, cancellationToken);
            Sha256 = Convert.ToHexString(hash.GetHashAndReset());
        }

        protected override bool TryComputeLength(out long length)
        {
            length = _head.Length + _size + _tail.Length;
            return true;
        }
    }
}

/// <summary>On EventCore.</summary>
public sealed class EventCoreUploadMemoryTests() : UploadMemoryTests("eventcore");

/// <summary>On Kestrel: the reference.</summary>
public sealed class KestrelUploadMemoryTests() : UploadMemoryTests("kestrel");
