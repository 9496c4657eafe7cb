using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using EventCore.Server.Infrastructure;
using EventCore.Server.Infrastructure.Metrics;
using Microsoft.AspNetCore.Connections;

namespace EventCore.Server.Http1;

/// <summary>
/// One HTTP/1.1 connection: owns the loop read → parse → features → app → response → flush, and is itself the
/// feature collection handed to the app (one object per connection, reset per request, like Kestrel's HttpProtocol).
/// Thread rules: the loop and the app's calls on the features run one at a time (the request's logical thread);
/// only <see cref="OnHeartbeat"/>, <see cref="BeginShutdown"/>, <see cref="Abort"/> and the ConnectionClosed
/// callback come from other threads, and they touch nothing but volatile flags, the deadline and the pipe's
/// thread-safe CancelPendingRead/Abort.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "The body streams own no resources: they are views over the connection's pipes.")]
internal abstract partial class Http1Connection
{
    private readonly ConnectionContext _connection;
    private readonly ServiceContext _service;
    private readonly PipeReader _input;
    private readonly PipeWriter _output;
    private readonly HttpParser _parser;
    private readonly RequestBodyReader _bodyReader;
    private readonly CancellationTokenRegistration _closedRegistration;

    // MaxConnectionAge: a ConnectionAgePolicy timestamp, 0 when the option is off.
    private readonly long _maxAgeDeadline;

    // Loop state (request thread only).
    private long _requestNumber;
    private bool _keepAlive;
    private bool _pendingFlush;
    private bool _outputClosed;
    private volatile bool _closing;
    private volatile bool _isIdle;
    private volatile bool _aborted;

    private ConnectionSlots _slots;
    private ConnectionEndReasonSlot _endReason;

    protected Http1Connection(ConnectionContext connection, ServiceContext service)
    {
        _connection = connection;
        _service = service;
        _input = connection.Transport.Input;
        _output = connection.Transport.Output;
        _parser = service.Parser;
        _bodyReader = new RequestBodyReader(this, _input, new ChunkedDecoder(_parser));
        InitializeFeatures();
        _maxAgeDeadline = service.ConnectionAge.NewDeadline();
        _closedRegistration = connection.ConnectionClosed.Register(static s => ((Http1Connection)s!).OnConnectionClosed(), this);
    }

    public string ConnectionId => _connection.ConnectionId;

    /// <summary>The limit slots this connection holds (set by the dispatcher; see <see cref="ConnectionSlots"/>).</summary>
    internal ref ConnectionSlots Slots => ref _slots;

    /// <summary>Why the connection ended, for <c>eventcore.connection.duration</c>'s <c>error.type</c>.</summary>
    internal ref ConnectionEndReasonSlot EndReason => ref _endReason;

    protected ServiceContext Service => _service;

    private EventCoreServerLimits Limits => _service.Limits;

    /// <summary>Serves requests until the connection closes. Never throws.</summary>
    public async Task ProcessRequestsAsync()
    {
        try
        {
            while (await ReadRequestHeadAsync())
            {
                await ExecuteRequestAsync();
                if (!_keepAlive || _aborted || _closing || !await DrainRequestBodyAsync())
                {
                    break;
                }
            }

            await FlushPendingAsync();
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
            EndReason.Set(ConnectionEndReason.OtherError);
            ServerLog.ConnectionError(_service.ConnectionLogger, ConnectionId, ex);
        }
        finally
        {
            await _closedRegistration.DisposeAsync();
            ReleaseIdleResources();
        }
    }

    /// <summary>Runs the app for the request whose head was just parsed (implemented per TContext).</summary>
    protected abstract ValueTask ExecuteRequestAsync();

    /// <summary>Closes the connection at the next request boundary; an idle keep-alive connection closes now.</summary>
    public void BeginShutdown()
    {
        _closing = true;
        Interlocked.MemoryBarrier();
        if (_isIdle)
        {
            _input.CancelPendingRead();
        }
    }

    /// <summary>Whether <c>MaxConnectionAge</c> has passed: the response starting now is the connection's last.</summary>
    private bool ConnectionAgeReached => _maxAgeDeadline != 0 && _service.ConnectionAge.IsReached(_maxAgeDeadline);

    /// <summary>Aborts the connection (any thread): the transport drops it and pending I/O fails.</summary>
    public void Abort(string reason)
    {
        _aborted = true;
        _connection.Abort(new ConnectionAbortedException(reason));
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask FlushPendingAsync()
    {
        if (_pendingFlush)
        {
            _pendingFlush = false;
            _unflushedBytes = 0;
            var result = await FlushOutputAsync();
            if (result.IsCompleted || result.IsCanceled)
            {
                _keepAlive = false;
                _outputClosed = true;
            }
        }
    }

    private void ReleaseIdleResources()
    {
        _requestHeaders.ReleaseCache();
        _bodyReader.ReleaseIdleResources();
        ReleasePreStartBuffer();
    }
}
