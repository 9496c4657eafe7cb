using EventCore.FunctionalTests.Infrastructure;

namespace EventCore.FunctionalTests;

/// <summary>The suite on EventCore over Kestrel's Sockets transport (EventCoreServerOptions.TransportFactory).</summary>
public sealed class EventCoreSocketsTests(EventCoreSocketsTests.Hosts hosts, TestWebRoot webRoot)
    : HttpConformanceTests(hosts, webRoot), IClassFixture<EventCoreSocketsTests.Hosts>
{
    /// <summary>The suite's hosts.</summary>
    public sealed class Hosts() : ServerHosts(ServerKind.EventCoreSockets);
}
