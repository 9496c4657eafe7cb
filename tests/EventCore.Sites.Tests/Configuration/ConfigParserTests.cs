using EventCore.Sites.Configuration;
using EventCore.Sites.Tests.Support;

namespace EventCore.Sites.Tests.Configuration;

public sealed class ConfigParserTests
{
    [Fact]
    public void Blocks_nest_and_simple_directives_have_no_children()
    {
        var nodes = ConfigParser.Parse("workers 2;\nserver {\n  location / {\n    root /srv;\n  }\n}\n", "/c.conf");
        Assert.Equal(new[] { "workers", "server" }, nodes.Select(n => n.Name));
        Assert.Null(nodes[0].Children);
        var location = Assert.Single(nodes[1].Children!);
        Assert.Equal(("location", 3, "/"), (location.Name, location.Line, location.Arguments[0]));
        Assert.Equal("root", Assert.Single(location.Children!).Name);
    }

    [Theory]
    [InlineData("server {\n listen 80;\n", 1, "unexpected end of file, expecting \"}\"")]
    [InlineData("root /srv;\n}\n", 2, "unexpected \"}\"")]
    [InlineData("root /srv\n", 1, "unexpected end of file, expecting \";\" or \"{\"")]
    [InlineData("server {\n root /srv }\n", 2, "is not terminated by \";\"")]
    [InlineData(";\n", 1, "unexpected \";\"")]
    [InlineData("\n{ }\n", 2, "unexpected \"{\"")]
    public void Syntax_errors_name_the_line(string text, int line, string reason) => ConfigAssert.Fails(text, line, reason);

    [Fact]
    public void Include_with_a_glob_splices_matching_files_in_name_order_relative_to_the_including_file()
    {
        using var folder = new TempFolder();
        folder.Write("sites/b.conf", "server { listen 8082; }\n");
        folder.Write("sites/a.conf", "server { listen 8081; }\n");
        folder.Write("sites/a.conf.bak", "broken {{{\n");
        var main = folder.Write("main.conf", "workers 1;\ninclude sites/*.conf;\n");
        var data = ConfigCompiler.CompileFile(main);
        Assert.Equal("*:8081", data["Sites:Servers:0:Listen:0"]);
        Assert.Equal("*:8082", data["Sites:Servers:1:Listen:0"]);
    }

    [Fact]
    public void Included_content_is_checked_in_the_context_it_is_included_in_and_errors_name_the_included_file()
    {
        using var folder = new TempFolder();
        var included = folder.Write("conf.d/locations.conf", "location /a { root www; }\nlisten 80;\n");
        var main = folder.Write("main.conf", "server {\n  include conf.d/locations.conf;\n}\n");
        var data = ConfigCompiler.CompileFile(main);
        Assert.Equal(folder.PathOf("conf.d/www"), data["Sites:Servers:0:Locations:0:Root"]);

        folder.Write("main.conf", "include conf.d/locations.conf;\n");
        var error = Assert.Throws<WebservConfigException>(() => ConfigCompiler.CompileFile(main));
        Assert.Equal((included, 1), (error.File, error.Line));
        Assert.Contains("\"location\" directive is not allowed here", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_include_and_self_include_are_errors_at_the_include_line()
    {
        using var folder = new TempFolder();
        var main = folder.Write("main.conf", "workers 1;\ninclude missing.conf;\n");
        var error = Assert.Throws<WebservConfigException>(() => ConfigCompiler.CompileFile(main));
        Assert.Equal((main, 2), (error.File, error.Line));
        Assert.Contains("not found", error.Message, StringComparison.Ordinal);

        folder.Write("main.conf", "include main.conf;\n");
        error = Assert.Throws<WebservConfigException>(() => ConfigCompiler.CompileFile(main));
        Assert.Contains("nested more than", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_glob_that_matches_nothing_includes_nothing()
    {
        using var folder = new TempFolder();
        var main = folder.Write("main.conf", "include none/*.conf;\nserver { }\n");
        Assert.Equal("*:8080", ConfigCompiler.CompileFile(main)["Sites:Servers:0:Listen:0"]);
    }

    [Fact]
    public void Missing_main_file_is_an_error_naming_it()
    {
        var error = Assert.Throws<WebservConfigException>(() => ConfigParser.ParseFile("/nonexistent/webserv.conf"));
        Assert.Equal("/nonexistent/webserv.conf", error.File);
    }
}
