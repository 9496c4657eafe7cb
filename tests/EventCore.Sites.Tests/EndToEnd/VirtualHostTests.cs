namespace EventCore.Sites.Tests.EndToEnd;

public sealed class VirtualHostTests(SitesFixture fixture) : IClassFixture<SitesFixture>
{
    [Theory]
    [InlineData("default.test", "default index")]
    [InlineData("other.test", "other index")]
    [InlineData("OTHER.Test", "other index")]
    [InlineData("other.test:12345", "other index")]
    [InlineData("a.wild.test", "other index")]
    [InlineData("deep.a.wild.test", "other index")]
    [InlineData("wild.test", "default index")]
    [InlineData("unknown.test", "default index")]
    [InlineData("127.0.0.1", "default index")]
    public async Task Host_picks_the_server_on_one_port_and_the_first_is_the_default(string host, string body)
    {
        using var client = fixture.Server.Client(0, host);
        Assert.Equal(body, await client.GetStringAsync("/", TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task The_second_port_has_its_own_server()
    {
        using var client = fixture.Server.Client(1, "other.test");
        Assert.Equal("second index", await client.GetStringAsync("/", TestContext.Current.CancellationToken));
    }
}
