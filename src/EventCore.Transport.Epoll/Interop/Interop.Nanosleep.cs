using System.Runtime.InteropServices;

namespace EventCore.Transport.Epoll;

internal static partial class Interop
{
    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [LibraryImport(Libc, EntryPoint = "nanosleep", SetLastError = true)]
    private static partial int NanosleepRaw(in TimeSpec request, out TimeSpec remaining);

    /// <summary>
    /// Sleeps for <paramref name="duration"/> with sub-millisecond resolution (Thread.Sleep rounds to whole
    /// milliseconds). An interrupted sleep is simply shorter: the caller samples in a loop anyway.
    /// </summary>
    internal static void Sleep(TimeSpan duration)
    {
        long nanoseconds = duration.Ticks * 100;
        var request = new TimeSpec { Seconds = nanoseconds / 1_000_000_000, Nanoseconds = nanoseconds % 1_000_000_000 };
        NanosleepRaw(request, out _);
    }
}
