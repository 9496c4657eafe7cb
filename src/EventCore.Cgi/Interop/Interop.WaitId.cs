using System.Runtime.InteropServices;

namespace EventCore.Cgi.Interop;

internal static partial class Libc
{
    private const int PPid = 1;
    private const int WNoHang = 1;
    private const int WExited = 4;
    private const int WNoWait = 0x01000000;

    // siginfo_t is 128 bytes; for SIGCHLD si_code is at 8, si_pid at 16 and si_status at 24 (x86-64 and arm64).
    private const int SigInfoSize = 128;
    private const int CldExited = 1;

    [LibraryImport(Name, EntryPoint = "waitid", SetLastError = true)]
    private static unsafe partial int WaitIdRaw(int idType, int id, byte* info, int options);

    /// <summary>
    /// waitid(P_PID, pid, WEXITED | WNOHANG | WNOWAIT): whether the child has exited, without reaping it. The
    /// child stays a zombie, so its pid (and the process-group id equal to it) cannot be reused until
    /// <see cref="Reap"/>; signalling the group in between can never hit a stranger.
    /// </summary>
    internal static unsafe Errno PeekExit(int pid, out bool exited, out ChildExit exit)
    {
        byte* info = stackalloc byte[SigInfoSize];
        new Span<byte>(info, SigInfoSize).Clear();
        int result;
        do
        {
            result = WaitIdRaw(PPid, pid, info, WExited | WNoHang | WNoWait);
        }
        while (Interrupted(result));

        exited = false;
        exit = default;
        if (result != 0)
        {
            return LastErrno;
        }

        if (*(int*)(info + 16) == pid)
        {
            exited = true;
            var code = *(int*)(info + 8);
            var status = *(int*)(info + 24);
            exit = code == CldExited ? new ChildExit(status, 0) : new ChildExit(-1, status);
        }

        return Errno.None;
    }

    [LibraryImport(Name, EntryPoint = "waitpid", SetLastError = true)]
    private static unsafe partial int WaitPidRaw(int pid, int* status, int options);

    /// <summary>waitpid(pid, WNOHANG): releases an exited child (a zombie). Returns pid, 0 if still running, or -1.</summary>
    internal static unsafe int Reap(int pid)
    {
        int status;
        int result;
        do
        {
            result = WaitPidRaw(pid, &status, WNoHang);
        }
        while (Interrupted(result));
        return result;
    }
}
