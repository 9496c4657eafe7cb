namespace EventCore.Transport.Epoll;

/// <summary>
/// Implemented by the layer above a connection (the HTTP server) that parks it: when a park whose pipes went back to
/// the loop wakes, its await was abandoned (the awaiting state machine is garbage), so the transport calls this instead.
/// </summary>
internal interface IParkOwner : IBlockedWorkDescriber
{
    /// <summary>
    /// The connection woke after giving its pipes back: read <c>Transport</c> again and go on from the idle wait.
    /// Called once per such wake, on the application's scheduler, where the park's continuation would have run.
    /// </summary>
    void ResumeAfterRelease();
}
