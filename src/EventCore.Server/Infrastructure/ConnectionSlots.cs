using System.Net;

namespace EventCore.Server.Infrastructure;

/// <summary>
/// The limit slots one connection holds. As in Kestrel, an upgraded connection (WebSocket) leaves the
/// <c>MaxConcurrentConnections</c> count and takes a <c>MaxConcurrentUpgradedConnections</c> slot instead.
/// Thread rules: the dispatcher acquires before serving and releases after; the request thread upgrades in between.
/// </summary>
internal struct ConnectionSlots
{
    private bool _holdsConnection;
    private bool _holdsUpgrade;
    private bool _upgradeCounted;

    public bool TryAcquireConnection(ServiceContext service) => _holdsConnection = service.ConnectionLimit.TryAcquire();

    /// <summary>False when the upgraded-connection limit is reached; the connection keeps its ordinary slot then.</summary>
    public bool TryUpgrade(ServiceContext service, EndPoint? local)
    {
        if (!service.UpgradeLimit.TryAcquire())
        {
            return false;
        }

        _holdsUpgrade = true;
        _upgradeCounted = service.Metrics.Connections.UpgradedStart(local);
        if (_holdsConnection)
        {
            _holdsConnection = false;
            service.ConnectionLimit.Release();
        }

        return true;
    }

    public void Release(ServiceContext service, EndPoint? local)
    {
        if (_holdsConnection)
        {
            _holdsConnection = false;
            service.ConnectionLimit.Release();
        }

        if (_holdsUpgrade)
        {
            _holdsUpgrade = false;
            service.UpgradeLimit.Release();
            service.Metrics.Connections.UpgradedStop(local, _upgradeCounted);
        }
    }
}
