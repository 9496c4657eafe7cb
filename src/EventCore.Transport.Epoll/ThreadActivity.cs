using System.Globalization;
using System.Text;

namespace EventCore.Transport.Epoll;

/// <summary>
/// What the kernel says a thread is doing: its scheduler state and the CPU time it has used. The guard asks only
/// about a thread that has already stayed in one callout past the threshold, to tell a blocked or CPU-bound thread
/// (worth a handoff) from one the OS merely preempted (not: a new thread would wait for the same busy CPUs).
/// </summary>
internal readonly record struct ThreadActivity(char State, long CpuNanoseconds)
{
    /// <summary>Sleeping or in uninterruptible I/O: blocked in a system call.</summary>
    public bool IsBlocked => State is 'S' or 'D';

    /// <summary>Reads /proc/self/task/TID (stat and schedstat); null when the thread is gone or /proc is unreadable.</summary>
    public static ThreadActivity? Read(int threadId)
    {
        try
        {
            string task = $"/proc/self/task/{threadId.ToString(CultureInfo.InvariantCulture)}/";
            // stat: "tid (comm) S ...": the state follows the last ')' (comm may contain anything).
            string stat = File.ReadAllText(task + "stat", Encoding.ASCII);
            int close = stat.LastIndexOf(')');
            char state = close >= 0 && close + 2 < stat.Length ? stat[close + 2] : '?';
            // schedstat: "ns-on-cpu ns-waiting-on-runqueue timeslices".
            string schedstat = File.ReadAllText(task + "schedstat", Encoding.ASCII);
            int space = schedstat.IndexOf(' ', StringComparison.Ordinal);
            long cpu = long.Parse(space > 0 ? schedstat.AsSpan(0, space) : schedstat.AsSpan().Trim(), CultureInfo.InvariantCulture);
            return new ThreadActivity(state, cpu);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or OverflowException)
        {
            return null;
        }
    }
}
