using System.Text;
using EventCore.Sites.Options;
using EventCore.Sites.Tests.Support;
using EventCore.Webserv;
using Microsoft.Extensions.Configuration;

namespace EventCore.Sites.Tests.Configuration;

public sealed class BindingTests
{
    private const string Conf = """
        client_max_body_size 1k;
        cgi_timeout 5s;
        server {
            listen 127.0.0.1:8080;
            server_name example.com;
            root /srv/www;
            index index.html;
            error_page 404 /404.html;
            cgi .php /usr/bin/php-cgi;
            location ^~ /files/ {
                alias /srv/files/;
                autoindex on;
                allow_methods GET HEAD PUT;
                return 302 /elsewhere;
            }
        }
        """;

    private const string Json = """
        { "Sites": {
            "ClientMaxBodySize": 1024,
            "CgiTimeout": "00:00:05",
            "Servers": [ {
                "Listen": [ "127.0.0.1:8080" ],
                "ServerName": [ "example.com" ],
                "Root": "/srv/www",
                "Index": [ "index.html" ],
                "ErrorPages": { "404": "/404.html" },
                "Cgi": { ".php": "/usr/bin/php-cgi" },
                "Locations": [ {
                    "Match": "^~", "Path": "/files/", "Alias": "/srv/files/", "Autoindex": true,
                    "AllowMethods": [ "GET", "HEAD", "PUT" ],
                    "Return": { "Code": 302, "Text": "/elsewhere" }
                } ]
            } ]
        } }
        """;

    [Fact]
    public void The_file_and_an_appsettings_Sites_section_bind_to_the_same_options()
    {
        using var folder = new TempFolder();
        var fromFile = WebservHost.Bind(new ConfigurationBuilder().AddWebservConfig(folder.Write("site.conf", Conf)).Build());
        var fromJson = WebservHost.Bind(new ConfigurationBuilder().AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(Json))).Build());
        Assert.Equal(Describe(fromJson), Describe(fromFile));

        var server = Assert.Single(fromFile.Servers);
        Assert.Equal(1024, fromFile.ClientMaxBodySize);
        Assert.Equal(TimeSpan.FromSeconds(5), fromFile.CgiTimeout);
        var location = Assert.Single(server.Locations);
        Assert.Equal(("^~", "/files/", "/srv/files/", true, 302), (location.Match, location.Path, location.Alias, location.Autoindex, location.Return!.Code));
        Assert.Null(location.Root);
        Assert.Null(location.Index);
    }

    private static string Describe(SitesOptions options) => System.Text.Json.JsonSerializer.Serialize(options, s_json);

    private static readonly System.Text.Json.JsonSerializerOptions s_json = new() { WriteIndented = true };
}
