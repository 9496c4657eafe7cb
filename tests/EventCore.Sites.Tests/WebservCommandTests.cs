using EventCore.Sites.Tests.Support;
using EventCore.Webserv;

namespace EventCore.Sites.Tests;

public sealed class WebservCommandTests
{
    [Fact]
    public async Task Check_of_the_demo_config_exits_0()
    {
        var (status, output, error) = await RunAsync("-t", WebservCommand.DefaultConfig);
        Assert.Equal(0, status);
        Assert.Contains("syntax is ok", output, StringComparison.Ordinal);
        Assert.Empty(error);
    }

    [Fact]
    public async Task Check_of_a_bad_config_exits_1_with_file_and_line()
    {
        using var folder = new TempFolder();
        var config = folder.Write("bad.conf", "server {\n  listen 80;\n  autoindex maybe;\n}\n");
        var (status, _, error) = await RunAsync("-t", config);
        Assert.Equal(1, status);
        Assert.Equal($"webserv: {config}:3: invalid value \"maybe\" in \"autoindex\" directive: expected on or off", error.Trim());
    }

    [Fact]
    public async Task Serving_a_bad_config_exits_1_too()
    {
        using var folder = new TempFolder();
        var config = folder.Write("bad.conf", "server {\n  location ~ (unclosed { }\n}\n");
        var (status, _, error) = await RunAsync(config);
        Assert.Equal(1, status);
        Assert.Contains($"{config}:2: invalid value \"(unclosed\"", error, StringComparison.Ordinal);
    }

    private static async Task<(int Status, string Output, string Error)> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var status = await WebservCommand.RunAsync(args, output, error);
        return (status, output.ToString(), error.ToString());
    }
}
