namespace EventCore.Transport.Epoll;

/// <summary>
/// Options of the epoll transport. Bound from the configuration section <c>EventCore:Transport</c> by
/// <see cref="EpollWebHostBuilderExtensions.UseEpollTransport"/>.
/// </summary>
public sealed class EpollTransportOptions
{
    /// <summary>Number of epoll loop threads (each with its own SO_REUSEPORT listening socket). Default: the processor count.</summary>
    public int LoopCount { get; set; } = Environment.ProcessorCount;

    /// <summary>The listen(2) backlog of each listening socket. Default: 512.</summary>
    public int Backlog { get; set; } = 512;

    /// <summary>
    /// Bytes received but not yet consumed by the application above which the transport stops reading from
    /// the socket (the input pipe's pause threshold). Default: 1 MiB. <see langword="null"/> or 0: unlimited.
    /// </summary>
    public long? MaxReadBufferSize { get; set; } = 1024 * 1024;

    /// <summary>
    /// Bytes written by the application but not yet sent above which the application's
    /// <c>FlushAsync</c> waits (the output pipe's pause threshold). Default: 64 KiB. <see langword="null"/> or 0: unlimited.
    /// </summary>
    public long? MaxWriteBufferSize { get; set; } = 64 * 1024;

    /// <summary>Pins loop <c>i</c> to CPU <c>i</c> (modulo the processor count) with sched_setaffinity. Default: false.</summary>
    public bool PinThreads { get; set; }

    /// <summary>Where the application's side of the pipes resumes. Default: <see cref="ApplicationScheduling.ThreadPool"/>.</summary>
    public ApplicationScheduling ApplicationScheduling { get; set; } = ApplicationScheduling.ThreadPool;

    /// <summary>
    /// How connection sockets are armed in epoll. Default: <see cref="ArmingMode.Persistent"/>, which measured one
    /// syscall per request fewer than <see cref="ArmingMode.OneShot"/> (no EPOLL_CTL_MOD re-arm) with no more wake-ups.
    /// </summary>
    public ArmingMode ArmingMode { get; set; } = ArmingMode.Persistent;

    /// <summary>
    /// File descriptors kept free for the runtime and the application (threads, files, outgoing sockets): the
    /// listeners stop accepting while fewer are free and resume when half as many again are back, so a flood of
    /// connections is refused by the kernel's backlog instead of starving the process of descriptors.
    /// Default <see langword="null"/>: a tenth of the soft RLIMIT_NOFILE, between 32 and 1024. 0 turns the reserve off
    /// (accepting then pauses only on EMFILE).
    /// </summary>
    public int? DescriptorReserve { get; set; }
}
