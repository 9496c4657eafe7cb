using System.Buffers.Text;

namespace EventCore.Transport.Epoll;

/// <summary>
/// What the kernel says a thread is doing: its scheduler state and the CPU time it has used. The guard asks only
/// about a thread that has already stayed in one callout past the threshold, to tell a blocked or CPU-bound thread
/// (worth a handoff) from one the OS merely preempted (not: a new thread would wait for the same busy CPUs).
/// </summary>
internal readonly record struct ThreadActivity(char State, long CpuNanoseconds)
{
    private const int PathCapacity = 64;

    /// <summary>Sleeping or in uninterruptible I/O: blocked in a system call.</summary>
    public bool IsBlocked => State is 'S' or 'D';

    /// <summary>
    /// Reads /proc/self/task/TID (stat and schedstat) without allocating (a loaded machine makes the guard ask often);
    /// null when the thread is gone or /proc is unreadable.
    /// </summary>
    public static ThreadActivity? Read(int threadId)
    {
        Span<byte> path = stackalloc byte[PathCapacity];
        Span<byte> content = stackalloc byte[1024];

        // stat: "tid (comm) S ...": the state follows the last ')' (comm may contain anything).
        int read = Interop.ReadSmallFile(TaskPath(threadId, "stat"u8, path), content);
        int close = read > 0 ? content[..read].LastIndexOf((byte)')') : -1;
        if (close < 0 || close + 2 >= read)
        {
            return null;
        }
        char state = (char)content[close + 2];

        // schedstat: "ns-on-cpu ns-waiting-on-runqueue timeslices".
        read = Interop.ReadSmallFile(TaskPath(threadId, "schedstat"u8, path), content);
        if (read <= 0 || !Utf8Parser.TryParse(content[..read], out long cpu, out _))
        {
            return null;
        }
        return new ThreadActivity(state, cpu);
    }

    /// <summary>"/proc/self/task/TID/NAME" NUL-terminated, in <paramref name="buffer"/>.</summary>
    private static ReadOnlySpan<byte> TaskPath(int threadId, ReadOnlySpan<byte> name, Span<byte> buffer)
    {
        ReadOnlySpan<byte> prefix = "/proc/self/task/"u8;
        prefix.CopyTo(buffer);
        int length = prefix.Length;
        Utf8Formatter.TryFormat(threadId, buffer[length..], out int written);
        length += written;
        buffer[length++] = (byte)'/';
        name.CopyTo(buffer[length..]);
        length += name.Length;
        buffer[length++] = 0;
        return buffer[..length];
    }
}
