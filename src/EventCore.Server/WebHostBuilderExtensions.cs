using EventCore.Server;
using EventCore.Server.Infrastructure;
using EventCore.Transport.Epoll;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.Extensions.DependencyInjection;

namespace Microsoft.AspNetCore.Hosting;

/// <summary>Registers EventCore as the app's server.</summary>
public static class EventCoreWebHostBuilderExtensions
{
    /// <summary>
    /// Runs the app on EventCore instead of Kestrel. Options are bound from the <c>EventCore</c> configuration
    /// section, then <paramref name="configure"/> runs; the default epoll transport's options from <c>EventCore:Transport</c>.
    /// </summary>
    /// <exception cref="PlatformNotSupportedException">
    /// The process does not run on Linux x64; the message says what to use instead (Kestrel, the default server).
    /// </exception>
    public static IWebHostBuilder UseEventCore(this IWebHostBuilder builder, Action<EventCoreServerOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        EpollPlatform.ThrowIfUnsupported("EventCore.Server", "UseEventCore()");
        return builder.ConfigureServices((context, services) =>
        {
            var section = context.Configuration.GetSection("EventCore");
            services.AddOptions<EventCoreServerOptions>().Bind(section)
                .Configure(o =>
                {
                    MinDataRateBinding.Bind(section.GetSection("Limits"), o.Limits);
                    o.ConfigurationSection = section; // Endpoints, EndpointDefaults, Certificates: read at start
                });
            services.AddOptions<EpollTransportOptions>().Bind(context.Configuration.GetSection("EventCore:Transport"));
            if (configure is not null)
            {
                services.Configure(configure);
            }

            // A plain AddSingleton registered after the host's defaults wins over Kestrel's registration.
            services.AddSingleton<IServer, EventCoreServer>();
        });
    }
}
