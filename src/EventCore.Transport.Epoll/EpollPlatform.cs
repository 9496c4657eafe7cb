using System.Runtime.InteropServices;

namespace EventCore.Transport.Epoll;

/// <summary>
/// Where EventCore runs: Linux on x64. The entry points (<c>UseEventCore()</c>, <c>UseEpollTransport()</c>, the
/// factory's constructor) call <see cref="ThrowIfUnsupported"/> so that any other platform gets one clear
/// <see cref="PlatformNotSupportedException"/> naming what to use instead, at the line the user wrote, instead of a
/// missing-entry-point error from libc at the first bind. x64 only because the interop declares
/// <c>struct epoll_event</c> packed, which is its layout on x86-64 alone (arm64 pads it to 16 bytes).
/// </summary>
internal static class EpollPlatform
{
    // Tests pretend to be elsewhere; per async flow, so tests running in parallel in one process do not see it.
    private static readonly AsyncLocal<PlatformOverride?> s_override = new();

    /// <summary>Whether this process can use the epoll transport.</summary>
    internal static bool IsSupported => Unsupported(out _) is null;

    /// <summary>Throws <see cref="PlatformNotSupportedException"/> unless the process runs on Linux x64.</summary>
    /// <param name="package">The package the user added, e.g. "EventCore.Server".</param>
    /// <param name="call">The call the user wrote, e.g. "UseEventCore()".</param>
    internal static void ThrowIfUnsupported(string package, string call)
    {
        string? reason = Unsupported(out string platform);
        if (reason is not null)
        {
            throw new PlatformNotSupportedException(
                $"{package} runs on Linux x64 only ({reason}); this process runs on {platform}. " +
                "Use Kestrel, ASP.NET Core's default server, with its default Sockets transport here: remove " +
                $"{call}, or call it only when OperatingSystem.IsLinux() && RuntimeInformation.ProcessArchitecture == Architecture.X64.");
        }
    }

    /// <summary>Test hook: makes the checks in the calling async flow see another platform until disposed.</summary>
    internal static IDisposable OverrideForTests(bool isLinux, Architecture architecture)
    {
        s_override.Value = new PlatformOverride(isLinux, architecture);
        return new OverrideScope();
    }

    private static string? Unsupported(out string platform)
    {
        PlatformOverride? pretend = s_override.Value;
        bool isLinux = pretend?.IsLinux ?? OperatingSystem.IsLinux();
        Architecture architecture = pretend?.Architecture ?? RuntimeInformation.ProcessArchitecture;
        platform = pretend is null
            ? $"{RuntimeInformation.OSDescription} {architecture}"
            : $"{(isLinux ? "Linux" : "another OS")} {architecture}";
        if (!isLinux)
        {
            return "it is built on epoll(7), a Linux system call";
        }
        return architecture == Architecture.X64
            ? null
            : "its epoll interop is written for the x86-64 layout of struct epoll_event";
    }

    private sealed record PlatformOverride(bool IsLinux, Architecture Architecture);

    private sealed class OverrideScope : IDisposable
    {
        public void Dispose() => s_override.Value = null;
    }
}
