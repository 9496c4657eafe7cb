using System.Net;
using System.Runtime.CompilerServices;

namespace EventCore.Transport.Epoll.Tests;

public class InteropTests
{
    [Fact]
    public void EpollEvent_is_packed_to_12_bytes() => Assert.Equal(12, Unsafe.SizeOf<EpollEvent>());

    [Fact]
    public void Sigpipe_is_ignored_by_the_runtime()
    {
        // writev has no MSG_NOSIGNAL: a write to a reset peer must not kill the process.
        string line = File.ReadAllLines("/proc/self/status").Single(l => l.StartsWith("SigIgn:", StringComparison.Ordinal));
        ulong ignored = Convert.ToUInt64(line["SigIgn:".Length..].Trim(), 16);
        const int Sigpipe = 13;
        Assert.NotEqual(0UL, ignored & (1UL << (Sigpipe - 1)));
    }

    [Theory]
    [InlineData("127.0.0.1", 8080)]
    [InlineData("0.0.0.0", 1)]
    [InlineData("::1", 65535)]
    [InlineData("fe80::1%3", 443)]
    public void Socket_address_round_trips(string address, int port)
    {
        var endPoint = new IPEndPoint(IPAddress.Parse(address), port);
        Span<byte> buffer = stackalloc byte[SocketAddressCodec.MaxLength];
        int length = SocketAddressCodec.Write(endPoint, buffer);
        Assert.Equal(endPoint, SocketAddressCodec.Read(buffer[..length]));
    }

    [Fact]
    public void Errno_of_a_failed_call_is_typed()
    {
        Assert.Equal(-1, Interop.Close(-1));
        Assert.Equal(Errno.EBADF, Interop.LastErrno);
    }
}
