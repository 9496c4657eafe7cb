namespace EventCore.Transport.Epoll.Tests;

public class SmokeTests
{
    [Fact]
    public void Builds() => Assert.True(true);
}
