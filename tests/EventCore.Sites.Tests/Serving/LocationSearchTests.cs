using EventCore.Sites.Serving;
using EventCore.Sites.Tests.Support;
using EventCore.Webserv;
using Microsoft.Extensions.Configuration;

namespace EventCore.Sites.Tests.Serving;

public sealed class LocationSearchTests
{
    private const string Config = """
        server {
            return 200 server;
            location / { return 200 A; }
            location /outer/ {
                return 200 B;
                location /outer/inner/ { return 200 C; }
                location ~ \.txt$ { return 200 D; }
                location = /outer/exact { return 200 E; }
            }
            location ~ \.txt$ { return 200 F; }
            location ^~ /stop/ {
                return 200 G;
                location ~ \.txt$ { return 200 H; }
            }
            location ~ ^/re/ {
                return 200 I;
                location ~ \.md$ { return 200 J; }
            }
            location = /exact { return 200 K; }
        }
        """;

    [Theory]
    [InlineData("/", "A")]
    [InlineData("/x.txt", "F")]
    [InlineData("/outer/a", "B")]
    [InlineData("/outer/inner/a", "C")]
    [InlineData("/outer/a.txt", "D")]
    [InlineData("/outer/inner/a.txt", "D")]
    [InlineData("/outer/exact", "E")]
    [InlineData("/stop/a", "G")]
    [InlineData("/stop/a.txt", "H")]
    [InlineData("/re/a", "I")]
    [InlineData("/re/a.md", "J")]
    [InlineData("/exact", "K")]
    [InlineData("/exact/x", "A")]
    public void Nested_locations_are_searched_as_nginx_does(string path, string location)
    {
        var server = ServerFor(Config);
        Assert.Equal(location, server.Find(path).Settings.Return!.Text);
    }

    [Fact]
    public void Without_a_matching_location_the_server_settings_hold()
    {
        var server = ServerFor("server { return 200 server; location /a/ { return 200 A; } }");
        Assert.Equal("server", server.Find("/b").Settings.Return!.Text);
        Assert.Same(server.Fallback, server.Find("/b"));
    }

    [Fact]
    public void A_regex_that_runs_out_of_time_does_not_match()
    {
        var server = ServerFor("server { return 200 server; location ~ (a+)+$ { return 200 slow; } }");
        Assert.Equal("slow", server.Find("/aaa").Settings.Return!.Text);
        Assert.Equal("server", server.Find("/" + new string('a', 40) + "!").Settings.Return!.Text);
    }

    /// <summary>The first server of <paramref name="config"/>, read as a file and compiled for serving.</summary>
    private static VirtualServer ServerFor(string config)
    {
        using var folder = new TempFolder();
        var options = WebservHost.Bind(new ConfigurationBuilder().AddWebservConfig(folder.Write("n.conf", config)).Build());
        return SiteTable.Build(options, _ => null).Select(null, 80, "")!;
    }
}
