using EventCore.Cgi;
using EventCore.Sites.Options;
using EventCore.Sites.Serving;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers EventCore.Sites.</summary>
public static class SitesServiceCollectionExtensions
{
    /// <summary>
    /// Registers the sites: <see cref="SitesOptions"/> bound from the configuration section <c>Sites</c> (written in
    /// appsettings.json, or read from an nginx-style file by <c>builder.Configuration.AddWebservConfig(path)</c>), then
    /// <paramref name="configure"/>; and the CGI services, with <c>cgi_max_processes</c> and <c>cgi_timeout</c> as
    /// their limits.
    /// </summary>
    public static IServiceCollection AddSites(this IServiceCollection services, Action<SitesOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var sites = services.AddOptions<SitesOptions>().BindConfiguration("Sites");
        if (configure is not null)
        {
            sites.Configure(configure);
        }

        services.AddCgi();
        services.AddOptions<CgiOptions>().Configure<IOptions<SitesOptions>>((cgi, options) =>
        {
            cgi.MaxProcesses = options.Value.CgiMaxProcesses ?? cgi.MaxProcesses;
            cgi.Timeout = options.Value.CgiTimeout ?? cgi.Timeout;
        });
        services.AddSingleton<SiteFiles>();
        services.AddSingleton<Uploads>();
        services.AddSingleton<AccessLog>();
        services.AddSingleton<CgiDispatch>();
        return services;
    }
}
