using System.Buffers;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Http;

namespace EventCore.Server.Http1;

/// <summary>The chunked half: decode what the transport holds into the internal pipe, hand that pipe's data out.</summary>
internal sealed partial class RequestBodyReader
{
    private static readonly PipeOptions s_chunkedPipeOptions = new(
        pauseWriterThreshold: 0, readerScheduler: PipeScheduler.Inline, writerScheduler: PipeScheduler.Inline, useSynchronizationContext: false);

    private Pipe? _chunked;
    private bool _chunkedDone;
    private bool _chunkedNeedsMore;
    private long _decodedLength;
    private ReadOnlySequence<byte> _lastChunkedBuffer;

    private void ResetChunked()
    {
        _decoder.Reset();
        if (_chunked is { } pipe)
        {
            pipe.Reader.Complete();
            pipe.Writer.Complete();
            pipe.Reset();
        }

        _chunkedDone = false;
        _chunkedNeedsMore = true;
        _decodedLength = 0;
        _lastChunkedBuffer = default;
    }

    private Pipe ChunkedPipe => _chunked ??= new Pipe(s_chunkedPipeOptions);

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<ReadResult> ReadChunkedAsync(CancellationToken cancellationToken)
    {
        while (_chunkedNeedsMore && !_chunkedDone)
        {
            var raw = await ReadInputAsync(cancellationToken);
            if (raw.IsCanceled)
            {
                _input.AdvanceTo(raw.Buffer.Start);
                return new ReadResult(default, true, false);
            }

            var status = DecodeAvailable(raw.Buffer);
            if (status == ChunkedStatus.NeedMoreData && !_chunkedNeedsMore)
            {
                await ChunkedPipe.Writer.FlushAsync(cancellationToken);
            }
            else if (status == ChunkedStatus.NeedMoreData && raw.IsCompleted)
            {
                throw Truncated();
            }
        }

        var result = await ChunkedPipe.Reader.ReadAsync(cancellationToken);
        _lastChunkedBuffer = result.Buffer;
        return result;
    }

    /// <summary>Decodes every whole element the transport buffered, copying data into the pipe; advances the transport.</summary>
    private ChunkedStatus DecodeAvailable(ReadOnlySequence<byte> buffer)
    {
        var reader = new SequenceReader<byte>(buffer);
        var writer = ChunkedPipe.Writer;
        var handler = new TrailerHandler(_connection.Trailers);
        ChunkedStatus status;
        RequestRejection rejection;
        while ((status = _decoder.Decode(ref reader, handler, out var data, out rejection)) == ChunkedStatus.Data)
        {
            _decodedLength += data.Length;
            if (_decodedLength > _connection.MaxRequestBodySize)
            {
                _input.AdvanceTo(reader.Position);
                throw TooLarge(_connection.MaxRequestBodySize.Value);
            }

            foreach (var segment in data)
            {
                writer.Write(segment.Span);
            }

            _chunkedNeedsMore = false;
        }

        _input.AdvanceTo(reader.Position, status == ChunkedStatus.NeedMoreData ? buffer.End : reader.Position);
        if (status == ChunkedStatus.Rejected)
        {
            _connection.OnBodyRejected(rejection);
            throw new BadHttpRequestException($"Invalid chunked request body: {rejection}.", StatusCodes.Status400BadRequest);
        }

        if (status == ChunkedStatus.Complete)
        {
            _chunkedDone = true;
            _chunkedNeedsMore = false;
            writer.Complete();
        }

        return status;
    }

    private bool TryReadChunked(out ReadResult result)
    {
        if (_kind == RequestBodyKind.Chunked && _started && ChunkedPipe.Reader.TryRead(out result))
        {
            _lastChunkedBuffer = result.Buffer;
            return true;
        }

        result = default;
        return false;
    }

    private void AdvanceChunked(SequencePosition consumed, SequencePosition examined)
    {
        // Everything examined: the next read must bring new bytes, so decode more from the transport first.
        _chunkedNeedsMore = _lastChunkedBuffer.Slice(examined).IsEmpty && !_chunkedDone;
        _connection.OnBodyBytesConsumed(_lastChunkedBuffer.Slice(_lastChunkedBuffer.Start, consumed).Length);
        _lastChunkedBuffer = default;
        ChunkedPipe.Reader.AdvanceTo(consumed, examined);
    }

    private readonly struct TrailerHandler(RequestHeaders trailers) : IHttpHeadersHandler
    {
        public void OnHeader(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value) => trailers.Append(name, value);
    }
}
