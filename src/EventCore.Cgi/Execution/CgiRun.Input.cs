using System.Buffers;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using EventCore.Cgi.Processes;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Net.Http.Headers;

namespace EventCore.Cgi.Execution;

/// <summary>The request body: its length for CONTENT_LENGTH, and the pump that streams it into the script's stdin.</summary>
internal sealed partial class CgiRun
{
    /// <summary>
    /// A body of unknown length (chunked) is read up to this much before the script starts: when it ends within it,
    /// the script gets an exact CONTENT_LENGTH (php-cgi reads nothing without one); a longer one is streamed without
    /// CONTENT_LENGTH and the script reads stdin to its end.
    /// </summary>
    internal const int BodyPrefetchSize = 64 * 1024;

    private const int InputBufferSize = 32 * 1024;

    private long? _contentLength;
    private bool _hasBody;
    private bool _bodyComplete;
    private byte[]? _bodyPrefix;
    private int _bodyPrefixLength;

    /// <summary>
    /// Decides CONTENT_LENGTH, reading a short chunked body whole. False when the response is already decided
    /// (the body could not be read: the status is set, or the client is gone).
    /// </summary>
    public async Task<bool> PrepareRequestBodyAsync()
    {
        var request = _context.Request;
        if (request.ContentLength is { } length)
        {
            _contentLength = length;
            _hasBody = length > 0;
            return true;
        }

        _hasBody = _context.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody
            ?? request.Headers.ContainsKey(HeaderNames.TransferEncoding);
        if (!_hasBody)
        {
            return true;
        }

        _bodyPrefix = ArrayPool<byte>.Shared.Rent(BodyPrefetchSize);
        try
        {
            while (_bodyPrefixLength < BodyPrefetchSize)
            {
                var read = await request.Body.ReadAsync(_bodyPrefix.AsMemory(_bodyPrefixLength, BodyPrefetchSize - _bodyPrefixLength), _stop.Token);
                if (read == 0)
                {
                    _bodyComplete = true;
                    _contentLength = _bodyPrefixLength;
                    break;
                }

                _bodyPrefixLength += read;
            }

            return true;
        }
        catch (Exception exception)
        {
            OnPrefetchFailure(exception);
            return false;
        }
    }

    private void OnPrefetchFailure(Exception exception)
    {
        if (_context.RequestAborted.IsCancellationRequested)
        {
            CgiLog.ClientGone(_logger, _script.ScriptName);
            return;
        }

        CgiLog.RequestBodyFailed(_logger, _script.ScriptName, exception.Message);
        var status = _timeout.IsCancellationRequested ? StatusCodes.Status408RequestTimeout
            : exception is BadHttpRequestException bad ? bad.StatusCode
            : StatusCodes.Status400BadRequest;
        Fail(status);
    }

    /// <summary>
    /// Copies the request body into stdin, then closes stdin (EOF). Each write waits until the script has read
    /// enough (the pipe holds 64 KiB), and each read of the body waits for the client: back-pressure both ways.
    /// Never throws. A script that closes stdin early ends the copy quietly (the server drains the rest); a body
    /// that cannot be read (client gone, bad framing, too large) stops the whole run, so that a script reading to
    /// EOF never acts on a truncated body.
    /// </summary>
    private async Task PumpRequestBodyAsync(ChildProcess child)
    {
        var stdin = child.StandardInput;
        try
        {
            if (_bodyPrefixLength > 0)
            {
                await SendAllAsync(stdin, _bodyPrefix.AsMemory(0, _bodyPrefixLength));
            }

            if (_hasBody && !_bodyComplete)
            {
                await CopyRestOfBodyAsync(stdin);
            }
        }
        catch (SocketException)
        {
            // EPIPE: the script closed its stdin or ended without reading it all.
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            // The run ended (or timed out, or the client left): nothing more to feed.
        }
        catch (Exception exception)
        {
            _bodyFailure = exception;
            await _stop.CancelAsync();
        }
        finally
        {
            stdin.Dispose();
        }
    }

    private async Task CopyRestOfBodyAsync(Socket stdin)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(InputBufferSize);
        try
        {
            int read;
            while ((read = await ReadBodyAsync(buffer)) > 0)
            {
                await SendAllAsync(stdin, buffer.AsMemory(0, read));
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<int> ReadBodyAsync(byte[] buffer)
    {
        try
        {
            return await LeaveServerThread(_context.Request.Body.ReadAsync(buffer.AsMemory(0, InputBufferSize), _stop.Token));
        }
        catch (SocketException exception)
        {
            // Only writes to stdin may surface as SocketException in the pump; a transport's must not look like one.
            throw new IOException(exception.Message, exception);
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask SendAllAsync(Socket stdin, ReadOnlyMemory<byte> data)
    {
        while (!data.IsEmpty)
        {
            var sent = await stdin.SendAsync(data, SocketFlags.None, _stop.Token);
            data = data[sent..];
        }
    }

    private void ReturnBodyPrefix()
    {
        if (_bodyPrefix is not null)
        {
            ArrayPool<byte>.Shared.Return(_bodyPrefix);
            _bodyPrefix = null;
        }
    }
}
