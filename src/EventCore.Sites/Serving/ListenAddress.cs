using System.Globalization;
using System.Net;

namespace EventCore.Sites.Serving;

/// <summary>A <c>listen</c> address: <c>*</c> (any), <c>localhost</c> (any loopback) or one IP, and a port.</summary>
internal sealed record ListenAddress(string Host, IPAddress? Address, int Port)
{
    /// <summary>Parses the normalised form the configuration holds (<c>*:8080</c>, <c>127.0.0.1:80</c>, <c>[::1]:80</c>).</summary>
    public static ListenAddress Parse(string text)
    {
        var colon = text.LastIndexOf(':');
        var host = colon < 0 ? "*" : text[..colon];
        var port = int.Parse(colon < 0 ? text : text[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture);
        IPAddress? address = host is "*" or "localhost" ? null : IPAddress.Parse(host.Trim('[', ']'));
        return new ListenAddress(host, address, port);
    }

    /// <summary>The URL a server binds for it (<c>http://*:8080</c>).</summary>
    public string Url => "http://" + Host + ":" + Port.ToString(CultureInfo.InvariantCulture);

    public bool Matches(IPAddress? local, int port)
    {
        if (port != Port)
        {
            return false;
        }

        if (local is not null && local.IsIPv4MappedToIPv6)
        {
            local = local.MapToIPv4();
        }

        return Host switch
        {
            "*" => true,
            "localhost" => local is null || IPAddress.IsLoopback(local),
            _ => local is null || local.Equals(Address),
        };
    }
}
