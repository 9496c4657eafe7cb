using System.Net;
using EventCore.Sites.Tests.Support;

namespace EventCore.Sites.Tests.EndToEnd;

public sealed class CgiTests(SitesFixture fixture) : IClassFixture<SitesFixture>
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Php_runs_through_php_cgi_for_get_and_post()
    {
        Interpreters.Need(Interpreters.PhpCgi);
        using var client = fixture.Server.Client();
        Assert.Equal("php says a&lt;b GET", await client.GetStringAsync("/cgi/hello.php?name=a%3Cb", Cancel));
        var post = await client.PostAsync("/cgi/hello.php?name=x", new FormUrlEncodedContent([new("a", "b")]), Cancel);
        Assert.Equal("php says x POST", await post.Content.ReadAsStringAsync(Cancel));
    }

    [Fact]
    public async Task Python_gets_the_body_path_info_and_script_name()
    {
        Interpreters.Need(Interpreters.Python);
        using var client = fixture.Server.Client();
        var response = await client.PostAsync("/cgi/echo.py/extra/path", new StringContent("shout"), Cancel);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("POST /extra/path /cgi/echo.py SHOUT", await response.Content.ReadAsStringAsync(Cancel));
    }

    [Fact]
    public async Task Cgi_faults_go_through_the_error_pages_and_methods_are_checked_first()
    {
        Interpreters.Need(Interpreters.Python);
        using var client = fixture.Server.Client();
        var missing = await client.GetAsync("/cgi/missing.py", Cancel);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal("custom not found page", await missing.Content.ReadAsStringAsync(Cancel));

        var crash = await client.GetAsync("/cgi/crash.py", Cancel);
        Assert.Equal(HttpStatusCode.BadGateway, crash.StatusCode);
        Assert.Contains("<h1>502 Bad Gateway</h1>", await crash.Content.ReadAsStringAsync(Cancel), StringComparison.Ordinal);

        var put = await client.PutAsync("/cgi/echo.py", new StringContent("x"), Cancel);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, put.StatusCode);
        Assert.Equal(new[] { "GET", "POST" }, put.Content.Headers.Allow);
    }

    [Fact]
    public async Task Cgi_timeout_is_504_and_a_script_that_cannot_run_is_403()
    {
        using var client = fixture.Server.Client();
        var slow = await client.GetAsync("/sh/slow.sh", Cancel);
        Assert.Equal(HttpStatusCode.GatewayTimeout, slow.StatusCode);
        Assert.Contains("<h1>504 Gateway Timeout</h1>", await slow.Content.ReadAsStringAsync(Cancel), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, (await client.GetAsync("/sh/noexec.sh", Cancel)).StatusCode);
    }

    [Fact]
    public async Task An_index_script_runs_for_its_folder()
    {
        Interpreters.Need(Interpreters.PhpCgi);
        using var client = fixture.Server.Client();
        Assert.Equal("php index /cgi/app/index.php", await client.GetStringAsync("/cgi/app/", Cancel));
    }

    [Fact]
    public async Task Scripts_are_not_served_as_files_even_for_a_path_below_them()
    {
        Interpreters.Need(Interpreters.PhpCgi);
        using var client = fixture.Server.Client();
        var body = await client.GetStringAsync("/cgi/hello.php/anything", Cancel);
        Assert.DoesNotContain("<?php", body, StringComparison.Ordinal);
    }
}
