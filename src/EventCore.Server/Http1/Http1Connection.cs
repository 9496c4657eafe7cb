using System.IO.Pipelines;
using EventCore.Server.Infrastructure;
using EventCore.Server.Infrastructure.Metrics;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http.Features;

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
internal abstract partial class Http1Connection
{
    private readonly ConnectionContext _connection;
    private readonly ServiceContext _service;
    private readonly PipeReader _input;
    private readonly PipeWriter _output;
    private readonly CancellationTokenRegistration _closedRegistration;

    // MaxConnectionAge: a ConnectionAgePolicy timestamp, 0 when the option is off.
    private readonly long _maxAgeDeadline;

    /// <summary>The request being served (and its pipelined successors); null while idle. Written by the request thread.</summary>
    private volatile Http1Exchange? _exchange;

    private long _requestNumber;
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
        _maxAgeDeadline = service.ConnectionAge.NewDeadline();
        _closedRegistration = connection.ConnectionClosed.Register(static s => ((Http1Connection)s!).OnConnectionClosed(), this);
    }

    public string ConnectionId => _connection.ConnectionId;

    internal ConnectionContext Context => _connection;

    internal ServiceContext Service => _service;

    internal PipeReader Input => _input;

    internal PipeWriter Output => _output;

    /// <summary>
    /// The TLS layer's feature on a connection it decrypts (set before the first request), else null: each request's
    /// scheme is then "https" and its <see cref="ITlsConnectionFeature"/> slot holds this.
    /// </summary>
    internal ITlsConnectionFeature? Tls { get; set; }

    /// <summary>Requests begun on this connection (the current one included).</summary>
    internal long RequestNumber => _requestNumber;

    /// <summary>Shutdown began: the response starting now is the connection's last.</summary>
    internal bool IsClosing => _closing;

    internal bool IsAborted => _aborted;

    /// <summary>Whether <c>MaxConnectionAge</c> has passed: the response starting now is the connection's last.</summary>
    internal bool ConnectionAgeReached => _maxAgeDeadline != 0 && _service.ConnectionAge.IsReached(_maxAgeDeadline);

    /// <summary>The limit slots this connection holds (set by the dispatcher; see <see cref="ConnectionSlots"/>).</summary>
    internal ref ConnectionSlots Slots => ref _slots;

    /// <summary>Why the connection ended, for <c>eventcore.connection.duration</c>'s <c>error.type</c>.</summary>
    internal ref ConnectionEndReasonSlot EndReason => ref _endReason;

    private EventCoreServerLimits Limits => _service.Limits;

    /// <summary>Serves requests until the connection closes. Never throws.</summary>
    public async Task ProcessRequestsAsync()
    {
        var reusable = true;
        try
        {
            while (await ReadRequestHeadAsync())
            {
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
    }

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

    /// <summary>Aborts the connection (any thread): the transport drops it and pending I/O fails.</summary>
    public void Abort(string reason)
    {
        _aborted = true;
        _connection.Abort(new ConnectionAbortedException(reason));
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
