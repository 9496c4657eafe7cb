using System.Runtime.InteropServices;

namespace EventCore.Transport.Epoll;

internal static partial class Interop
{
    [LibraryImport(Libc, EntryPoint = "recv", SetLastError = true)]
    private static unsafe partial nint RecvRaw(int fd, byte* buffer, nuint length, int flags);

    /// <summary>recv into <paramref name="buffer"/>, EINTR retried; returns bytes read, 0 at FIN, or -1.</summary>
    internal static unsafe long Recv(int fd, Span<byte> buffer)
    {
        fixed (byte* p = buffer)
        {
            long result;
            do
            {
                result = RecvRaw(fd, p, (nuint)buffer.Length, 0);
            }
            while (Interrupted(result));
            return result;
        }
    }
}
