using System.Text;

namespace EventCore.FunctionalTests.Parity;

/// <summary>Settings both servers have under the same names, applied to whichever the host runs.</summary>
public sealed record ParitySettings
{
    /// <summary>EventCoreServerLimits / KestrelServerLimits.MaxConcurrentConnections.</summary>
    public long? MaxConcurrentConnections { get; init; }

    /// <summary>EventCoreServerLimits / KestrelServerLimits.MaxConcurrentUpgradedConnections.</summary>
    public long? MaxConcurrentUpgradedConnections { get; init; }

    /// <summary>EventCoreServerOptions / KestrelServerOptions.ResponseHeaderEncodingSelector.</summary>
    public Func<string, Encoding?>? ResponseHeaderEncodingSelector { get; init; }

    /// <summary>EventCoreServerOptions / KestrelServerOptions.RequestHeaderEncodingSelector.</summary>
    public Func<string, Encoding?>? RequestHeaderEncodingSelector { get; init; }

    /// <summary>The host's HostOptions.ShutdownTimeout: the graceful-stop budget of either server.</summary>
    public TimeSpan? ShutdownTimeout { get; init; }
}
