using System.Text;
using EventCore.Server.Http1;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;

namespace EventCore.Server.Tests;

public class HeaderDictionaryTests
{
    [Theory]
    [InlineData("Bad Name", "v")]
    [InlineData("X:Colon", "v")]
    [InlineData("X-Crlf", "a\r\nb")]
    [InlineData("X-Lf", "a\nb")]
    [InlineData("X-Nul", "a\0b")]
    [InlineData("X-Del", "a\u007fb")]
    [InlineData("X-NonAscii", "caf\u00e9")]
    [InlineData("X-Wide", "\u20ac")]
    public void Response_headers_reject_invalid_names_and_values(string name, string value)
    {
        var headers = new ResponseHeaders();
        Assert.Throws<InvalidOperationException>(() => headers[name] = value);
        Assert.Throws<InvalidOperationException>(() => HeaderDictionaryExtensions.Append(headers, name, value));
        Assert.Empty(headers);
    }

    [Fact]
    public void Response_headers_accept_htab_and_visible_ascii_and_mirror_content_length()
    {
        var headers = new ResponseHeaders { ["X-Ok"] = "a\tb ~!", [HeaderNames.ContentLength] = "42" };
        Assert.Equal(42, headers.ContentLength);
        headers.ContentLength = 13;
        Assert.Equal("13", headers[HeaderNames.ContentLength]);
        Assert.Same(headers[HeaderNames.ContentLength].ToString(), new ResponseHeaders { ContentLength = 13 }[HeaderNames.ContentLength].ToString());
        headers.Remove("content-length");
        Assert.Null(headers.ContentLength);
        Assert.Throws<InvalidOperationException>(() => headers[HeaderNames.ContentLength] = "-1");
    }

    [Fact]
    public void Response_headers_keep_known_bits_through_set_remove_and_clear_in_any_case()
    {
        var headers = new ResponseHeaders { ["date"] = "x", ["SERVER"] = "s", ["X-Other-Name"] = "o" };
        Assert.Equal(KnownResponseHeaders.Date | KnownResponseHeaders.Server, headers.Known);
        headers.Add("connection", "close");
        headers["Transfer-encoding"] = "gzip";
        headers.ContentLength = 5;
        Assert.Equal(KnownResponseHeaders.Date | KnownResponseHeaders.Server | KnownResponseHeaders.Connection
            | KnownResponseHeaders.TransferEncoding | KnownResponseHeaders.ContentLength, headers.Known);
        headers.Remove("DATE");
        headers["Connection"] = StringValues.Empty;
        headers.ContentLength = null;
        headers.Remove(new KeyValuePair<string, StringValues>("server", "s"));
        Assert.Equal(KnownResponseHeaders.TransferEncoding, headers.Known);
        headers.Remove("Datum");
        headers["Dade"] = "not Date";
        Assert.Equal(KnownResponseHeaders.TransferEncoding, headers.Known);
        headers.Clear();
        Assert.Equal(KnownResponseHeaders.None, headers.Known);
    }

    [Fact]
    public void Response_headers_are_read_only_once_committed_until_reset()
    {
        var headers = new ResponseHeaders { ["X-A"] = "1" };
        headers.MakeReadOnly();
        Assert.True(headers.IsReadOnly);
        Assert.Throws<InvalidOperationException>(() => headers["X-B"] = "2");
        Assert.Throws<InvalidOperationException>(() => headers.Remove("X-A"));
        headers.Reset();
        Assert.Empty(headers);
        headers["X-B"] = "2";
    }

    [Fact]
    public void Request_headers_reuse_strings_of_the_previous_request_at_the_same_position()
    {
        var headers = new RequestHeaders();
        IHeaderDictionary view = headers;
        Fill(headers, "Host", "example.com", "X-Custom", "value");
        var host = view.Host.ToString();
        var custom = headers["X-Custom"].ToString();
        var customName = headers.Keys.Last();

        headers.Reset();
        Fill(headers, "host", "example.com", "X-Custom", "value");
        Assert.Same(host, view.Host.ToString());
        Assert.Same(custom, headers["x-custom"].ToString());
        Assert.Same(customName, headers.Keys.Last());
        Assert.Same(HeaderNames.Host, headers.Keys.First());

        headers.Reset();
        Fill(headers, "Host", "other.com", "X-Custom", "value");
        Assert.Equal("other.com", view.Host);
    }

    [Fact]
    public void Request_headers_combine_repeated_fields_and_decode_non_ascii()
    {
        var headers = new RequestHeaders();
        Fill(headers, "Accept", "a", "Accept", "b", "X-Utf8", "caf\u00e9", "Content-Length", "12");
        Assert.Equal(["a", "b"], ((IHeaderDictionary)headers).Accept.ToArray());
        Assert.Equal("caf\u00e9", headers["X-Utf8"]);
        Assert.Equal(12, headers.ContentLength);
        Assert.Equal("\u00ff", RequestHeaders.Decode([0xFF]));
    }

    [Theory]
    [InlineData("host", "Host")]
    [InlineData("CONTENT-LENGTH", "Content-Length")]
    [InlineData("user-agent", "User-Agent")]
    [InlineData("x-unknown", null)]
    public void Known_header_names_are_recognised_case_insensitively(string name, string? expected)
    {
        var found = KnownHeaders.Find(Encoding.ASCII.GetBytes(name));
        Assert.Equal(expected, found);
    }

    [Fact]
    public void Lookups_find_every_stored_name_whatever_its_length_and_case_and_miss_the_others()
    {
        var headers = new ResponseHeaders();
        var six = "X-Sixy";
        var seventy = "X-" + new string('s', 68); // 70 % 64 == 6: a length filter must not confuse it with "X-Sixy"
        headers[seventy] = "long";
        Assert.False(headers.ContainsKey(six));
        Assert.Equal("long", headers[seventy.ToUpperInvariant()]);
        headers[six] = "short";
        Assert.Equal("short", headers["x-sixy"]);
        Assert.True(headers.Remove(seventy));
        Assert.False(headers.TryGetValue(seventy, out _));
        Assert.Equal("short", headers[six]);
        Assert.False(headers.ContainsKey("X-Other")); // a length never stored
        headers.Clear();
        Assert.False(headers.ContainsKey(six));
        headers.Add(six, "again");
        var containsIgnoringCase = headers.Contains(new KeyValuePair<string, StringValues>("X-SIXY", "again"));
        Assert.True(containsIgnoringCase);
        Assert.Throws<ArgumentException>(() => headers.Add("x-sixy", "twice"));

        var request = new RequestHeaders();
        Fill(request, "Host", "a");
        request.Reset();
        Assert.False(request.ContainsKey("Host"));
        Fill(request, "HOST", "b");
        Assert.Equal("b", request["host"]);
    }

    [Fact]
    public void Every_response_slot_name_is_found_in_any_case_and_other_names_are_not()
    {
        Assert.Equal(["Date", "Server", "Connection", "Transfer-Encoding", "Content-Length"], ResponseHeaderNames.Names[..5]); // KnownResponseHeaders' bits
        for (var slot = 0; slot < ResponseHeaderNames.Count; slot++)
        {
            var name = ResponseHeaderNames.Names[slot];
            Assert.Equal(slot, ResponseHeaderNames.Slot(name));
            Assert.Equal(slot, ResponseHeaderNames.Slot(name.ToUpperInvariant()));
            Assert.Equal(slot, ResponseHeaderNames.Slot(new string(name.ToLowerInvariant())));
            Assert.Equal(Encoding.ASCII.GetBytes(name + ": "), ResponseHeaderNames.Prefix(slot).ToArray());
        }

        Assert.All(["Dade", "Servet", "Content-Typo", "X-Powered-By", "", "Content-Lengths"], name => Assert.Equal(-1, ResponseHeaderNames.Slot(name)));
    }

    [Fact]
    public void Response_headers_hold_slot_and_other_names_alike()
    {
        var headers = new ResponseHeaders { ["X-First"] = "1", ["content-type"] = "text/plain", ["X-Second"] = "2", [HeaderNames.ETag] = "\"e\"" };
        headers.Append(HeaderNames.SetCookie, "a=1");
        headers.Append(HeaderNames.SetCookie, "b=2");
        Assert.Equal(5, headers.Count);
        Assert.Equal(["Content-Type", "Set-Cookie", "ETag", "X-First", "X-Second"], headers.Keys); // slots in order, then the others
        Assert.Equal(["a=1", "b=2"], headers[HeaderNames.SetCookie].ToArray());
        Assert.Equal("text/plain", ((IHeaderDictionary)headers).ContentType);
        var copy = new KeyValuePair<string, StringValues>[6];
        headers.CopyTo(copy, 1);
        Assert.Equal(new KeyValuePair<string, StringValues>("X-Second", "2"), copy[5]);
        Assert.Throws<KeyNotFoundException>(() => ((IDictionary<string, StringValues>)headers)[HeaderNames.Location]);
        Assert.True(headers.Remove("ETAG"));
        Assert.False(headers.Remove(HeaderNames.ETag));
        Assert.False(headers.ContainsKey(HeaderNames.ETag));
        Assert.Equal(StringValues.Empty, headers[HeaderNames.ETag]);
        headers.Clear();
        Assert.Empty(headers);
        Assert.Empty(headers.Values);
    }

    private static void Fill(RequestHeaders headers, params string[] pairs)
    {
        for (var i = 0; i < pairs.Length; i += 2)
        {
            headers.Append(Encoding.ASCII.GetBytes(pairs[i]), Encoding.UTF8.GetBytes(pairs[i + 1]));
        }
    }
}
