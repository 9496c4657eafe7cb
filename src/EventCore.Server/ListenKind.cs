namespace EventCore.Server;

/// <summary>How a <see cref="ListenOptions"/> endpoint binds.</summary>
internal enum ListenKind
{
    /// <summary>Exactly its endpoint (an IP address and port, or a Unix socket).</summary>
    EndPoint,

    /// <summary>127.0.0.1 and, if the host has IPv6, [::1], on its port (Kestrel's ListenLocalhost).</summary>
    Localhost,

    /// <summary>[::] dual-stack, or 0.0.0.0 without IPv6, on its port (Kestrel's ListenAnyIP).</summary>
    AnyIP,
}
