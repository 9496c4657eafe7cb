using System.Buffers;
using System.Text;
using EventCore.Server.Http1;
using static EventCore.Server.Tests.ParserTestSupport;

namespace EventCore.Server.Tests;

/// <summary>What decoding a chunked body gave: the data joined, the trailers, and how far the reader went.</summary>
internal sealed record ChunkedOutcome(ChunkedStatus Status, RequestRejection Rejection, string Data, string Trailers, long Consumed);

/// <summary>Feeding strategies for the decoder, and the check that they all agree.</summary>
public partial class ChunkedDecoderTests
{
    private static readonly HttpParser s_default = new(HttpParserLimits.Default);

    /// <summary>Decodes from one buffer until the decoder needs more, completes or rejects.</summary>
    private static ChunkedOutcome Decode(HttpParser parser, ReadOnlySequence<byte> input)
    {
        var session = new DecodeSession(parser);
        var reader = new SequenceReader<byte>(input);
        return session.Run(ref reader) ?? session.Outcome(ChunkedStatus.NeedMoreData, RequestRejection.None);
    }

    /// <summary>Feeds <paramref name="step"/> bytes at a time, keeping the unconsumed bytes, as the connection does.</summary>
    private static ChunkedOutcome DecodeGrowing(HttpParser parser, byte[] input, int step)
    {
        var session = new DecodeSession(parser);
        var pending = new List<byte>();
        for (int offset = 0; offset < input.Length; offset += step)
        {
            pending.AddRange(input.AsSpan(offset, Math.Min(step, input.Length - offset)));
            var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(pending.ToArray()));
            ChunkedOutcome? outcome = session.Run(ref reader);
            if (outcome is not null)
            {
                return outcome;
            }

            pending.RemoveRange(0, (int)reader.Consumed);
        }

        return session.Outcome(ChunkedStatus.NeedMoreData, RequestRejection.None);
    }

    /// <summary>
    /// Decodes <paramref name="body"/> whole, at every two-segment split, byte by byte, seven bytes at a time and as
    /// every truncated prefix (which must need more data, with a prefix of the data, or give the same rejection).
    /// </summary>
    private static ChunkedOutcome CheckChunkedAllWays(string body, HttpParser? parser = null)
    {
        HttpParser p = parser ?? s_default;
        return CheckAllWays(Bytes(body), input => Decode(p, input), (input, step) => DecodeGrowing(p, input, step), AssertSame, AssertPrefix);
    }

    private static void AssertPrefix(ChunkedOutcome whole, ChunkedOutcome prefix, int length)
    {
        bool ok = prefix.Status == ChunkedStatus.NeedMoreData
            ? whole.Data.StartsWith(prefix.Data, StringComparison.Ordinal)
            : prefix.Status == ChunkedStatus.Rejected && whole.Status == ChunkedStatus.Rejected && prefix.Rejection == whole.Rejection;
        Assert.True(ok, $"prefix of {length} bytes gave {prefix.Status} {prefix.Rejection}; whole gave {whole.Status} {whole.Rejection}");
    }

    private static void AssertSame(ChunkedOutcome expected, ChunkedOutcome actual, string how)
    {
        Assert.True(expected.Status == actual.Status && expected.Rejection == actual.Rejection,
            $"{how}: {actual.Status} {actual.Rejection}, whole gave {expected.Status} {expected.Rejection}");
        Assert.Equal(expected.Data, actual.Data);
        Assert.Equal(expected.Trailers, actual.Trailers);
        if (expected.Status != ChunkedStatus.Rejected)
        {
            Assert.Equal(expected.Consumed, actual.Consumed);
        }
    }

    /// <summary>One body being decoded: the decoder, the trailer handler and what was handed out so far.</summary>
    private sealed class DecodeSession(HttpParser parser)
    {
        private readonly ChunkedDecoder _decoder = new(parser);
        private readonly RecordingHandler _trailers = new();
        private readonly StringBuilder _data = new();
        private long _consumed;

        /// <summary>Decodes what the reader holds; the outcome once complete or rejected, null when more is needed.</summary>
        public ChunkedOutcome? Run(ref SequenceReader<byte> reader)
        {
            long start = reader.Consumed;
            ChunkedStatus status;
            RequestRejection rejection;
            while ((status = _decoder.Decode(ref reader, _trailers, out ReadOnlySequence<byte> data, out rejection)) == ChunkedStatus.Data)
            {
                Assert.False(data.IsEmpty);
                _data.Append(Text(data));
            }

            _consumed += reader.Consumed - start;
            return status == ChunkedStatus.NeedMoreData ? null : Outcome(status, rejection);
        }

        public ChunkedOutcome Outcome(ChunkedStatus status, RequestRejection rejection)
            => new(status, rejection, _data.ToString(), string.Join(" | ", _trailers.Headers.Select(h => $"{h.Name}: {h.Value}")), _consumed);
    }
}
