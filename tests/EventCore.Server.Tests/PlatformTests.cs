using System.Runtime.InteropServices;
using EventCore.Transport.Epoll;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;

namespace EventCore.Server.Tests;

public class PlatformTests
{
    [Fact]
    public void UseEventCore_on_another_os_throws_naming_kestrel()
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        using (EpollPlatform.OverrideForTests(isLinux: false, Architecture.X64))
        {
            var e = Assert.Throws<PlatformNotSupportedException>(() => builder.WebHost.UseEventCore());
            Assert.Contains("EventCore.Server runs on Linux x64 only", e.Message, StringComparison.Ordinal);
            Assert.Contains("Use Kestrel, ASP.NET Core's default server, with its default Sockets transport", e.Message, StringComparison.Ordinal);
            Assert.Contains("remove UseEventCore()", e.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void UseEventCore_on_linux_arm64_throws()
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        using (EpollPlatform.OverrideForTests(isLinux: true, Architecture.Arm64))
        {
            var e = Assert.Throws<PlatformNotSupportedException>(() => builder.WebHost.UseEventCore());
            Assert.Contains("x86-64", e.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void UseEventCore_on_linux_x64_registers_the_server()
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseEventCore();
        using WebApplication app = builder.Build();
        Assert.IsType<EventCoreServer>(app.Services.GetService(typeof(Microsoft.AspNetCore.Hosting.Server.IServer)));
    }
}
