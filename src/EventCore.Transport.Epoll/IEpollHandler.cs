namespace EventCore.Transport.Epoll;

/// <summary>Something registered in a loop's epoll set. All members are called on that loop's thread only.</summary>
internal interface IEpollHandler
{
    /// <summary>Handles the readiness bits of one epoll event.</summary>
    void OnEvents(EpollEvents events);

    /// <summary>The loop is stopping: release the fd and fail whatever waits on it.</summary>
    void OnLoopStopping();
}
