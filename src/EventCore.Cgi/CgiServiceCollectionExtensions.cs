using EventCore.Cgi;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers EventCore.Cgi.</summary>
public static class CgiServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="CgiExecutor"/> (a singleton) and <see cref="CgiOptions"/>:
    /// <c>services.AddCgi(o => { o.MaxProcesses = 64; o.Timeout = TimeSpan.FromSeconds(30); });</c>
    /// </summary>
    public static IServiceCollection AddCgi(this IServiceCollection services, Action<CgiOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions<CgiOptions>();
        if (configure is not null)
        {
            services.Configure(configure);
        }

        services.TryAddSingleton<CgiExecutor>();
        return services;
    }
}
