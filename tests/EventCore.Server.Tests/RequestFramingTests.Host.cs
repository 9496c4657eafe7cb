using EventCore.Server.Http1;

namespace EventCore.Server.Tests;

/// <summary>Host (RFC 9110 §7.2): exactly one, a valid <c>uri-host [ ":" port ]</c>; empty only without a target authority.</summary>
public partial class RequestFramingTests
{
    [Theory]
    [InlineData("example.com")]
    [InlineData("EXAMPLE.com:8080")]
    [InlineData("localhost:5000")]
    [InlineData("a")]
    [InlineData("1.2.3.4")]
    [InlineData("1.2.3.4:")]
    [InlineData("host:0")]
    [InlineData("host:65535")]
    [InlineData("host:00080")]
    [InlineData("[::1]")]
    [InlineData("[::1]:443")]
    [InlineData("[2001:db8:85a3::8a2e:370:7334]:8080")]
    [InlineData("[::ffff:192.0.2.1]")]
    [InlineData("xn--bcher-kva.example")]
    [InlineData("ex%41mple.com")]
    [InlineData("my_host-1.example~")]
    [InlineData("a!$&'()*+;=b")]
    public void Valid_host_is_accepted(string host)
        => Assert.Equal("None None 0", Frame("Host: " + host));

    [Theory]
    [InlineData("a b")]
    [InlineData("a,b")]
    [InlineData("a, b")]
    [InlineData("a,")]
    [InlineData("a/b")]
    [InlineData("a?b")]
    [InlineData("a#b")]
    [InlineData("a@b")]
    [InlineData("user@example.com")]
    [InlineData("a\\b")]
    [InlineData("a\"b")]
    [InlineData("a<b>")]
    [InlineData("a:b")]
    [InlineData("a:1:2")]
    [InlineData("a:-1")]
    [InlineData("a:+1")]
    [InlineData("a: 1")]
    [InlineData("a:65536")]
    [InlineData("a:123456")]
    [InlineData(":80")]
    [InlineData(":")]
    [InlineData("[::1")]
    [InlineData("::1")]
    [InlineData("[]")]
    [InlineData("[::1]x")]
    [InlineData("[::1]:x")]
    [InlineData("[1.2.3.4]")]
    [InlineData("[v1.fe]")]
    [InlineData("[fe80::1%25eth0]")]
    [InlineData("[::g]")]
    [InlineData("ex%4")]
    [InlineData("ex%zzample")]
    [InlineData("ex%")]
    [InlineData("b\u00fccher.example")]
    [InlineData("http://example.com")]
    public void Invalid_host_is_rejected(string host)
        => Assert.Equal("InvalidHost None 0", Frame("Host: " + host));

    [Fact]
    public void Missing_host_in_http11_is_rejected()
        => Assert.Equal("MissingHost None 0", Frame("Content-Length: 1"));

    [Fact]
    public void Missing_host_in_http11_is_rejected_even_with_an_absolute_target()
        => Assert.Equal("MissingHost None 0", Frame("Accept: */*", form: RequestTargetForm.Absolute));

    [Theory]
    [InlineData("Host: a\nHost: a")]
    [InlineData("Host: a\nHost: b")]
    [InlineData("Host: a\nhost: a")]
    [InlineData("Host: \nHost: ")]
    [InlineData("Host: a\nHOST: b\nHost: c")]
    public void More_than_one_host_is_rejected(string fields)
        => Assert.Equal("MultipleHosts None 0", Frame(fields));

    [Theory]
    [InlineData(nameof(RequestTargetForm.Origin), "None None 0")]
    [InlineData(nameof(RequestTargetForm.Asterisk), "None None 0")]
    [InlineData(nameof(RequestTargetForm.Absolute), "InvalidHost None 0")]
    [InlineData(nameof(RequestTargetForm.Authority), "InvalidHost None 0")]
    public void Empty_host_is_allowed_only_when_the_target_has_no_authority(string form, string expected)
        => Assert.Equal(expected, Frame("Host: ", form: Enum.Parse<RequestTargetForm>(form)));

    [Fact]
    public void Absolute_form_with_a_different_host_is_accepted()
        => Assert.Equal("None None 0", Frame("Host: other.example", form: RequestTargetForm.Absolute));
}
