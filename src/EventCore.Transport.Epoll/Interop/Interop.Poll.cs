using System.Runtime.InteropServices;

namespace EventCore.Transport.Epoll;

internal static partial class Interop
{
    private const short PollIn = 0x1;

    [StructLayout(LayoutKind.Sequential)]
    private struct PollFd
    {
        public int Fd;
        public short Events;
        public short ReturnedEvents;
    }

    [LibraryImport(Libc, EntryPoint = "poll", SetLastError = true)]
    private static partial int PollRaw(ref PollFd fds, nuint count, int timeout);

    /// <summary>
    /// Whether <paramref name="fd"/> is readable now (poll with a zero timeout). On an epoll fd it tells whether
    /// events are ready without harvesting them, which epoll_wait would (and lose edge-triggered ones).
    /// </summary>
    internal static bool IsReadable(int fd)
    {
        var pollFd = new PollFd { Fd = fd, Events = PollIn };
        return PollRaw(ref pollFd, 1, 0) > 0 && (pollFd.ReturnedEvents & PollIn) != 0;
    }
}
