using System.Runtime.InteropServices;

namespace EventCore.Transport.Epoll;

internal static partial class Interop
{
    [LibraryImport(Libc, EntryPoint = "epoll_wait", SetLastError = true)]
    private static unsafe partial int EpollWaitRaw(int epfd, EpollEvent* events, int maxEvents, int timeout);

    /// <summary>epoll_wait into <paramref name="events"/>, EINTR retried; returns the number of events or -1.</summary>
    internal static unsafe int EpollWait(int epfd, Span<EpollEvent> events, int timeoutMilliseconds)
    {
        fixed (EpollEvent* p = events)
        {
            int result;
            do
            {
                result = EpollWaitRaw(epfd, p, events.Length, timeoutMilliseconds);
            }
            while (Interrupted(result));
            return result;
        }
    }
}
