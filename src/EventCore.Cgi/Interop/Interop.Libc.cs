using System.Runtime.InteropServices;

namespace EventCore.Cgi.Interop;

/// <summary>Source-generated bindings to the Linux C library (glibc ≥ 2.34). Pointers stay in this folder.</summary>
internal static partial class Libc
{
    /// <summary>The C library; .NET maps "libc" to the process's glibc on Linux.</summary>
    internal const string Name = "libc";

    /// <summary>errno of the last P/Invoke made on this thread with SetLastError = true.</summary>
    internal static Errno LastErrno => (Errno)Marshal.GetLastPInvokeError();

    /// <summary>The one EINTR helper: true when a call failed with EINTR and must simply be repeated.</summary>
    internal static bool Interrupted(int result) => result < 0 && LastErrno == Errno.EINTR;
}
