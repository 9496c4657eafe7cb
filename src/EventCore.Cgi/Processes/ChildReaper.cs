using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using EventCore.Cgi.Interop;

namespace EventCore.Cgi.Processes;

/// <summary>
/// Notices when the children spawned by <see cref="ChildProcess"/> exit. .NET's own SIGCHLD handling waits only for
/// the children of <see cref="System.Diagnostics.Process"/>, so ours are watched here: on every SIGCHLD (delivered by
/// the runtime on a thread-pool thread, never on a server loop) each tracked pid is checked with
/// waitid(WNOHANG | WNOWAIT). A child that has exited is reported but not reaped: it stays a zombie until its owner
/// has signalled the rest of its process group and calls <see cref="ChildProcess.Reap"/>, so the group id cannot be
/// reused by a stranger in between. A one-second timer checks too, in case a SIGCHLD is ever lost (a library that
/// replaces the runtime's handler). Thread-safe.
/// </summary>
internal static class ChildReaper
{
    private static readonly ConcurrentDictionary<int, TaskCompletionSource<ChildExit>> s_tracked = new();
    private static readonly Lock s_startLock = new();
    private static PosixSignalRegistration? s_registration;
    private static Timer? s_timer;

    /// <summary>Number of children spawned and not yet seen to exit.</summary>
    public static int TrackedCount => s_tracked.Count;

    /// <summary>Starts watching <paramref name="pid"/>; the task completes when the child has exited (it is not reaped).</summary>
    public static Task<ChildExit> Track(int pid)
    {
        EnsureStarted();
        var exited = new TaskCompletionSource<ChildExit>(TaskCreationOptions.RunContinuationsAsynchronously);
        s_tracked[pid] = exited;

        // The child may have exited before it was tracked, and its SIGCHLD found nothing to check.
        Check(pid, exited);
        return exited.Task;
    }

    private static void EnsureStarted()
    {
        if (s_registration is not null)
        {
            return;
        }

        lock (s_startLock)
        {
            if (s_registration is not null)
            {
                return;
            }

            if (!OperatingSystem.IsLinux())
            {
                throw new PlatformNotSupportedException("EventCore.Cgi runs on Linux only.");
            }

            s_timer = new Timer(static _ => CheckAll(), null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
            s_registration = PosixSignalRegistration.Create(PosixSignal.SIGCHLD, static _ => CheckAll());
        }
    }

    private static void CheckAll()
    {
        foreach (var (pid, exited) in s_tracked)
        {
            Check(pid, exited);
        }
    }

    private static void Check(int pid, TaskCompletionSource<ChildExit> exited)
    {
        var error = Libc.PeekExit(pid, out var hasExited, out var exit);
        if (error == Errno.ECHILD)
        {
            // Someone else reaped it (the host ignores SIGCHLD, or reaps every child): it is gone all the same.
            hasExited = true;
            exit = ChildExit.Unknown;
        }

        if (hasExited && s_tracked.TryRemove(new KeyValuePair<int, TaskCompletionSource<ChildExit>>(pid, exited)))
        {
            exited.TrySetResult(exit);
        }
    }
}
