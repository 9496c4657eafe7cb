namespace EventCore.Cgi.Interop;

/// <summary>The Linux (x86-64, arm64) errno values the CGI code reacts to.</summary>
internal enum Errno
{
    None = 0,
    EPERM = 1,
    ENOENT = 2,
    ESRCH = 3,
    EINTR = 4,
    ENOEXEC = 8,
    ECHILD = 10,
    EAGAIN = 11,
    ENOMEM = 12,
    EACCES = 13,
    ENOTDIR = 20,
    EISDIR = 21,
    EINVAL = 22,
    ENFILE = 23,
    EMFILE = 24,
    ETXTBSY = 26,
    ENAMETOOLONG = 36,
    ELOOP = 40,
}
