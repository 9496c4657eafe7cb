using System.Text;

namespace EventCore.Server.Fuzz;

/// <summary>
/// A small deterministic mutator for in-process runs (the test suite's short run, and long runs where AFL++ is
/// not installed): byte flips, inserts, deletes, splices of HTTP tokens that matter for framing, and crossovers
/// between corpus entries. The same seed gives the same inputs.
/// </summary>
internal sealed class Mutator(int seed, IReadOnlyList<byte[]> corpus)
{
    private static readonly byte[][] s_tokens = [.. new[]
    {
        "\r\n", "\n", "\r", "\r\n\r\n", " ", "\t", ":", ";", "=", "\"", ",", "\0", "\u0080", "\u00ff", "0", "1", "9", "f", "F",
        "ffffffffffffffff", "-1", "+1", "0x", "Content-Length: ", "Transfer-Encoding: ", "chunked", "identity", "gzip, chunked",
        "Host: ", "Connection: close", "Expect: 100-continue", "HTTP/1.1", "HTTP/1.0", "HTTP/2.0", "GET ", "POST ", "CONNECT ", "OPTIONS * ",
        "http://a/", "%2e", "%2F", "%00", "%", "/../", "/./", "//", "?", "#", "0\r\n\r\n", "5\r\nhello\r\n", "1;a=b\r\nx\r\n",
    }.Select(Encoding.Latin1.GetBytes)];

    private readonly Random _random = new(seed);
    private readonly IReadOnlyList<byte[]> _corpus = corpus;

    public byte[] Next()
    {
        var input = new List<byte>(_corpus[_random.Next(_corpus.Count)]);
        var rounds = 1 + _random.Next(4);
        for (var i = 0; i < rounds; i++)
        {
            Mutate(input);
        }

        return [.. input.Take(FuzzTargets.MaxInput)];
    }

    private void Mutate(List<byte> input)
    {
        var at = input.Count == 0 ? 0 : _random.Next(input.Count + 1);
        switch (_random.Next(7))
        {
            case 0 when input.Count > 0:
                input[Math.Min(at, input.Count - 1)] ^= (byte)(1 << _random.Next(8));
                break;
            case 1:
                input.Insert(at, (byte)_random.Next(256));
                break;
            case 2 when input.Count > 0:
                input.RemoveRange(Math.Min(at, input.Count - 1), Math.Min(1 + _random.Next(8), input.Count - Math.Min(at, input.Count - 1)));
                break;
            case 3:
            case 4:
                input.InsertRange(at, s_tokens[_random.Next(s_tokens.Length)]);
                break;
            case 5:
                var other = _corpus[_random.Next(_corpus.Count)];
                var from = other.Length == 0 ? 0 : _random.Next(other.Length);
                input.InsertRange(at, other.Skip(from).Take(1 + _random.Next(64)));
                break;
            default:
                if (input.Count > 0)
                {
                    // Repeat a slice: long lines, many headers, many chunks.
                    var start = Math.Min(at, input.Count - 1);
                    var slice = input.GetRange(start, Math.Min(1 + _random.Next(32), input.Count - start));
                    for (var n = _random.Next(1, 64); n > 0; n--)
                    {
                        input.InsertRange(start, slice);
                    }
                }

                break;
        }
    }
}
