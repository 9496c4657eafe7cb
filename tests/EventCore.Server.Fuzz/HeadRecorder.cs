using System.Buffers;
using System.Text;
using EventCore.Server.Http1;

namespace EventCore.Server.Fuzz;

/// <summary>
/// Parses a request head the way the connection does (request line, header section, framing decision) and
/// records what came out as comparable values. One per parse.
/// </summary>
internal sealed class HeadRecorder : IHttpRequestLineHandler, IHttpHeadersHandler
{
    private RequestFraming _framing;

    public string Method { get; private set; } = "";

    public byte[] Target { get; private set; } = [];

    public byte[] Path { get; private set; } = [];

    public HttpVersion Version { get; private set; }

    public RequestTargetForm Form { get; private set; }

    public List<(string Name, string Value)> Headers { get; } = [];

    public ParseResult Result { get; private set; }

    public RequestRejection Rejection { get; private set; }

    public RequestRejection FramingRejection { get; private set; }

    public RequestBodyKind BodyKind { get; private set; }

    public long ContentLength { get; private set; }

    /// <summary>Where the head ended in the input (valid when <see cref="Result"/> is Complete).</summary>
    public long Consumed { get; private set; }

    /// <summary>Accepted: a complete head with a valid framing decision.</summary>
    public bool Accepted => Result == ParseResult.Complete && FramingRejection == RequestRejection.None;

    public static HeadRecorder Parse(HttpParser parser, ReadOnlySequence<byte> input)
    {
        var recorder = new HeadRecorder();
        var reader = new SequenceReader<byte>(input);
        HeaderParsingState state = default;
        var lineDone = false;
        recorder.Step(parser, ref reader, ref state, ref lineDone);
        recorder.Consumed = reader.Consumed;
        return recorder;
    }

    /// <summary>Feeds <paramref name="step"/> bytes at a time, keeping what was not consumed, as the connection does.</summary>
    public static HeadRecorder ParseGrowing(HttpParser parser, byte[] input, int step)
    {
        var recorder = new HeadRecorder();
        HeaderParsingState state = default;
        var lineDone = false;
        var start = 0;
        for (var end = Math.Min(step, input.Length); ; end = Math.Min(end + step, input.Length))
        {
            var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(input, start, end - start));
            recorder.Step(parser, ref reader, ref state, ref lineDone);
            start += (int)reader.Consumed;
            if (recorder.Result != ParseResult.Incomplete || end == input.Length)
            {
                recorder.Consumed = start;
                return recorder;
            }
        }
    }

    public void OnRequestLine(in RequestLine requestLine)
    {
        Method = requestLine.Method;
        Target = requestLine.Target.ToArray();
        Path = requestLine.Path.ToArray();
        Version = requestLine.Version;
        Form = requestLine.Form;
    }

    public void OnHeader(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value)
    {
        Headers.Add((Encoding.Latin1.GetString(name), Encoding.Latin1.GetString(value)));
        _framing.OnHeader(name, value);
    }

    /// <summary>Everything a parse decided, as one string: two parses of the same input must give the same.</summary>
    public string Describe()
        => $"{Result} {Rejection} {FramingRejection} {BodyKind} {ContentLength} | {Method} {Encoding.Latin1.GetString(Target)} {Version} {Form} | "
            + string.Join(" | ", Headers.Select(h => $"{h.Name}: {h.Value}"));

    private void Step(HttpParser parser, ref SequenceReader<byte> reader, ref HeaderParsingState state, ref bool lineDone)
    {
        RequestRejection rejection;
        if (!lineDone)
        {
            var line = parser.ParseRequestLine(this, ref reader, out rejection);
            if (line != ParseResult.Complete)
            {
                (Result, Rejection) = (line, rejection);
                return;
            }

            lineDone = true;
        }

        Result = parser.ParseHeaders(this, ref reader, ref state, out rejection);
        Rejection = rejection;
        if (Result == ParseResult.Complete)
        {
            FramingRejection = _framing.Complete(Version, Form, out var kind, out var length);
            if (FramingRejection == RequestRejection.None)
            {
                FramingRejection = RequestFraming.CheckHttp10Length(Version, Method, kind);
            }

            (BodyKind, ContentLength) = (kind, length);
        }
    }
}
