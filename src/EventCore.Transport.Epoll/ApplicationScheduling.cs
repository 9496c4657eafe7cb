namespace EventCore.Transport.Epoll;

/// <summary>Where the application's side of a connection's pipes resumes.</summary>
public enum ApplicationScheduling
{
    /// <summary>
    /// Application continuations run inline on the epoll loop thread (like Kestrel's
    /// <c>UnsafePreferInlineScheduling</c>): no thread hop per read, but an application that blocks stalls every
    /// connection on that loop.
    /// </summary>
    Inline,

    /// <summary>Application continuations are queued to the .NET thread pool (safe for any application).</summary>
    ThreadPool,
}
