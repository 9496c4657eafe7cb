namespace EventCore.Cgi.Tests.Support;

/// <summary>The server a test app runs on.</summary>
public enum ServerKind
{
    /// <summary>EventCore on its epoll transport.</summary>
    EventCore,

    /// <summary>Kestrel: shows the middleware is server-agnostic.</summary>
    Kestrel,
}
