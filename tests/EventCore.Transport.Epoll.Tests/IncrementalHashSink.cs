using System.Security.Cryptography;

namespace EventCore.Transport.Epoll.Tests;

/// <summary>A SHA-256 over a stream of chunks.</summary>
internal sealed class IncrementalHashSink : IDisposable
{
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

    public void Append(ReadOnlySpan<byte> data) => _hash.AppendData(data);

    public byte[] Finish() => _hash.GetHashAndReset();

    public void Dispose() => _hash.Dispose();
}
