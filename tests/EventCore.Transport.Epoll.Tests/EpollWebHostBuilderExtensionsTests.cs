using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace EventCore.Transport.Epoll.Tests;

public class EpollWebHostBuilderExtensionsTests
{
    [Fact]
    public async Task Registers_the_factory_and_binds_options_from_configuration_then_code()
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["EventCore:Transport:LoopCount"] = "3",
            ["EventCore:Transport:ArmingMode"] = "OneShot",
            ["EventCore:Transport:ApplicationScheduling"] = "Inline",
            ["EventCore:Transport:MaxReadBufferSize"] = "4096",
            ["EventCore:Transport:Backlog"] = "7",
        });
        builder.WebHost.UseEpollTransport(o => o.Backlog = 100);
        await using WebApplication app = builder.Build();

        EpollTransportOptions options = app.Services.GetRequiredService<IOptions<EpollTransportOptions>>().Value;
        Assert.Equal(3, options.LoopCount);
        Assert.Equal(ArmingMode.OneShot, options.ArmingMode);
        Assert.Equal(ApplicationScheduling.Inline, options.ApplicationScheduling);
        Assert.Equal(4096, options.MaxReadBufferSize);
        Assert.Equal(100, options.Backlog);
        Assert.IsType<EpollTransportFactory>(app.Services.GetServices<IConnectionListenerFactory>().Last());
    }

    [Fact]
    public void Defaults_are_documented_values()
    {
        var options = new EpollTransportOptions();
        Assert.Equal(Environment.ProcessorCount, options.LoopCount);
        Assert.Equal(512, options.Backlog);
        Assert.Equal(1024 * 1024, options.MaxReadBufferSize);
        Assert.Equal(64 * 1024, options.MaxWriteBufferSize);
        Assert.False(options.PinThreads);
        Assert.Equal(ApplicationScheduling.Inline, options.ApplicationScheduling);
        Assert.Equal(ArmingMode.Persistent, options.ArmingMode);
        Assert.Equal(TimeSpan.FromMilliseconds(1), options.BlockedLoopThreshold);
        Assert.Equal(256, options.MaxBlockedLoopThreads);
    }

    [Theory]
    [InlineData(0, 256)]
    [InlineData(-1, 256)]
    [InlineData(1, -1)]
    public void Factory_refuses_a_guard_that_cannot_work(int thresholdMs, int maxThreads)
    {
        var options = new EpollTransportOptions { BlockedLoopThreshold = TimeSpan.FromMilliseconds(thresholdMs), MaxBlockedLoopThreads = maxThreads };
        Assert.Throws<ArgumentOutOfRangeException>(() => new EpollTransportFactory(Options.Create(options), Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance));
    }

    [Fact]
    public async Task Factory_selects_IP_endpoints_and_Unix_sockets_only()
    {
        await using var factory = new EpollTransportFactory(Options.Create(new EpollTransportOptions()), Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance);
        Assert.True(factory.CanBind(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 0)));
        Assert.True(factory.CanBind(new System.Net.Sockets.UnixDomainSocketEndPoint("/tmp/x.sock")));
        var pipe = new Microsoft.AspNetCore.Connections.NamedPipeEndPoint("x");
        Assert.False(factory.CanBind(pipe));
        await Assert.ThrowsAsync<NotSupportedException>(() => factory.BindAsync(pipe).AsTask());
        Assert.Empty(factory.Loops);
    }
}
