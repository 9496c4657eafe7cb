using System.Security.Cryptography;

namespace EventCore.Transport.Epoll.Tests;

/// <summary>A temp file of random bytes, deleted on dispose.</summary>
internal sealed class TempFile : IDisposable
{
    private TempFile(string path, long length)
    {
        Path = path;
        Length = length;
    }

    public string Path { get; }

    public long Length { get; }

    public static TempFile Random(long length, out byte[] sha256)
    {
        string path = System.IO.Path.GetTempFileName();
        using var hash = new IncrementalHashSink();
        using (FileStream stream = File.Create(path))
        {
            byte[] chunk = new byte[1024 * 1024];
            for (long left = length; left > 0; left -= chunk.Length)
            {
                RandomNumberGenerator.Fill(chunk);
                int count = (int)Math.Min(left, chunk.Length);
                stream.Write(chunk, 0, count);
                hash.Append(chunk.AsSpan(0, count));
            }
        }
        sha256 = hash.Finish();
        return new TempFile(path, length);
    }

    public void Dispose() => File.Delete(Path);
}
