namespace EventCore.FunctionalTests.Infrastructure;

/// <summary>The server (and transport) a suite runs the app on.</summary>
public enum ServerKind
{
    /// <summary>EventCore on the epoll transport (named explicitly; its being the default is checked on its own).</summary>
    EventCoreEpoll,

    /// <summary>EventCore on Kestrel's Sockets transport (EventCoreServerOptions.TransportFactory).</summary>
    EventCoreSockets,

    /// <summary>Plain Kestrel with its Sockets transport: the reference the tests are validated against.</summary>
    Kestrel,
}
