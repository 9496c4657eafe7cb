using System.Buffers;
using EventCore.Server.Http1;

namespace EventCore.Server.Fuzz;

/// <summary>
/// The fuzz targets. Each takes one input and throws <see cref="FuzzFinding"/> (or lets any other exception out)
/// when an invariant breaks; returning normally means the input was handled. Invariants: no exception, the same
/// answer however the input is split (the parser and decoder are incremental), bounded allocation, and for the
/// path decoder a result without dot segments.
/// </summary>
internal static class FuzzTargets
{
    /// <summary>Inputs larger than this are cut (AFL likes to grow them; the limits make larger ones uninteresting).</summary>
    public const int MaxInput = 64 * 1024;

    /// <summary>Byte-at-a-time feeding is quadratic; only inputs up to this size get it.</summary>
    private const int MaxByteByByte = 4096;

    public static IReadOnlyDictionary<string, Action<byte[]>> All { get; } = new Dictionary<string, Action<byte[]>>
    {
        ["head"] = Head,
        ["chunked"] = Chunked,
        ["path"] = Path,
        ["differential"] = input => DifferentialTarget.Run(input),
    };

    /// <summary>The request-head parser and the framing decision, whole and split every way cheap enough.</summary>
    public static void Head(byte[] input)
    {
        var before = GC.GetAllocatedBytesForCurrentThread();
        var whole = HeadRecorder.Parse(Parser.Default, new ReadOnlySequence<byte>(input));
        CheckAllocation(before, input.Length, "head");
        var expected = whole.Describe();
        Same(expected, HeadRecorder.Parse(Parser.Default, Split(input, SplitPoint(input))).Describe(), "split in two");
        Same(expected, HeadRecorder.ParseGrowing(Parser.Default, input, 7).Describe(), "seven bytes at a time");
        if (input.Length <= MaxByteByByte)
        {
            Same(expected, HeadRecorder.ParseGrowing(Parser.Default, input, 1).Describe(), "one byte at a time");
        }

        if (whole.Result == ParseResult.Complete && whole.Path.Length > 0)
        {
            CheckPath(whole.Path);
        }
    }

    /// <summary>The chunked decoder (trailers through the header parser), whole and split.</summary>
    public static void Chunked(byte[] input)
    {
        var before = GC.GetAllocatedBytesForCurrentThread();
        var whole = ChunkedRecorder.Decode(Parser.Default, new ReadOnlySequence<byte>(input));
        CheckAllocation(before, input.Length, "chunked");
        var expected = whole.Describe();
        Same(expected, ChunkedRecorder.Decode(Parser.Default, Split(input, SplitPoint(input))).Describe(), "split in two");
        Same(expected, ChunkedRecorder.DecodeGrowing(Parser.Default, input, 7).Describe(), "seven bytes at a time");
        if (input.Length <= MaxByteByByte)
        {
            Same(expected, ChunkedRecorder.DecodeGrowing(Parser.Default, input, 1).Describe(), "one byte at a time");
        }
    }

    /// <summary>The path decoder on raw bytes (the parser would refuse some of them first; the decoder must not care).</summary>
    public static void Path(byte[] input) => CheckPath(input);

    private static void CheckPath(byte[] raw)
    {
        var decoder = new PathDecoder();
        var before = GC.GetAllocatedBytesForCurrentThread();
        var path = decoder.Decode(raw);
        CheckAllocation(before, raw.Length, "path");
        if (path is null)
        {
            return;
        }

        if (decoder.Decode(raw) != path)
        {
            throw new FuzzFinding("Decoding the same path twice gave two answers.");
        }

        // The parser hands over origin-form paths only, which start with '/'; anything else must merely not crash.
        if (raw.Length == 0 || raw[0] != (byte)'/')
        {
            return;
        }

        if (!path.StartsWith('/'))
        {
            throw new FuzzFinding($"'{path}' lost its leading slash.");
        }

        foreach (var segment in path.Split('/'))
        {
            if (segment is "." or "..")
            {
                throw new FuzzFinding($"'{path}' still has a dot segment.");
            }
        }
    }

    private static void Same(string expected, string actual, string how)
    {
        if (expected != actual)
        {
            throw new FuzzFinding($"{how} gave a different answer:\n  whole: {expected}\n  {how}: {actual}");
        }
    }

    /// <summary>Parsing never allocates in proportion to more than the input (scratch copies, strings of it).</summary>
    private static void CheckAllocation(long before, int length, string what)
    {
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        if (allocated > (16L * length) + (64 * 1024))
        {
            throw new FuzzFinding($"{what}: {allocated} bytes allocated for a {length}-byte input.");
        }
    }

    private static int SplitPoint(byte[] input) => input.Length == 0 ? 0 : (int)((uint)(input[0] * 31 + input[^1]) % (uint)(input.Length + 1));

    private static ReadOnlySequence<byte> Split(byte[] input, int at)
    {
        var first = new Segment(input.AsMemory(0, at));
        var last = first.Append(input.AsMemory(at));
        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    /// <summary>
    /// Holds the parser apart from this class's other statics: under AFL nothing of the instrumented server assembly
    /// may run before SharpFuzz has set up the coverage map, and looking a target up must not create it.
    /// </summary>
    private static class Parser
    {
        public static readonly HttpParser Default = new(HttpParserLimits.Default);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory) => Memory = memory;

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory) { RunningIndex = RunningIndex + Memory.Length };
            Next = next;
            return next;
        }
    }
}
