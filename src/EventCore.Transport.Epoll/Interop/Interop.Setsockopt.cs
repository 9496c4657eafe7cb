using System.Runtime.InteropServices;

namespace EventCore.Transport.Epoll;

internal static partial class Interop
{
    internal const int SolSocket = 1;
    internal const int SoReuseAddr = 2;
    internal const int SoLinger = 13;
    internal const int SoReusePort = 15;
    internal const int IpProtoTcp = 6;
    internal const int TcpNoDelay = 1;
    internal const int TcpNotSentLowat = 25;
    internal const int IpProtoIpv6 = 41;
    internal const int Ipv6V6Only = 26;

    [StructLayout(LayoutKind.Sequential)]
    private struct Linger
    {
        public int OnOff;
        public int Seconds;
    }

    [LibraryImport(Libc, EntryPoint = "setsockopt", SetLastError = true)]
    private static unsafe partial int SetsockoptRaw(int fd, int level, int name, void* value, uint length);

    /// <summary>setsockopt with an int value.</summary>
    internal static unsafe int SetIntOption(int fd, int level, int name, int value)
        => SetsockoptRaw(fd, level, name, &value, sizeof(int));

    [LibraryImport(Libc, EntryPoint = "getsockopt", SetLastError = true)]
    private static unsafe partial int GetsockoptRaw(int fd, int level, int name, void* value, uint* length);

    /// <summary>getsockopt with an int value; -1 on failure.</summary>
    internal static unsafe int GetIntOption(int fd, int level, int name)
    {
        int value;
        uint length = sizeof(int);
        return GetsockoptRaw(fd, level, name, &value, &length) == 0 ? value : -1;
    }

    /// <summary>SO_LINGER {1, 0}: the next close sends RST instead of FIN.</summary>
    internal static unsafe int SetLingerZero(int fd)
    {
        var linger = new Linger { OnOff = 1, Seconds = 0 };
        return SetsockoptRaw(fd, SolSocket, SoLinger, &linger, (uint)sizeof(Linger));
    }
}
