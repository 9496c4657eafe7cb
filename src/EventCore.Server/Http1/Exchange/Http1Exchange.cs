using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using EventCore.Server.Infrastructure;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http.Features;

namespace EventCore.Server.Http1;

/// <summary>
/// One request and its response: the parsed head, the feature collection handed to the app (the exchange is its own
/// <see cref="IFeatureCollection"/>, like Kestrel's HttpProtocol), the body reader, the response's framing and body
/// (what the app sets of the response is an <see cref="Http1Response"/>), and the end of the request. Pooled by the
/// server (<see cref="ExchangePool{TContext}"/>): a connection rents one when a request head starts to arrive, keeps
/// it across pipelined requests, and gives it back when it waits for the next request with nothing buffered, so the
/// objects behind a request (features, header collections, body streams, the host's HttpContext) are reused across
/// connections and an idle connection holds none.
/// Thread rules: request thread only (the owner's request loop and the app's calls, one at a time). Other threads
/// never reach an exchange: the owner keeps the clocks and the RequestAborted source that they touch.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "The body streams own no resources: they are views over the connection's pipes.")]
internal abstract partial class Http1Exchange
{
    private readonly ServiceContext _service;
    private readonly RequestHead _head;
    private readonly RequestBodyReader _bodyReader;
    private Http1Response _response = null!; // made with the body streams it defaults to (InitializeFeatures)

    // The connection served now, and its transport (set by Attach; empty while pooled).
    private Http1Connection? _owner;
    private ConnectionContext _connection = null!;
    private PipeReader _input = null!;
    private PipeWriter _output = null!;

    private bool _keepAlive;
    private bool _pendingFlush;
    private bool _outputClosed;

    protected Http1Exchange(ServiceContext service)
    {
        _service = service;
        _head = new RequestHead(service.Parser, service.Options.RequestHeaderEncodingSelector);
        _bodyReader = new RequestBodyReader(this, new ChunkedDecoder(service.Parser));
        InitializeFeatures();
    }

    public string ConnectionId => _connection.ConnectionId;

    /// <summary>The connection this exchange serves.</summary>
    internal Http1Connection Owner => _owner!;

    /// <summary>The request's head, parsed by the connection's request loop.</summary>
    internal RequestHead Head => _head;

    /// <summary>Whether the connection may carry another request after this one.</summary>
    internal bool KeepAlive => _keepAlive;

    /// <summary>A flush found the output closed: nothing more can be sent.</summary>
    internal bool OutputClosed => _outputClosed;

    protected ServiceContext Service => _service;

    private EventCoreServerLimits Limits => _service.Limits;

    /// <summary>Starts serving <paramref name="owner"/>: its transport, and a clean request.</summary>
    internal void Attach(Http1Connection owner)
    {
        _owner = owner;
        _connection = owner.Context;
        _input = owner.Input;
        _output = owner.Output;
        _bodyReader.Attach(_input);
        _pendingFlush = false;
        _outputClosed = false;
        _connectionAddressesChanged = true;
        ResetRequest();
    }

    /// <summary>Stops serving its connection (before going back to the pool): no reference to it is kept.</summary>
    internal void Detach()
    {
        _owner = null;
        _connection = null!;
        _input = null!;
        _output = null!;
        _bodyReader.Attach(null!);
    }

    /// <summary>Runs the app for the request whose head was just parsed (implemented per TContext).</summary>
    internal abstract ValueTask ExecuteRequestAsync();

    /// <summary>Sends what the responses so far have written to the output.</summary>
    internal ValueTask FlushPendingAsync()
    {
        if (!_pendingFlush)
        {
            return default;
        }

        _pendingFlush = false;
        _framer.OnFlushed();
        var flush = FlushOutputAsync();
        if (!flush.IsCompletedSuccessfully)
        {
            return AwaitFlushAsync(flush);
        }

        OnFlushed(flush.Result); // completed: does not block
        return default;
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask AwaitFlushAsync(ValueTask<FlushResult> flush) => OnFlushed(await flush);

    private void OnFlushed(FlushResult result)
    {
        if (result.IsCompleted || result.IsCanceled)
        {
            _keepAlive = false;
            _outputClosed = true;
        }
    }

    /// <summary>"GET /path (endpoint 'name')", for the blocked-loop warning: reads reference fields and one feature slot.</summary>
    internal string DescribeWork()
    {
        var target = $"{_request.Method} {_request.PathBase}{_request.Path}";
        return Get<IEndpointFeature>()?.Endpoint?.DisplayName is { } endpoint ? $"{target} (endpoint '{endpoint}')" : target;
    }
}
