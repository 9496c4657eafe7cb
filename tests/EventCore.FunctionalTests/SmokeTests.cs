namespace EventCore.FunctionalTests;

public class SmokeTests
{
    [Fact]
    public void Builds() => Assert.True(true);
}
