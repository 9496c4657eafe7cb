using System.Net.Sockets;
using EventCore.Cgi.Interop;

namespace EventCore.Cgi.Processes;

/// <summary>
/// One spawned script: its pid (also its session and process-group id), the parent's ends of its three pipes, and its
/// exit. The pipe ends are wrapped in <see cref="Socket"/>s: .NET's socket engine drives any pollable fd with epoll
/// (reads and writes of non-socket fds use read/write), so every pipe operation here is truly asynchronous, with no
/// thread blocked per pipe as the stream APIs of anonymous pipes would (they run a blocking read on the thread pool).
/// Lifetime rule: the owner calls <see cref="KillGroup"/> (any time), awaits <see cref="Exited"/>, then calls
/// <see cref="Reap"/> exactly once, then <see cref="Dispose"/>.
/// </summary>
internal sealed class ChildProcess : IDisposable
{
    private int _reaped;

    private ChildProcess(int pid, Socket stdin, Socket stdout, Socket stderr)
    {
        Pid = pid;
        StandardInput = stdin;
        StandardOutput = stdout;
        StandardError = stderr;
        Exited = ChildReaper.Track(pid);
    }

    public int Pid { get; }

    /// <summary>Writes go to the script's stdin; dispose it to send EOF.</summary>
    public Socket StandardInput { get; }

    public Socket StandardOutput { get; }

    public Socket StandardError { get; }

    /// <summary>Completes when the script's own process has exited (it stays a zombie until <see cref="Reap"/>).</summary>
    public Task<ChildExit> Exited { get; }

    /// <summary>
    /// Spawns <paramref name="program"/> with <paramref name="arguments"/> (argv, including argv[0]) in its own session,
    /// in <paramref name="workingDirectory"/>, with exactly <paramref name="environment"/> ("NAME=value" strings).
    /// Synchronous (a clone and an exec): call it off the server's loops.
    /// </summary>
    public static Errno TryStart(string program, IReadOnlyList<string> arguments, IReadOnlyList<string> environment, string workingDirectory, out ChildProcess? child)
    {
        child = null;
        var fds = new int[6];
        Array.Fill(fds, -1);
        try
        {
            // [0] stdin read (child), [1] stdin write (us), [2] stdout read (us), [3] stdout write (child), [4]/[5] stderr.
            for (var i = 0; i < 6; i += 2)
            {
                var error = Libc.Pipe(out fds[i], out fds[i + 1]);
                if (error != Errno.None)
                {
                    return error;
                }

                if (!MoveAbove2(ref fds[i]) || !MoveAbove2(ref fds[i + 1]))
                {
                    return Libc.LastErrno;
                }
            }

            var spawned = Libc.Spawn(program, arguments, environment, workingDirectory, fds[0], fds[3], fds[5], out var pid);
            CloseAndForget(ref fds[0]);
            CloseAndForget(ref fds[3]);
            CloseAndForget(ref fds[5]);
            if (spawned != Errno.None)
            {
                return spawned;
            }

            child = Adopt(pid, ref fds[1], ref fds[2], ref fds[4]);
            return Errno.None;
        }
        finally
        {
            for (var i = 0; i < fds.Length; i++)
            {
                CloseAndForget(ref fds[i]);
            }
        }
    }

    /// <summary>
    /// SIGKILL to the whole process group: the script and every process it started that did not leave the group.
    /// Safe at any time before <see cref="Reap"/>: until then the leader's pid, which is the group id, stays ours.
    /// </summary>
    public void KillGroup()
    {
        if (Volatile.Read(ref _reaped) == 0 && Libc.Kill(-Pid, Libc.SigKill) != 0 && Libc.LastErrno == Errno.ESRCH)
        {
            // No process left in the group, or the leader's session set-up never ran: the leader alone, if alive.
            Libc.Kill(Pid, Libc.SigKill);
        }
    }

    /// <summary>Releases the exited script's zombie. Call once, after <see cref="Exited"/> completed.</summary>
    public void Reap()
    {
        if (Interlocked.Exchange(ref _reaped, 1) == 0)
        {
            Libc.Reap(Pid);
        }
    }

    public void Dispose()
    {
        StandardInput.Dispose();
        StandardOutput.Dispose();
        StandardError.Dispose();
    }

    // A host started with 0, 1 or 2 closed could get them from pipe2; posix_spawn's dup2 onto 0-2 must not clobber a
    // source that is still to be copied, so every end is moved to 3 or above first.
    private static bool MoveAbove2(ref int fd)
    {
        if (fd > 2)
        {
            return true;
        }

        var moved = Libc.DuplicateAtLeast(fd, 3);
        Libc.Close(fd);
        fd = moved;
        return moved >= 0;
    }

    private static ChildProcess Adopt(int pid, ref int stdin, ref int stdout, ref int stderr)
    {
        Socket? input = null;
        Socket? output = null;
        try
        {
            input = Wrap(ref stdin);
            output = Wrap(ref stdout);
            return new ChildProcess(pid, input, output, Wrap(ref stderr));
        }
        catch
        {
            // Not expected (the socket engine refused a pipe fd): the child must still be killed and reaped.
            input?.Dispose();
            output?.Dispose();
            Libc.Kill(-pid, Libc.SigKill);
            _ = ChildReaper.Track(pid).ContinueWith(_ => Libc.Reap(pid), TaskScheduler.Default);
            throw;
        }
    }

    private static Socket Wrap(ref int fd)
    {
        var socket = new Socket(new SafeSocketHandle(fd, ownsHandle: true));
        fd = -1;
        return socket;
    }

    private static void CloseAndForget(ref int fd)
    {
        if (fd >= 0)
        {
            Libc.Close(fd);
            fd = -1;
        }
    }
}
