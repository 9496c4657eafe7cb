using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace EventCore.Server.Http1;

/// <summary>The response features: status, headers, callbacks, body stream/writer (request thread only).</summary>
internal abstract partial class Http1Exchange : IHttpResponseFeature, IHttpResponseBodyFeature
{
    private readonly ResponseHeaders _responseHeaders = new();
    private readonly List<KeyValuePair<Func<object, Task>, object>> _onStarting = [];
    private readonly List<KeyValuePair<Func<object, Task>, object>> _onCompleted = [];
    private ResponseBodyWriter _responseBodyWriter = null!;
    private ResponseBodyStream _responseBodyStream = null!;
    private IHeaderDictionary _responseHeadersFeature = null!;
    private Stream _responseBody = null!;
    private int _statusCode;
    private string? _reasonPhrase;
    private bool _hasStarted;

    int IHttpResponseFeature.StatusCode
    {
        get => _statusCode;
        set
        {
            ThrowIfStarted(nameof(IHttpResponseFeature.StatusCode));
            _statusCode = value is >= 100 and <= 999 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "Status codes are 3 digits.");
        }
    }

    string? IHttpResponseFeature.ReasonPhrase
    {
        get => _reasonPhrase;
        set
        {
            ThrowIfStarted(nameof(IHttpResponseFeature.ReasonPhrase));
            if (value is not null && value.AsSpan().ContainsAnyInRange('\0', '\u001f'))
            {
                throw new InvalidOperationException("The reason phrase contains control characters.");
            }

            _reasonPhrase = value;
        }
    }

    IHeaderDictionary IHttpResponseFeature.Headers { get => _responseHeadersFeature; set => _responseHeadersFeature = value; }

    Stream IHttpResponseFeature.Body { get => _responseBody; set => _responseBody = value; }

    bool IHttpResponseFeature.HasStarted => _hasStarted;

    Stream IHttpResponseBodyFeature.Stream => _responseBodyStream;

    System.IO.Pipelines.PipeWriter IHttpResponseBodyFeature.Writer => _responseBodyWriter;

    void IHttpResponseFeature.OnStarting(Func<object, Task> callback, object state)
    {
        ThrowIfStarted(nameof(IHttpResponseFeature.OnStarting));
        _onStarting.Add(new(callback, state));
    }

    void IHttpResponseFeature.OnCompleted(Func<object, Task> callback, object state) => _onCompleted.Add(new(callback, state));

    /// <summary>Responses are written to the output pipe as they come; there is no extra buffering to turn off.</summary>
    void IHttpResponseBodyFeature.DisableBuffering()
    {
    }

    Task IHttpResponseBodyFeature.StartAsync(CancellationToken cancellationToken) => EnsureStartedAsync().AsTask();

    Task IHttpResponseBodyFeature.SendFileAsync(string path, long offset, long? count, CancellationToken cancellationToken)
        => SendFileAsync(path, offset, count, cancellationToken);

    async Task IHttpResponseBodyFeature.CompleteAsync()
    {
        await CompleteResponseAsync();
        await FlushPendingAsync();
    }

    private void ThrowIfStarted(string what)
    {
        if (_hasStarted)
        {
            throw new InvalidOperationException($"{what} cannot be set because the response has already started.");
        }
    }

    private void ResetResponse()
    {
        _responseHeaders.Reset();
        _responseHeadersFeature = _responseHeaders;
        _responseBody = _responseBodyStream;
        _statusCode = StatusCodes.Status200OK;
        _reasonPhrase = null;
        _hasStarted = false;
        _onStarting.Clear();
        _onCompleted.Clear();
        ResetResponseBody();
        ResetResponseTrailers();
    }

    /// <summary>Runs OnStarting callbacks, last registered first (Kestrel's order).</summary>
    private async Task FireOnStartingAsync()
    {
        for (var i = _onStarting.Count - 1; i >= 0; i--)
        {
            var (callback, state) = _onStarting[i];
            await callback(state);
        }

        _onStarting.Clear();
    }

    /// <summary>Runs OnCompleted callbacks, last registered first; a failing callback is logged and the rest still run.</summary>
    private async ValueTask FireOnCompletedAsync()
    {
        for (var i = _onCompleted.Count - 1; i >= 0; i--)
        {
            var (callback, state) = _onCompleted[i];
            try
            {
                await callback(state);
            }
            catch (Exception ex)
            {
                ReportApplicationError(ex);
            }
        }

        _onCompleted.Clear();
    }
}
