using System.IO.Pipelines;
using EventCore.Server.Infrastructure;
using EventCore.Server.Infrastructure.Metrics;
using EventCore.Server.Tls;
using EventCore.Transport.Epoll;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;

namespace EventCore.Server.Http1;

/// <summary>
/// One HTTP/1.1 connection, kept thin: the transport's pipes, the request loop, its lifecycle flags, timeouts and
/// RequestAborted. Everything that belongs to one request — features, headers, body, response — is an
/// <see cref="Http1Exchange"/> rented from the server's pool when a request head starts to arrive and given back
/// when the connection waits for the next request with nothing buffered, so an idle keep-alive connection holds
/// no per-request state (DESIGN §6: thin connection, pooled request).
/// Thread rules: the request loop and the app's calls on the exchange run one at a time (the request's logical
/// thread); <see cref="OnHeartbeat"/>, <see cref="BeginShutdown"/>, <see cref="Abort"/> and the ConnectionClosed
/// callback come from other threads and touch only volatile flags, the deadline, the RequestAborted source (under
/// its lock) and the pipe's thread-safe CancelPendingRead/Abort — never the exchange.
/// </summary>
internal abstract partial class Http1Connection : IParkOwner
{
    private readonly ConnectionContext _connection;
    private readonly ServiceContext _service;
    private PipeReader _input;
    private PipeWriter _output;
    private readonly CancellationTokenRegistration _closedRegistration;

    // MaxConnectionAge: a ConnectionAgePolicy timestamp, 0 when the option is off.
    private readonly long _maxAgeDeadline;

    /// <summary>
    /// The epoll transport's connection when the server reads it directly (no TLS): an idle wait then parks it, and
    /// its pipes go back to the loop (<see cref="EpollConnection.ParkAsync"/>). Set before the connection is registered.
    /// </summary>
    private EpollConnection? _parkable;

    /// <summary>
    /// The request being served (and its pipelined successors); null while the connection waits for a request with
    /// nothing buffered. Written by the request thread; read by the blocked-loop guard (<see cref="IBlockedWorkDescriber"/>).
    /// </summary>
    private volatile Http1Exchange? _exchange;

    private long _requestNumber;
    private volatile bool _closing;
    private volatile bool _isIdle;
    private volatile bool _aborted;

    /// <summary>The connection's links in the server's set of open connections (the connection manager's lock only).</summary>
    private RegistryLinks _registry;

    // The connection's measurement, begun by the dispatcher and reported when it ends, kept in fields rather than a
    // ConnectionMetricsContext (its local endpoint is the connection's): an idle connection is kept small.
    private long _measurementStart;
    private bool _activeCounted;
    private bool _durationEnabled;

    private ConnectionSlots _slots;
    private ConnectionEndReasonSlot _endReason;

    protected Http1Connection(ConnectionContext connection, ServiceContext service)
    {
        _connection = connection;
        _service = service;
        _input = connection.Transport.Input;
        _output = connection.Transport.Output;
        _maxAgeDeadline = service.ConnectionAge.NewDeadline();
        if (connection is EpollConnection epoll)
        {
            epoll.OnClosed(static s => ((Http1Connection)s!).OnConnectionClosed(), this); // no token source per connection
        }
        else
        {
            _closedRegistration = connection.ConnectionClosed.Register(static s => ((Http1Connection)s!).OnConnectionClosed(), this);
        }
    }

    public string ConnectionId => _connection.ConnectionId;

    internal ConnectionContext Context => _connection;

    internal ServiceContext Service => _service;

    internal PipeReader Input => _input;

    internal PipeWriter Output => _output;

    /// <summary>The TLS layer's connection when it decrypts this one (set before the first request), else null.</summary>
    internal TlsConnection? Secure { get; init; }

    /// <summary>
    /// The TLS layer's feature on a connection it decrypts, else null: each request's scheme is then "https" and its
    /// <see cref="ITlsConnectionFeature"/> slot holds this.
    /// </summary>
    internal ITlsConnectionFeature? Tls => Secure?.Feature;

    /// <summary>Whether the connection is parked without pipes: the loop took them back (for tests; racy).</summary>
    internal bool PipesReleased => _parkable?.PipesReleased ?? false;

    /// <summary>Requests begun on this connection (the current one included).</summary>
    internal long RequestNumber => _requestNumber;

    /// <summary>Shutdown began: the response starting now is the connection's last.</summary>
    internal bool IsClosing => _closing;

    internal bool IsAborted => _aborted;

    /// <summary>Between requests, in the idle wait (any thread, racy; for tests).</summary>
    internal bool IsIdle => _isIdle;

    /// <summary>The peer's address (for tests to find a client's connection).</summary>
    internal System.Net.EndPoint? RemoteEndPoint => _connection.RemoteEndPoint;

    /// <summary>Whether <c>MaxConnectionAge</c> has passed: the response starting now is the connection's last.</summary>
    internal bool ConnectionAgeReached => _maxAgeDeadline != 0 && _service.ConnectionAge.IsReached(_maxAgeDeadline);

    /// <summary>The limit slots this connection holds (set by the dispatcher; see <see cref="ConnectionSlots"/>).</summary>
    internal ref ConnectionSlots Slots => ref _slots;

    /// <summary>This connection's place in the server's set of open connections (see <see cref="ConnectionManager"/>).</summary>
    internal ref RegistryLinks Registry => ref _registry;

    /// <summary>Why the connection ended, for <c>eventcore.connection.duration</c>'s <c>error.type</c>.</summary>
    internal ref ConnectionEndReasonSlot EndReason => ref _endReason;

    private EventCoreServerLimits Limits => _service.Limits;

    /// <summary>
    /// Starts the connection's life (never throws): registers with the connection manager, then serves it
    /// (<see cref="ServeAsync"/>) until it closes and its end is reported (<paramref name="measurement"/>, begun by
    /// the dispatcher).
    /// </summary>
    public Task RunAsync(ConnectionMetricsContext measurement)
    {
        (_measurementStart, _activeCounted, _durationEnabled) = (measurement.StartTimestamp, measurement.ActiveCounted, measurement.DurationEnabled);
        _parkable = Secure is null && _connection is EpollConnection epoll && ReferenceEquals(epoll.Transport, epoll) ? epoll : null;
        if (_parkable is { } parkable)
        {
            parkable.ParkOwner = this; // lets it give its pipes back while idle, and drop our state machine with them
        }

        _service.Connections.Add(this);
        if (_service.ConnectionLogger.IsEnabled(LogLevel.Debug))
        {
            ServerLog.ConnectionStart(_service.ConnectionLogger, ConnectionId); // the id is a string made on first use: not for nothing
        }

        return ServeAsync(resumed: false);
    }

    /// <summary>
    /// Loop's application scheduler: the connection woke after its pipes went back to the loop, which dropped the
    /// <see cref="ServeAsync"/> that parked (it never resumes, so none of its finally blocks run). Its life goes on
    /// in a new one, from the idle wait. One state machine allocated per wake after ≥ 1 s of idleness.
    /// </summary>
    void IParkOwner.ResumeAfterRelease() => _ = ServeAsync(resumed: true);

    /// <summary>
    /// The connection's life in one async method, so an idle connection holds at most one state machine — none once
    /// its pipes went back to the loop (then the park's await is abandoned, and <see cref="IParkOwner.ResumeAfterRelease"/>
    /// starts a new one from the idle wait, <paramref name="resumed"/>): serves requests until the connection
    /// closes, completes the pipes, disposes the transport connection, reports the connection's end and leaves the
    /// connection manager. That end runs once: only the last of the connection's state machines gets there.
    /// Never throws.
    /// </summary>
    private async Task ServeAsync(bool resumed)
    {
        try
        {
            var reusable = true;
            try
            {
                if (resumed)
                {
                    RefreshPipes();
                }

                while (true)
                {
                    // Wait for a request head (Http1Connection.Reading.cs); inline, so that waiting allocates nothing.
                    // Resumed after a released park: the head wait began and the park is over; read what woke it.
                    if (!resumed)
                    {
                        BeginHeadWait();
                    }

                    var headStarted = false;
                    var mustWait = false;
                    var outcome = HeadOutcome.NeedMoreData;
                    while (outcome == HeadOutcome.NeedMoreData)
                    {
                        ReadResult result;
                        if (resumed)
                        {
                            resumed = false;
                            result = await WaitForHeadBytesAsync(idle: true);
                        }
                        else if (mustWait || !_input.TryRead(out result))
                        {
                            if (!headStarted && !await SettleBeforeWaitingAsync())
                            {
                                outcome = HeadOutcome.Closed;
                                break;
                            }

                            if (!headStarted && BeginIdleWait(out var releaseAtOnce) && _parkable is { } parkable)
                            {
                                // While parked the loop may give the pipes to another connection (after a heartbeat
                                // of idleness, OnHeartbeat): hold no reference to them until it resumes. If it does,
                                // this await never completes: the loop drops it, and ResumeAfterRelease goes on.
                                _input = null!;
                                _output = null!;
                                await parkable.ParkAsync(releasePipesOnceAwaited: releaseAtOnce);
                                RefreshPipes();
                            }

                            result = await WaitForHeadBytesAsync(idle: !headStarted);
                        }

                        mustWait = true;
                        outcome = OnHeadBytes(result, ref headStarted, out var rejection);
                        if (outcome == HeadOutcome.Canceled)
                        {
                            outcome = await OnHeadReadCanceledAsync(headStarted) ? HeadOutcome.Closed : HeadOutcome.NeedMoreData;
                        }
                        else if (outcome == HeadOutcome.Rejected)
                        {
                            await _exchange!.RejectAsync(rejection);
                        }
                    }

                    if (outcome != HeadOutcome.Complete)
                    {
                        break;
                    }

                    var exchange = _exchange!;
                    await exchange.ExecuteRequestAsync();
                    if (!exchange.KeepAlive || _aborted || _closing || !await exchange.DrainRequestBodyAsync())
                    {
                        break;
                    }
                }

                if (_exchange is { } last)
                {
                    await last.FlushPendingAsync();
                }
            }
            catch (Exception ex) when (ex is ConnectionResetException or ConnectionAbortedException or OperationCanceledException or IOException)
            {
                // The peer went away or the connection was aborted (timeout, shutdown, app error): nothing to answer.
                // A reset in the middle of a request is an error (Kestrel's connection_reset); between requests it is not.
                if (ex is ConnectionResetException && !_isIdle)
                {
                    EndReason.Set(ConnectionEndReason.ConnectionReset);
                }
            }
            catch (Exception ex)
            {
                reusable = false; // state of unknown shape: let the collector have this exchange
                EndReason.Set(ConnectionEndReason.OtherError);
                ServerLog.ConnectionError(_service.ConnectionLogger, ConnectionId, ex);
            }
            finally
            {
                await _closedRegistration.DisposeAsync();
                ReleaseExchange(reusable);
            }

            if (Secure is { } secure)
            {
                await secure.CloseAsync(); // the decrypted pipes end here and the transport's pipes come back
            }

            await _connection.Transport.Output.CompleteAsync();
            await _connection.Transport.Input.CompleteAsync();
            await _connection.DisposeAsync();
        }
        catch (Exception ex)
        {
            // Nobody awaits this task: log rather than leave an unobserved exception.
            EndReason.Set(ConnectionEndReason.OtherError);
            ServerLog.ConnectionError(_service.ConnectionLogger, ConnectionId, ex);
        }
        finally
        {
            if (_service.ConnectionLogger.IsEnabled(LogLevel.Debug))
            {
                ServerLog.ConnectionStop(_service.ConnectionLogger, ConnectionId);
            }

            var measurement = new ConnectionMetricsContext(_connection.LocalEndPoint, _measurementStart, _activeCounted, _durationEnabled);
            Slots.Release(_service, measurement.LocalEndPoint);
            var tls = _durationEnabled ? _connection.Features.Get<ITlsHandshakeFeature>()?.Protocol : null;
            _service.Metrics.Connections.Stop(measurement, EndReason.Value, servedHttp: true, tls);

            // Last: removing the last connection lets StopAsync return, by when everything above is reported.
            _service.Connections.Remove(this);
        }
    }

    /// <summary>Closes the connection at the next request boundary; an idle keep-alive connection closes now.</summary>
    public void BeginShutdown()
    {
        _closing = true;
        Interlocked.MemoryBarrier();
        if (_isIdle)
        {
            if (_parkable is { } parkable)
            {
                parkable.CancelIdleWait(); // parked or reading: the loop knows which, and which pipe is current
            }
            else
            {
                _input.CancelPendingRead();
            }
        }
    }

    /// <summary>
    /// Aborts the connection (any thread): the transport drops it, pending I/O fails, and RequestAborted fires — on the
    /// thread pool, as in Kestrel, not waiting for the transport's close signal (the request may end, and stop
    /// listening for that signal, before it comes).
    /// </summary>
    public void Abort(string reason)
    {
        _aborted = true;
        _connection.Abort(new ConnectionAbortedException(reason));
        ThreadPool.UnsafeQueueUserWorkItem(static c => c.CancelRequestAborted(), this, preferLocal: false);
    }

    /// <summary>An exchange from the server's pool (implemented per TContext), reset for this connection's next request.</summary>
    protected abstract Http1Exchange RentExchange();

    /// <summary>Gives an exchange back to the server's pool.</summary>
    protected abstract void ReturnExchange(Http1Exchange exchange);

    /// <summary>The exchange for the request whose head is arriving: the one kept from a pipelined predecessor, or a new one.</summary>
    private Http1Exchange TakeExchange()
    {
        if (_exchange is { } current)
        {
            if (current.Served)
            {
                current.ResetRequest(); // a pipelined successor: the exchange serves this connection's next request at once
            }

            return current;
        }

        var exchange = RentExchange();
        exchange.Attach(this);
        _exchange = exchange;
        return exchange;
    }

    /// <summary>No request in progress: the exchange goes back to the pool (or, after an unexpected error, to the collector).</summary>
    private void ReleaseExchange(bool reusable = true)
    {
        if (_exchange is not { } exchange)
        {
            return;
        }

        _exchange = null;
        exchange.Detach();
        if (reusable)
        {
            ReturnExchange(exchange);
        }
    }
}
