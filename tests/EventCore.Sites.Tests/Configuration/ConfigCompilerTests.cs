namespace EventCore.Sites.Tests.Configuration;

public sealed class ConfigCompilerTests
{
    private const string Full = """
        workers 4;
        client_max_body_size 2m;
        cgi_timeout 1m30s;
        cgi_max_processes 8;
        keepalive_timeout 75s;
        client_header_timeout 500ms;
        client_body_timeout 1h;
        send_timeout 10;
        access_log off;
        default_type text/plain;
        server {
            listen 127.0.0.1:8080;
            listen [::1]:8081;
            listen 9000;
            server_name Example.COM *.example.com;
            root www;
            index index.html index.htm;
            autoindex on;
            allow_methods GET POST;
            error_page 404 500 /error.html;
            return 301 https://example.org/;
            upload_store /srv/uploads;
            cgi .php /usr/bin/php-cgi;
            cgi .py python3;
            cgi .cgi exec;
            cgi .sh bin/sh;
            location = /exact { return 200 "exact text"; }
            location ^~ /static/ { alias files/; client_max_body_size 0; }
            location ~* \.(png|jpg)$ { default_type image/png; }
            location /outer/ { location /outer/inner/ { autoindex off; } }
        }
        """;

    [Fact]
    public void Every_directive_becomes_its_key_under_Sites()
    {
        var data = ConfigAssert.Compile(Full);
        var expected = new Dictionary<string, string>
        {
            ["Sites:Workers"] = "4",
            ["Sites:ClientMaxBodySize"] = "2097152",
            ["Sites:CgiTimeout"] = "00:01:30",
            ["Sites:CgiMaxProcesses"] = "8",
            ["Sites:KeepaliveTimeout"] = "00:01:15",
            ["Sites:ClientHeaderTimeout"] = "00:00:00.5000000",
            ["Sites:ClientBodyTimeout"] = "01:00:00",
            ["Sites:SendTimeout"] = "00:00:10",
            ["Sites:AccessLog"] = "off",
            ["Sites:DefaultType"] = "text/plain",
            ["Sites:Servers:0:Listen:0"] = "127.0.0.1:8080",
            ["Sites:Servers:0:Listen:1"] = "[::1]:8081",
            ["Sites:Servers:0:Listen:2"] = "*:9000",
            ["Sites:Servers:0:ServerName:0"] = "example.com",
            ["Sites:Servers:0:ServerName:1"] = "*.example.com",
            ["Sites:Servers:0:Root"] = "/etc/webserv/www",
            ["Sites:Servers:0:Index:0"] = "index.html",
            ["Sites:Servers:0:Index:1"] = "index.htm",
            ["Sites:Servers:0:Autoindex"] = "true",
            ["Sites:Servers:0:AllowMethods:0"] = "GET",
            ["Sites:Servers:0:AllowMethods:1"] = "POST",
            ["Sites:Servers:0:ErrorPages:404"] = "/error.html",
            ["Sites:Servers:0:ErrorPages:500"] = "/error.html",
            ["Sites:Servers:0:Return:Code"] = "301",
            ["Sites:Servers:0:Return:Text"] = "https://example.org/",
            ["Sites:Servers:0:UploadStore"] = "/srv/uploads",
            ["Sites:Servers:0:Cgi:.php"] = "/usr/bin/php-cgi",
            ["Sites:Servers:0:Cgi:.py"] = "python3",
            ["Sites:Servers:0:Cgi:.cgi"] = "exec",
            ["Sites:Servers:0:Cgi:.sh"] = "/etc/webserv/bin/sh",
            ["Sites:Servers:0:Locations:0:Match"] = "=",
            ["Sites:Servers:0:Locations:0:Path"] = "/exact",
            ["Sites:Servers:0:Locations:0:Return:Code"] = "200",
            ["Sites:Servers:0:Locations:0:Return:Text"] = "exact text",
            ["Sites:Servers:0:Locations:1:Match"] = "^~",
            ["Sites:Servers:0:Locations:1:Path"] = "/static/",
            ["Sites:Servers:0:Locations:1:Alias"] = "/etc/webserv/files/",
            ["Sites:Servers:0:Locations:1:ClientMaxBodySize"] = "0",
            ["Sites:Servers:0:Locations:2:Match"] = "~*",
            ["Sites:Servers:0:Locations:2:Path"] = @"\.(png|jpg)$",
            ["Sites:Servers:0:Locations:2:DefaultType"] = "image/png",
            ["Sites:Servers:0:Locations:3:Match"] = "",
            ["Sites:Servers:0:Locations:3:Path"] = "/outer/",
            ["Sites:Servers:0:Locations:3:Locations:0:Match"] = "",
            ["Sites:Servers:0:Locations:3:Locations:0:Path"] = "/outer/inner/",
            ["Sites:Servers:0:Locations:3:Locations:0:Autoindex"] = "false",
        };
        Assert.Equal(expected.OrderBy(p => p.Key, StringComparer.Ordinal), data.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => KeyValuePair.Create(p.Key, p.Value!)));
    }

    [Theory]
    [InlineData("workers auto;\n", null)]
    [InlineData("client_max_body_size 10k;", "10240")]
    [InlineData("client_max_body_size 10K;", "10240")]
    [InlineData("client_max_body_size 1g;", "1073741824")]
    [InlineData("client_max_body_size 512;", "512")]
    public void Sizes_and_auto(string text, string? value)
    {
        var data = ConfigAssert.Compile(text);
        Assert.Equal(value, data.Values.SingleOrDefault());
    }

    [Theory]
    [InlineData("frobnicate on;", 1, "unknown directive \"frobnicate\"")]
    [InlineData("server {\n  listen 80;\n  bogus 1;\n}", 3, "unknown directive \"bogus\"")]
    public void Unknown_directive(string text, int line, string reason) => ConfigAssert.Fails(text, line, reason);

    [Theory]
    [InlineData("workers;", "workers")]
    [InlineData("workers 1 2;", "workers")]
    [InlineData("server {\n root;\n}", "root")]
    [InlineData("server {\n cgi .php;\n}", "cgi")]
    [InlineData("server {\n cgi .php a b;\n}", "cgi")]
    [InlineData("server {\n error_page 404;\n}", "error_page")]
    [InlineData("server {\n return 301 /a /b;\n}", "return")]
    [InlineData("server {\n location {\n }\n}", "location")]
    [InlineData("server {\n location = /a /b {\n }\n}", "location")]
    [InlineData("server x {\n}", "server")]
    public void Wrong_argument_count(string text, string name) =>
        ConfigAssert.Fails(text, text.StartsWith("server {\n", StringComparison.Ordinal) ? 2 : 1, $"invalid number of arguments in \"{name}\" directive");

    [Theory]
    [InlineData("listen 80;", 1, "listen")]
    [InlineData("root /srv;", 1, "root")]
    [InlineData("location / { }", 1, "location")]
    [InlineData("server {\n workers 2;\n}", 2, "workers")]
    [InlineData("server {\n alias /srv;\n}", 2, "alias")]
    [InlineData("server {\n server { }\n}", 2, "server")]
    [InlineData("server {\n cgi_max_processes 4;\n}", 2, "cgi_max_processes")]
    [InlineData("server {\n location / {\n  listen 80;\n }\n}", 3, "listen")]
    [InlineData("server {\n location / {\n  access_log off;\n }\n}", 3, "access_log")]
    [InlineData("server {\n location / {\n  keepalive_timeout 5s;\n }\n}", 3, "keepalive_timeout")]
    public void Wrong_context(string text, int line, string name) => ConfigAssert.Fails(text, line, $"\"{name}\" directive is not allowed here");

    [Theory]
    [InlineData("client_max_body_size 10x;", "10x")]
    [InlineData("client_max_body_size -1;", "-1")]
    [InlineData("client_max_body_size 99999999999999999g;", "99999999999999999g")]
    [InlineData("cgi_timeout 5y;", "5y")]
    [InlineData("cgi_timeout s;", "s")]
    [InlineData("workers 0;", "0")]
    [InlineData("workers many;", "many")]
    [InlineData("cgi_max_processes 0;", "0")]
    [InlineData("default_type html;", "html")]
    [InlineData("server {\n listen 70000;\n}", "70000")]
    [InlineData("server {\n listen example.com:80;\n}", "example.com:80")]
    [InlineData("server {\n listen 1.2.3:80;\n}", "1.2.3:80")]
    [InlineData("server {\n listen [::1:80;\n}", "[::1:80")]
    [InlineData("server {\n server_name bad/name;\n}", "bad/name")]
    [InlineData("server {\n autoindex yes;\n}", "yes")]
    [InlineData("server {\n allow_methods get;\n}", "get")]
    [InlineData("server {\n index a/b.html;\n}", "a/b.html")]
    [InlineData("server {\n error_page 200 /e.html;\n}", "200")]
    [InlineData("server {\n error_page 404 e.html;\n}", "e.html")]
    [InlineData("server {\n return 99;\n}", "99")]
    [InlineData("server {\n return abc;\n}", "abc")]
    [InlineData("server {\n cgi php /usr/bin/php-cgi;\n}", "php")]
    [InlineData("server {\n location ~ ([a-z {\n }\n}", "([a-z")]
    [InlineData("server {\n location ! /a {\n }\n}", "!")]
    [InlineData("server {\n location relative {\n }\n}", "relative")]
    public void Bad_value(string text, string value) =>
        ConfigAssert.Fails(text, text.StartsWith("server {\n", StringComparison.Ordinal) ? 2 : 1, $"invalid value \"{value}\"");

    [Theory]
    [InlineData("server {\n location /a/ {\n  location /b/ { }\n }\n}", 3, "location \"/b/\" is outside location \"/a/\"")]
    [InlineData("server {\n location = /a {\n  location /a { }\n }\n}", 3, "cannot be inside the exact location \"/a\"")]
    public void Nested_location_outside_its_parent(string text, int line, string reason) => ConfigAssert.Fails(text, line, reason);

    [Fact]
    public void Redirect_without_url_is_an_error() => ConfigAssert.Fails("server {\n return 301;\n}", 2, "\"return 301\" needs the URL");

    [Theory]
    [InlineData("server {\n root /a;\n root /b;\n}", 3, "\"root\" directive is duplicate")]
    [InlineData("server {\n location / {\n  root /a;\n  alias /b;\n }\n}", 4, "\"alias\" directive is duplicate, \"root\" directive was specified earlier")]
    [InlineData("workers 1;\nworkers 2;", 2, "\"workers\" directive is duplicate")]
    [InlineData("server {\n listen 80;\n listen *:80;\n}", 3, "duplicate listen *:80 in one server")]
    [InlineData("server {\n cgi .php a;\n cgi .PHP b;\n}", 3, "duplicate \"cgi .PHP\"")]
    [InlineData("server {\n location ~ a {\n  alias /x;\n }\n}", 3, "not supported in a regex location")]
    public void Duplicates_in_one_block(string text, int line, string reason) => ConfigAssert.Fails(text, line, reason);

    [Theory]
    [InlineData("server {\n listen 80;\n server_name a.com;\n}\nserver {\n listen 80;\n server_name b.com A.com;\n}", 5, "duplicate listen *:80 with server_name \"a.com\" (the same pair is at /etc/webserv/test.conf:1)")]
    [InlineData("server {\n}\nserver {\n}", 3, "duplicate listen *:8080 with server_name \"\"")]
    public void Duplicate_listen_and_server_name_across_servers(string text, int line, string reason) => ConfigAssert.Fails(text, line, reason);

    [Fact]
    public void Same_name_on_different_addresses_is_fine()
    {
        var data = ConfigAssert.Compile("server { listen 80; server_name a; }\nserver { listen 81; server_name a; }\nserver { listen 127.0.0.1:80; server_name a; }");
        Assert.Equal("127.0.0.1:80", data["Sites:Servers:2:Listen:0"]);
    }
}
