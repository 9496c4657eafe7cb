using System.Buffers;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using EventCore.Cgi.Processes;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace EventCore.Cgi.Execution;

/// <summary>stdout: the header block, then the body streamed into the response.</summary>
internal sealed partial class CgiRun
{
    /// <summary>The read buffer, which also bounds the header block: a longer one is answered 502.</summary>
    internal const int OutputBufferSize = 64 * 1024;

    private long _bodyWritten;

    /// <summary>Reads the head, answers it, streams the body. Returns a local redirect's path, else null.</summary>
    private async Task<string?> ProduceResponseAsync(ChildProcess child)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(OutputBufferSize);
        try
        {
            var parser = new CgiHeaderParser();
            var filled = 0;
            int bodyStart;
            while (true)
            {
                if (filled == OutputBufferSize)
                {
                    return Fault($"the header block is longer than {OutputBufferSize / 1024} KiB");
                }

                var read = await child.StandardOutput.ReceiveAsync(buffer.AsMemory(filled, OutputBufferSize - filled), SocketFlags.None, _stop.Token);
                if (read == 0)
                {
                    return Fault(filled == 0 ? "it wrote nothing to stdout" : "its output ended inside the header block");
                }

                filled += read;
                var result = parser.Parse(buffer.AsSpan(0, filled), out bodyStart);
                if (result == HeadParseResult.Invalid)
                {
                    return Fault(parser.Error!);
                }

                if (result == HeadParseResult.Complete)
                {
                    break;
                }
            }

            var head = parser.Head;
            foreach (var dropped in head.Dropped)
            {
                CgiLog.FieldDropped(_logger, _script.ScriptName, dropped);
            }

            if (head.IsLocalRedirect)
            {
                CgiLog.LocalRedirect(_logger, _script.ScriptName, head.Location!);
                return head.Location;
            }

            var bodyAllowed = ApplyHead(head);
            await CopyBodyAsync(child, buffer, buffer.AsMemory(bodyStart, filled - bodyStart), bodyAllowed ? head.ContentLength ?? -1 : -2);
            return null;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private string? Fault(string reason)
    {
        // Logged once the script is reaped, with how it ended (a crash before its headers reads as such).
        _fault = reason;
        Fail(StatusCodes.Status502BadGateway);
        return null;
    }

    /// <summary>Status, Location, Content-Type, Content-Length and the other fields onto the response; returns whether a body may follow.</summary>
    private bool ApplyHead(CgiResponseHead head)
    {
        var response = _context.Response;
        var status = head.Status ?? (head.Location is not null ? StatusCodes.Status302Found : StatusCodes.Status200OK);
        response.StatusCode = status;
        if (head.Reason is not null && _context.Features.Get<IHttpResponseFeature>() is { } responseFeature)
        {
            responseFeature.ReasonPhrase = head.Reason;
        }

        if (head.Location is not null)
        {
            response.Headers.Location = head.Location;
        }

        if (head.ContentType is not null)
        {
            response.ContentType = head.ContentType;
        }

        foreach (var (name, value) in head.Fields)
        {
            response.Headers.Append(name, value);
        }

        var noContent = status is StatusCodes.Status204NoContent or StatusCodes.Status304NotModified;
        if (head.ContentLength is { } length && !noContent)
        {
            response.ContentLength = length;
        }

        return !noContent && !HttpMethods.IsHead(_context.Request.Method);
    }

    /// <summary>
    /// Streams the body: each write waits for the client (back-pressure on the script through its full pipe), with
    /// the script's Content-Length when it gave one (else the server frames it, chunked on HTTP/1.1).
    /// <paramref name="contentLength"/>: -1 none given, -2 no body may be sent (HEAD, 204, 304: the output is drained).
    /// </summary>
    private async Task CopyBodyAsync(ChildProcess child, byte[] buffer, ReadOnlyMemory<byte> pending, long contentLength)
    {
        var response = _context.Response;
        var send = contentLength != -2;
        var open = true;
        if (send && !pending.IsEmpty)
        {
            open = await WriteBodyAsync(pending, contentLength);
        }
        else
        {
            // Headers go out now, so a script that streams (or stalls) is seen as started by the client.
            await ToClientAsync(new ValueTask(response.StartAsync(_stop.Token)));
        }

        while (open)
        {
            var read = await child.StandardOutput.ReceiveAsync(buffer.AsMemory(0, OutputBufferSize), SocketFlags.None, _stop.Token);
            if (read == 0)
            {
                break;
            }

            if (send)
            {
                open = await WriteBodyAsync(buffer.AsMemory(0, read), contentLength);
            }
        }

        if (send && contentLength >= 0 && _bodyWritten < contentLength)
        {
            CgiLog.ContentLengthMismatch(_logger, _script.ScriptName, contentLength, $"its output ended after {_bodyWritten} bytes", "the response was aborted");
            _context.Abort();
            return;
        }

        await ToClientAsync(new ValueTask(response.CompleteAsync()));
        _responseCompleted = true;
    }

    /// <summary>Writes body bytes; false when the script's Content-Length is reached and it wrote more (the rest is discarded).</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<bool> WriteBodyAsync(ReadOnlyMemory<byte> data, long contentLength)
    {
        var open = true;
        if (contentLength >= 0 && _bodyWritten + data.Length > contentLength)
        {
            CgiLog.ContentLengthMismatch(_logger, _script.ScriptName, contentLength, "it wrote more", "the rest was discarded and the script killed");
            data = data[..(int)(contentLength - _bodyWritten)];
            open = false;
        }

        if (!data.IsEmpty)
        {
            await ToClientAsync(_context.Response.Body.WriteAsync(data, _stop.Token));
            _bodyWritten += data.Length;
        }

        return open;
    }

    /// <summary>Awaits a write to the client, marking it so that a failure reads as the client being gone.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask ToClientAsync(ValueTask write)
    {
        _writingToClient = true;
        if (!write.IsCompleted)
        {
            await write;
            await LeaveServerThread();
        }
        else
        {
            await write;
        }

        _writingToClient = false;
    }
}
