using EventCore.Server.Http1;
using static EventCore.Server.Tests.ParserTestSupport;

namespace EventCore.Server.Tests;

/// <summary>
/// Content-Length, Transfer-Encoding and Host (RFC 9112 §6, RFC 9110 §7.2, §8.6). Fields are given one per line
/// ("Name: value"); the result reads "Rejection Kind Length".
/// </summary>
public partial class RequestFramingTests
{
    private static string Frame(string fields, HttpVersion version = HttpVersion.Http11, RequestTargetForm form = RequestTargetForm.Origin)
    {
        var framing = default(RequestFraming);
        foreach (string field in fields.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            int colon = field.IndexOf(':', StringComparison.Ordinal);
            framing.OnHeader(Bytes(field[..colon]), Bytes(field[(colon + 1)..].Trim(' ', '\t')));
        }

        RequestRejection rejection = framing.Complete(version, form, out RequestBodyKind kind, out long length);
        return $"{rejection} {kind} {length}";
    }

    [Theory]
    [InlineData("Host: h", "None None 0")]
    [InlineData("Host: h\nContent-Length: 5", "None ContentLength 5")]
    [InlineData("Host: h\nContent-Length: 0", "None ContentLength 0")]
    [InlineData("Host: h\nContent-Length: 005", "None ContentLength 5")]
    [InlineData("Host: h\nContent-Length: 9223372036854775807", "None ContentLength 9223372036854775807")]
    [InlineData("Host: h\ncontent-length: 7", "None ContentLength 7")]
    [InlineData("Host: h\nCONTENT-LENGTH: 7", "None ContentLength 7")]
    [InlineData("Host: h\nContent-Length: 5, 5", "None ContentLength 5")]
    [InlineData("Host: h\nContent-Length: 5,5,5", "None ContentLength 5")]
    [InlineData("Host: h\nContent-Length: 5 ,\t5", "None ContentLength 5")]
    [InlineData("Host: h\nContent-Length: 5\nContent-Length: 5", "None ContentLength 5")]
    [InlineData("Host: h\nContent-Length: 5\nContent-Length: 5, 005", "None ContentLength 5")]
    [InlineData("Host: h\nContent-Length-X: abc\nX-Content-Length: abc", "None None 0")]
    public void Valid_content_length_gives_the_length(string fields, string expected) => Assert.Equal(expected, Frame(fields));

    [Theory]
    [InlineData("+5")]
    [InlineData("-5")]
    [InlineData("-0")]
    [InlineData("5 5")]
    [InlineData("5\t5")]
    [InlineData("0x5")]
    [InlineData("0X5")]
    [InlineData("5.0")]
    [InlineData("5e0")]
    [InlineData("1_000")]
    [InlineData("five")]
    [InlineData("")]
    [InlineData(",")]
    [InlineData("5,")]
    [InlineData(",5")]
    [InlineData("5,,5")]
    [InlineData("\"5\"")]
    [InlineData("9223372036854775808")]
    [InlineData("18446744073709551616")]
    [InlineData("99999999999999999999999999999")]
    [InlineData("\u0665")]
    [InlineData("\u00bd")]
    public void Invalid_content_length_is_rejected(string value)
        => Assert.Equal("InvalidContentLength None 0", Frame("Host: h\nContent-Length: " + value));

    [Theory]
    [InlineData("Content-Length: 5, 6")]
    [InlineData("Content-Length: 5\nContent-Length: 6")]
    [InlineData("Content-Length: 5\nContent-Length: 5, 6")]
    [InlineData("Content-Length: 0\nContent-Length: 00, 1")]
    [InlineData("Content-Length: 1\nContent-Length: 10")]
    public void Differing_content_lengths_are_rejected(string fields)
        => Assert.Equal("MultipleContentLengths None 0", Frame("Host: h\n" + fields));

    [Theory]
    [InlineData("Transfer-Encoding: chunked", "None Chunked 0")]
    [InlineData("Transfer-Encoding: CHUNKED", "None Chunked 0")]
    [InlineData("transfer-encoding: Chunked", "None Chunked 0")]
    [InlineData("Transfer-Encoding: , chunked", "None Chunked 0")]
    [InlineData("Transfer-Encoding: chunked ,", "None Chunked 0")]
    [InlineData("Transfer-Encoding: \nTransfer-Encoding: chunked", "None Chunked 0")]
    // Another coding before the final chunked: understood framing, unsupported coding → 501.
    [InlineData("Transfer-Encoding: gzip, chunked", "UnsupportedTransferCoding None 0")]
    [InlineData("Transfer-Encoding: deflate, chunked", "UnsupportedTransferCoding None 0")]
    [InlineData("Transfer-Encoding: compress, chunked", "UnsupportedTransferCoding None 0")]
    [InlineData("Transfer-Encoding: identity, chunked", "UnsupportedTransferCoding None 0")]
    [InlineData("Transfer-Encoding: x-custom, chunked", "UnsupportedTransferCoding None 0")]
    [InlineData("Transfer-Encoding: gzip;level=1, chunked", "UnsupportedTransferCoding None 0")]
    [InlineData("Transfer-Encoding: gzip\nTransfer-Encoding: chunked", "UnsupportedTransferCoding None 0")]
    // chunked not final, or twice: the length cannot be determined → 400 (RFC 9112 §6.3).
    [InlineData("Transfer-Encoding: chunked, gzip", "ChunkedNotFinalCoding None 0")]
    [InlineData("Transfer-Encoding: chunked, identity", "ChunkedNotFinalCoding None 0")]
    [InlineData("Transfer-Encoding: chunked\nTransfer-Encoding: identity", "ChunkedNotFinalCoding None 0")]
    [InlineData("Transfer-Encoding: gzip", "ChunkedNotFinalCoding None 0")]
    [InlineData("Transfer-Encoding: identity", "ChunkedNotFinalCoding None 0")]
    [InlineData("Transfer-Encoding: xchunked", "ChunkedNotFinalCoding None 0")]
    [InlineData("Transfer-Encoding: chunkedx", "ChunkedNotFinalCoding None 0")]
    [InlineData("Transfer-Encoding: chunk", "ChunkedNotFinalCoding None 0")]
    [InlineData("Transfer-Encoding: x-chunked", "ChunkedNotFinalCoding None 0")]
    [InlineData("Transfer-Encoding: ", "ChunkedNotFinalCoding None 0")]
    [InlineData("Transfer-Encoding: ,", "ChunkedNotFinalCoding None 0")]
    [InlineData("Transfer-Encoding: chunked, chunked", "ChunkedNotFinalCoding None 0")]
    [InlineData("Transfer-Encoding: chunked\nTransfer-Encoding: chunked", "ChunkedNotFinalCoding None 0")]
    [InlineData("Transfer-Encoding: chunked, gzip, chunked", "ChunkedNotFinalCoding None 0")]
    // Not a coding at all.
    [InlineData("Transfer-Encoding: chunked;q=1", "InvalidTransferEncoding None 0")]
    [InlineData("Transfer-Encoding: chunked ; x", "InvalidTransferEncoding None 0")]
    [InlineData("Transfer-Encoding: \"chunked\"", "InvalidTransferEncoding None 0")]
    [InlineData("Transfer-Encoding: chunked x", "InvalidTransferEncoding None 0")]
    [InlineData("Transfer-Encoding: ch\u00fcnked", "InvalidTransferEncoding None 0")]
    [InlineData("Transfer-Encoding: gzip chunked", "InvalidTransferEncoding None 0")]
    [InlineData("Transfer-Encoding: ;, chunked", "InvalidTransferEncoding None 0")]
    public void Transfer_encoding_must_end_in_a_single_chunked(string fields, string expected)
        => Assert.Equal(expected, Frame("Host: h\n" + fields));

    [Theory]
    [InlineData("Content-Length: 5\nTransfer-Encoding: chunked")]
    [InlineData("Transfer-Encoding: chunked\nContent-Length: 5")]
    [InlineData("Transfer-Encoding: chunked\nContent-Length: 0")]
    [InlineData("Transfer-Encoding: gzip, chunked\nContent-Length: 5")]
    [InlineData("Transfer-Encoding: xchunked\nContent-Length: 5")]
    public void Transfer_encoding_with_content_length_is_rejected(string fields)
    {
        var framing = default(RequestFraming);
        framing.OnHeader("Host"u8, "h"u8);
        foreach (string field in fields.Split('\n'))
        {
            int colon = field.IndexOf(':', StringComparison.Ordinal);
            framing.OnHeader(Bytes(field[..colon]), Bytes(field[(colon + 2)..]));
        }

        Assert.Equal(RequestRejection.ContentLengthWithTransferEncoding, framing.Complete(HttpVersion.Http11, RequestTargetForm.Origin, out _, out _));
        Assert.True(framing.HasTransferEncoding);
        Assert.True(framing.HasContentLength);
    }

    [Theory]
    [InlineData("Transfer-Encoding: chunked", "TransferEncodingInHttp10 None 0")]
    [InlineData("Transfer-Encoding: gzip", "TransferEncodingInHttp10 None 0")]
    [InlineData("Content-Length: 3", "None ContentLength 3")]
    [InlineData("", "None None 0")]
    [InlineData("Host: a\nHost: b", "MultipleHosts None 0")]
    [InlineData("Host: a b", "InvalidHost None 0")]
    public void Http10_allows_no_host_and_no_transfer_encoding(string fields, string expected)
        => Assert.Equal(expected, Frame(fields, HttpVersion.Http10));

    [Fact]
    public void First_rejection_is_sticky()
    {
        var framing = default(RequestFraming);

        Assert.Equal(RequestRejection.InvalidContentLength, framing.OnHeader("Content-Length"u8, "x"u8));
        Assert.Equal(RequestRejection.InvalidContentLength, framing.OnHeader("Host"u8, "h"u8));
        Assert.Equal(RequestRejection.InvalidContentLength, framing.Complete(HttpVersion.Http11, RequestTargetForm.Origin, out RequestBodyKind kind, out _));
        Assert.Equal(RequestBodyKind.None, kind);

        framing.Reset();
        framing.OnHeader("Host"u8, "h"u8);
        Assert.Equal(RequestRejection.None, framing.Complete(HttpVersion.Http11, RequestTargetForm.Origin, out _, out _));
        Assert.False(framing.HasTransferEncoding);
        Assert.Equal(1, framing.HostCount);
    }
}
