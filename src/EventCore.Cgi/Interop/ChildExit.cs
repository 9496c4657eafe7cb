namespace EventCore.Cgi.Interop;

/// <summary>How a child ended: its exit code (-1 when killed) or the signal that killed it (0 when it exited).</summary>
internal readonly record struct ChildExit(int Code, int Signal)
{
    /// <summary>The child was reaped by someone else (SIGCHLD ignored by the host): how it ended is unknown.</summary>
    public static ChildExit Unknown => new(-1, -1);

    public override string ToString() => Signal switch
    {
        0 => $"exit code {Code}",
        -1 => "unknown exit status",
        _ => $"signal {Signal}",
    };
}
