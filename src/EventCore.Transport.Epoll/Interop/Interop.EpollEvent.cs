using System.Runtime.InteropServices;

namespace EventCore.Transport.Epoll;

/// <summary>epoll event bits (EPOLLIN, EPOLLOUT, ... EPOLLET).</summary>
[Flags]
internal enum EpollEvents : uint
{
    None = 0,
    In = 0x1,
    Out = 0x4,
    Err = 0x8,
    Hup = 0x10,
    RdHup = 0x2000,
    Exclusive = 1u << 28,
    OneShot = 1u << 30,
    EdgeTriggered = 1u << 31,
}

/// <summary>
/// struct epoll_event. The kernel declares it packed on x86-64 (12 bytes: u32 events, u64 data);
/// Pack = 1 reproduces that layout, a test asserts the size.
/// </summary>
[StructLayout(LayoutKind.Sequential, Pack = 1)]
internal struct EpollEvent
{
    public EpollEvents Events;
    public ulong Data;
}
