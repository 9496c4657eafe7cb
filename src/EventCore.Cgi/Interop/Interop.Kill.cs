using System.Runtime.InteropServices;

namespace EventCore.Cgi.Interop;

internal static partial class Libc
{
    internal const int SigKill = 9;

    /// <summary>kill(pid, signal); a negative pid signals the whole process group -pid.</summary>
    [LibraryImport(Name, EntryPoint = "kill", SetLastError = true)]
    internal static partial int Kill(int pid, int signal);
}
