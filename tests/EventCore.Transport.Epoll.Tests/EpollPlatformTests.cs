using System.Runtime.InteropServices;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace EventCore.Transport.Epoll.Tests;

public class EpollPlatformTests
{
    [Fact]
    public void This_machine_is_supported()
    {
        // The suite runs on Linux x64, so the real check must let everything else here run.
        Assert.True(OperatingSystem.IsLinux());
        Assert.Equal(Architecture.X64, RuntimeInformation.ProcessArchitecture);
        Assert.True(EpollPlatform.IsSupported);
        EpollPlatform.ThrowIfUnsupported("EventCore.Transport.Epoll", "UseEpollTransport()");
    }

    [Fact]
    public void UseEpollTransport_on_another_os_throws_naming_kestrel_and_the_call()
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        using (EpollPlatform.OverrideForTests(isLinux: false, Architecture.X64))
        {
            Assert.False(EpollPlatform.IsSupported);
            var e = Assert.Throws<PlatformNotSupportedException>(() => builder.WebHost.UseEpollTransport());
            Assert.Contains("EventCore.Transport.Epoll runs on Linux x64 only", e.Message, StringComparison.Ordinal);
            Assert.Contains("epoll(7)", e.Message, StringComparison.Ordinal);
            Assert.Contains("Use Kestrel", e.Message, StringComparison.Ordinal);
            Assert.Contains("Sockets transport", e.Message, StringComparison.Ordinal);
            Assert.Contains("remove UseEpollTransport()", e.Message, StringComparison.Ordinal);
            Assert.Contains("OperatingSystem.IsLinux()", e.Message, StringComparison.Ordinal);
        }

        Assert.True(EpollPlatform.IsSupported);
    }

    [Fact]
    public void Factory_on_linux_arm64_throws_naming_the_layout()
    {
        using (EpollPlatform.OverrideForTests(isLinux: true, Architecture.Arm64))
        {
            var e = Assert.Throws<PlatformNotSupportedException>(
                () => new EpollTransportFactory(Options.Create(new EpollTransportOptions()), NullLoggerFactory.Instance));
            Assert.Contains("struct epoll_event", e.Message, StringComparison.Ordinal);
            Assert.Contains("Linux Arm64", e.Message, StringComparison.Ordinal);
            Assert.Contains("Use Kestrel", e.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task The_override_stays_in_its_own_async_flow()
    {
        using var pretending = new ManualResetEventSlim();
        using var checkedElsewhere = new ManualResetEventSlim();
        Task other = Task.Run(() =>
        {
            using (EpollPlatform.OverrideForTests(isLinux: false, Architecture.X64))
            {
                pretending.Set();
                checkedElsewhere.Wait(TimeSpan.FromSeconds(30));
                return EpollPlatform.IsSupported;
            }
        });
        Assert.True(pretending.Wait(TimeSpan.FromSeconds(30)));
        bool supportedHere = EpollPlatform.IsSupported;
        checkedElsewhere.Set();
        Assert.True(supportedHere);
        Assert.False(await (Task<bool>)other);
    }
}
