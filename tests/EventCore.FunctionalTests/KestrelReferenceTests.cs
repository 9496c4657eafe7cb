using EventCore.FunctionalTests.Infrastructure;

namespace EventCore.FunctionalTests;

/// <summary>
/// The suite on plain Kestrel (Sockets transport): proves the assertions are real HTTP semantics rather
/// than EventCore's habits. EventCore-only cases skip here.
/// </summary>
public sealed class KestrelReferenceTests(KestrelReferenceTests.Hosts hosts, TestWebRoot webRoot)
    : HttpConformanceTests(hosts, webRoot), IClassFixture<KestrelReferenceTests.Hosts>
{
    protected override bool IsEventCore => false;

    protected override string ExpectedServerHeader => "Kestrel";

    /// <summary>The suite's hosts.</summary>
    public sealed class Hosts() : ServerHosts(ServerKind.Kestrel);
}
