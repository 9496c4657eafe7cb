using System.Runtime.InteropServices;

namespace EventCore.Transport.Epoll;

internal static partial class Interop
{
    [LibraryImport(Libc, EntryPoint = "sendfile", SetLastError = true)]
    private static partial nint SendfileRaw(int outFd, int inFd, ref long offset, nuint count);

    /// <summary>sendfile (64-bit off_t on 64-bit glibc), EINTR retried; advances <paramref name="offset"/>.</summary>
    internal static long Sendfile(int socketFd, int fileFd, ref long offset, long count)
    {
        long result;
        do
        {
            result = SendfileRaw(socketFd, fileFd, ref offset, (nuint)count);
        }
        while (Interrupted(result));
        return result;
    }
}
