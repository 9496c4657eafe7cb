using System.Runtime.InteropServices;

namespace EventCore.Transport.Epoll;

/// <summary>Source-generated bindings to the Linux C library. One file per function; pointers stay in this folder.</summary>
internal static partial class Interop
{
    /// <summary>The C library; .NET maps "libc" to the process's glibc on Linux.</summary>
    internal const string Libc = "libc";

    /// <summary>errno of the last P/Invoke made on this thread with SetLastError = true.</summary>
    internal static Errno LastErrno => (Errno)Marshal.GetLastPInvokeError();

    /// <summary>
    /// The one EINTR helper: true when a call failed with EINTR and must simply be repeated
    /// (signals such as the runtime's thread suspension interrupt blocking calls).
    /// </summary>
    internal static bool Interrupted(long result) => result < 0 && LastErrno == Errno.EINTR;
}
