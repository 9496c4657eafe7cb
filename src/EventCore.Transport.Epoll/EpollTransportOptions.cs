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

    /// <summary>
    /// Where the application's side of the pipes resumes. Default: <see cref="ApplicationScheduling.Inline"/> — the
    /// application runs on the epoll loop thread, with no thread hop, and the blocked-loop guard
    /// (<see cref="BlockedLoopThreshold"/>) hands a loop whose thread blocks to another thread.
    /// </summary>
    public ApplicationScheduling ApplicationScheduling { get; set; } = ApplicationScheduling.Inline;

    /// <summary>
    /// How long a loop may stay in one call out of its own code (application code run inline, a completion
    /// callback) before the blocked-loop guard hands the loop's other connections to another thread and logs a
    /// warning. Default: 1 ms. The guard samples every half threshold (at least every 100 µs, at most every 100 ms),
    /// so a handoff happens between one and about one and a half thresholds after the call began.
    /// </summary>
    public TimeSpan BlockedLoopThreshold { get; set; } = TimeSpan.FromMilliseconds(1);

    /// <summary>
    /// The most threads that may exist beyond one per loop: threads stuck in blocking calls after their loop was
    /// handed off, and spares waiting for the next blocked loop (a spare exits after 30 s without work). When the
    /// limit is reached a blocked loop is not handed off: its connections wait until a blocking call returns
    /// (logged). Default: 256.
    /// </summary>
    public int MaxBlockedLoopThreads { get; set; } = 256;

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

    /// <summary>
    /// The most bytes a connection's socket holds that have not yet been sent to the peer (TCP_NOTSENT_LOWAT): the socket
    /// reports itself writable only below it, so a client that stops reading holds this much kernel memory, plus what
    /// was in flight, instead of the kernel's whole autotuned send buffer (measured 1.4–2.9 MB per connection on
    /// loopback; up to net.ipv4.tcp_wmem's maximum). A thousand such clients otherwise push the kernel's TCP memory past
    /// net.ipv4.tcp_mem's pressure threshold, where every TCP socket of the machine stalls. Bytes in flight (sent and
    /// not yet acknowledged) do not count, so the congestion window, and a fast client's throughput, are not limited.
    /// Default: 128 KiB. <see langword="null"/> or 0: the kernel's default (net.ipv4.tcp_notsent_lowat, unlimited unless set).
    /// </summary>
    public int? MaxSocketUnsentBytes { get; set; } = 128 * 1024;
}
