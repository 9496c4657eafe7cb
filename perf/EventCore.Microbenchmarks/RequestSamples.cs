using System.Buffers;
using System.Text;

namespace EventCore.Microbenchmarks;

/// <summary>The request bytes the parsing benchmarks feed the parser.</summary>
internal static class RequestSamples
{
    /// <summary>What the TechEmpower plaintext benchmark's client (wrk) sends.</summary>
    public static readonly byte[] TechEmpower = Encoding.ASCII.GetBytes(
        "GET /plaintext HTTP/1.1\r\n" +
        "Host: localhost:8080\r\n" +
        "Accept: text/plain,text/html;q=0.9,application/xhtml+xml;q=0.9,application/xml;q=0.8,*/*;q=0.7\r\n" +
        "Connection: keep-alive\r\n" +
        "\r\n");

    /// <summary>A page load from a current Chrome: client hints, fetch metadata, a cookie.</summary>
    public static readonly byte[] Browser = Encoding.ASCII.GetBytes(
        "GET /products/list?page=2&sort=price HTTP/1.1\r\n" +
        "Host: shop.example.com\r\n" +
        "Connection: keep-alive\r\n" +
        "sec-ch-ua: \"Chromium\";v=\"142\", \"Google Chrome\";v=\"142\", \"Not_A Brand\";v=\"99\"\r\n" +
        "sec-ch-ua-mobile: ?0\r\n" +
        "sec-ch-ua-platform: \"Linux\"\r\n" +
        "Upgrade-Insecure-Requests: 1\r\n" +
        "User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/142.0.0.0 Safari/537.36\r\n" +
        "Accept: text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8,application/signed-exchange;v=b3;q=0.7\r\n" +
        "Sec-Fetch-Site: same-origin\r\n" +
        "Sec-Fetch-Mode: navigate\r\n" +
        "Sec-Fetch-User: ?1\r\n" +
        "Sec-Fetch-Dest: document\r\n" +
        "Referer: https://shop.example.com/products/list?page=1&sort=price\r\n" +
        "Accept-Encoding: gzip, deflate, br, zstd\r\n" +
        "Accept-Language: en-GB,en-US;q=0.9,en;q=0.8\r\n" +
        "Cookie: .AspNetCore.Session=CfDJ8N2xZ1Yk3pQ; .AspNetCore.Cookies=CfDJ8N2xZ1Yk3pQvW8sT0aBcDeFgHiJkLmNoPqRsTuVwXyZ; theme=dark\r\n" +
        "\r\n");

    public const int PipelineDepth = 16;

    /// <summary><see cref="PipelineDepth"/> TechEmpower requests back to back, as a pipelining client writes them.</summary>
    public static readonly byte[] Pipelined = [.. Enumerable.Repeat(TechEmpower, PipelineDepth).SelectMany(request => request)];

    /// <summary>A chunked body of <paramref name="chunks"/> chunks of <paramref name="chunkSize"/> bytes, then the last chunk.</summary>
    public static byte[] ChunkedBody(int chunks, int chunkSize)
    {
        var body = new StringBuilder();
        for (var i = 0; i < chunks; i++)
        {
            body.Append(chunkSize.ToString("x", System.Globalization.CultureInfo.InvariantCulture)).Append("\r\n");
            body.Append('x', chunkSize).Append("\r\n");
        }

        return Encoding.ASCII.GetBytes(body.Append("0\r\n\r\n").ToString());
    }

    /// <summary>The bytes split in two buffer segments at <paramref name="splitAt"/>, as a read that spans two pool blocks.</summary>
    public static ReadOnlySequence<byte> TwoSegments(byte[] bytes, int splitAt)
    {
        var first = new Segment(bytes.AsMemory(0, splitAt), 0);
        var second = first.Append(bytes.AsMemory(splitAt));
        return new ReadOnlySequence<byte>(first, 0, second, second.Memory.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}
