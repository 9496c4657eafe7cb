using System.Buffers;
using EventCore.Server.Http1;

namespace EventCore.Server.Fuzz;

/// <summary>Decodes a chunked body with the server's decoder and records the data, trailers and outcome.</summary>
internal sealed class ChunkedRecorder : IHttpHeadersHandler
{
    private readonly ChunkedDecoder _decoder;
    private readonly MemoryStream _data = new();
    private readonly List<string> _trailers = [];

    private ChunkedRecorder(HttpParser parser) => _decoder = new ChunkedDecoder(parser);

    public ChunkedStatus Status { get; private set; } = ChunkedStatus.NeedMoreData;

    public RequestRejection Rejection { get; private set; }

    public byte[] Data => _data.ToArray();

    /// <summary>Bytes of input the body took (valid when complete).</summary>
    public long Consumed { get; private set; }

    public static ChunkedRecorder Decode(HttpParser parser, ReadOnlySequence<byte> input)
    {
        var recorder = new ChunkedRecorder(parser);
        var reader = new SequenceReader<byte>(input);
        recorder.Run(ref reader);
        recorder.Consumed = reader.Consumed;
        return recorder;
    }

    public static ChunkedRecorder DecodeGrowing(HttpParser parser, byte[] input, int step)
    {
        var recorder = new ChunkedRecorder(parser);
        var start = 0;
        for (var end = Math.Min(step, input.Length); ; end = Math.Min(end + step, input.Length))
        {
            var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(input, start, end - start));
            recorder.Run(ref reader);
            start += (int)reader.Consumed;
            if (recorder.Status != ChunkedStatus.NeedMoreData || end == input.Length)
            {
                recorder.Consumed = start;
                return recorder;
            }
        }
    }

    public void OnHeader(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value)
        => _trailers.Add(System.Text.Encoding.Latin1.GetString(name) + ": " + System.Text.Encoding.Latin1.GetString(value));

    public string Describe() => $"{Status} {Rejection} {Convert.ToHexString(Data)} | {string.Join(" | ", _trailers)}";

    private void Run(ref SequenceReader<byte> reader)
    {
        ChunkedStatus status;
        RequestRejection rejection;
        while ((status = _decoder.Decode(ref reader, this, out var data, out rejection)) == ChunkedStatus.Data)
        {
            if (data.IsEmpty)
            {
                throw new FuzzFinding("The decoder handed out an empty data segment.");
            }

            foreach (var segment in data)
            {
                _data.Write(segment.Span);
            }
        }

        (Status, Rejection) = (status, rejection);
    }
}
