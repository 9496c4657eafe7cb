using System.Diagnostics.Metrics;
using EventCore.FunctionalTests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace EventCore.FunctionalTests;

/// <summary>The suite on EventCore with the epoll transport, plus a check that epoll is EventCore's default.</summary>
public sealed class EventCoreEpollTests(EventCoreEpollTests.Hosts hosts, TestWebRoot webRoot)
    : HttpConformanceTests(hosts, webRoot), IClassFixture<EventCoreEpollTests.Hosts>
{
    [Fact(Timeout = TestTimeout)]
    public async Task DefaultTransportIsEpoll()
    {
        var ct = TestContext.Current.CancellationToken;
        long accepted = 0;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == "EventCore.Transport.Epoll" && instrument.Name == "eventcore.transport.accepted_connections")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref accepted, value));
        listener.Start();

        // Plain UseEventCore(), as an app would write it: no transport named.
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseEventCore().UseUrls(ServerSetup.AnyLoopbackPort);
        TestLogging.Configure(builder.Logging);
        await using var app = builder.Build();
        app.MapGet("/", () => "ok");
        await app.StartAsync(ct);
        var endPoint = ServerSetup.GetListeningEndPoint(app.Services.GetRequiredService<IServer>(), ServerKind.EventCoreEpoll);
        using (var connection = await RawConnection.ConnectAsync(endPoint, ct))
        {
            await connection.SendAsync("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n", ct);
            Assert.Equal(200, (await connection.ReadResponseAsync(ct)).StatusCode);
        }

        await app.StopAsync(ct);
        Assert.True(Interlocked.Read(ref accepted) > 0, "UseEventCore() without a TransportFactory did not accept through the epoll transport (its documented default).");
    }

    /// <summary>The suite's hosts.</summary>
    public sealed class Hosts() : ServerHosts(ServerKind.EventCoreEpoll);
}
