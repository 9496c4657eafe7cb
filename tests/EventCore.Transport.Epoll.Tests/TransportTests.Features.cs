using System.Net.Sockets;
using Microsoft.AspNetCore.Connections.Features;

namespace EventCore.Transport.Epoll.Tests;

/// <summary>The connection's feature collection.</summary>
public abstract partial class TransportTests
{
    [Fact]
    public async Task A_built_in_feature_set_to_null_is_hidden()
    {
        await using TestServer server = await TestServer.StartAsync(Options, Apps.EchoAsync, acceptLoop: false);
        using Socket client = await server.ConnectAsync();
        var connection = await server.Listener.AcceptAsync().AsTask().WaitAsync(TestServer.Timeout);
        Assert.NotNull(connection);
        var features = connection.Features;
        Assert.NotNull(features.Get<IConnectionSendFileFeature>());

        features.Set<IConnectionSendFileFeature>(null); // what a TLS layer does: sendfile would bypass it
        Assert.Null(features.Get<IConnectionSendFileFeature>());
        Assert.DoesNotContain(features, f => f.Key == typeof(IConnectionSendFileFeature));
        Assert.NotNull(features.Get<IMemoryPoolFeature>()); // the others stay

        features.Set<IConnectionSendFileFeature>((IConnectionSendFileFeature)connection);
        Assert.NotNull(features.Get<IConnectionSendFileFeature>());
        await connection.DisposeAsync();
    }
}
