using System.Runtime.InteropServices;

namespace EventCore.Cgi.Interop;

internal static partial class Libc
{
    private const int PriorityOfProcess = 0; // PRIO_PROCESS

    /// <summary>setpriority(PRIO_PROCESS, pid, nice): the scheduling nice value of one process.</summary>
    [LibraryImport(Name, EntryPoint = "setpriority", SetLastError = true)]
    private static partial int SetPriorityRaw(int which, int who, int nice);

    internal static int SetNice(int pid, int nice) => SetPriorityRaw(PriorityOfProcess, pid, nice);
}
