using System.Runtime.InteropServices;

namespace EventCore.Transport.Epoll;

internal static partial class Interop
{
    /// <summary>The calling thread's kernel id (its directory under /proc/self/task).</summary>
    [LibraryImport(Libc, EntryPoint = "gettid")]
    internal static partial int GetThreadId();
}
