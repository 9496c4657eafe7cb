namespace EventCore.Transport.Epoll.Tests;

public sealed class OneShotThreadPoolTransportTests() : TransportTests(Variant(ArmingMode.OneShot, ApplicationScheduling.ThreadPool));

public sealed class OneShotInlineTransportTests() : TransportTests(Variant(ArmingMode.OneShot, ApplicationScheduling.Inline));

public sealed class PersistentThreadPoolTransportTests() : TransportTests(Variant(ArmingMode.Persistent, ApplicationScheduling.ThreadPool));

public sealed class PersistentInlineTransportTests() : TransportTests(Variant(ArmingMode.Persistent, ApplicationScheduling.Inline));

public abstract partial class TransportTests
{
    internal static EpollTransportOptions Variant(ArmingMode arming, ApplicationScheduling scheduling) => new()
    {
        LoopCount = 2,
        ArmingMode = arming,
        ApplicationScheduling = scheduling,
    };
}
