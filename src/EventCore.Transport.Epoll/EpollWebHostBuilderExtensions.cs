using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace EventCore.Transport.Epoll;

/// <summary>Registers the epoll transport with a web host.</summary>
public static class EpollWebHostBuilderExtensions
{
    /// <summary>The configuration section the transport options are bound from.</summary>
    private const string ConfigurationSection = "EventCore:Transport";

    /// <summary>
    /// Makes the epoll transport the host's <see cref="IConnectionListenerFactory"/>, so Kestrel (or any server
    /// that asks for a listener factory) accepts connections through it. Options come from the configuration
    /// section <c>EventCore:Transport</c>, then from <paramref name="configure"/>.
    /// </summary>
    /// <param name="builder">The web host builder.</param>
    /// <param name="configure">Optional code configuration, applied after the configuration section.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="PlatformNotSupportedException">The process does not run on Linux x64; the message says what to use instead.</exception>
    public static IWebHostBuilder UseEpollTransport(this IWebHostBuilder builder, Action<EpollTransportOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        EpollPlatform.ThrowIfUnsupported("EventCore.Transport.Epoll", "UseEpollTransport()");
        return builder.ConfigureServices((context, services) =>
        {
            services.AddOptions<EpollTransportOptions>().Bind(context.Configuration.GetSection(ConfigurationSection));
            if (configure is not null)
            {
                services.Configure(configure);
            }
            // Added after Kestrel's TryAdd of the Sockets transport: Kestrel tries the last registered factory first.
            services.AddSingleton<IConnectionListenerFactory, EpollTransportFactory>();
        });
    }
}
