using EventCore.Transport.Epoll;

namespace MinimalApi;

/// <summary>Which server runs the app: <c>--server eventcore|kestrel|kestrel-epoll</c> (default eventcore).</summary>
internal enum ServerChoice
{
    EventCore,
    Kestrel,
    KestrelEpoll,
}

internal static class ServerChoiceExtensions
{
    extension(ServerChoice)
    {
        public static ServerChoice Parse(string? value) => value?.ToUpperInvariant() switch
        {
            null or "" or "EVENTCORE" => ServerChoice.EventCore,
            "KESTREL" => ServerChoice.Kestrel,
            "KESTREL-EPOLL" => ServerChoice.KestrelEpoll,
            _ => throw new ArgumentException($"Unknown --server '{value}': use eventcore, kestrel or kestrel-epoll."),
        };
    }

    public static IWebHostBuilder UseServer(this IWebHostBuilder webHost, ServerChoice server) => server switch
    {
        ServerChoice.Kestrel => webHost.UseKestrel(),
        ServerChoice.KestrelEpoll => webHost.UseKestrel().UseEpollTransport(),
        _ => webHost.UseEventCore(),
    };
}
