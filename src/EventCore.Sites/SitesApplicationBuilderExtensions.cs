using EventCore.Sites.Options;
using EventCore.Sites.Serving;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Adds the sites middleware.</summary>
public static class SitesApplicationBuilderExtensions
{
    /// <summary>
    /// Serves the sites of <see cref="SitesOptions"/> (needs <c>services.AddSites()</c>): every request is answered
    /// by the server block its address and Host choose and the location its path chooses, as nginx would. With no
    /// server configured, requests go on to the next middleware.
    /// </summary>
    /// <exception cref="InvalidOperationException">AddSites was not called, or a location is not valid.</exception>
    public static IApplicationBuilder UseSites(this IApplicationBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var services = app.ApplicationServices;
        var options = services.GetService<IOptions<SitesOptions>>()?.Value is { } value && services.GetService<SiteFiles>() is not null
            ? value
            : throw new InvalidOperationException("UseSites needs the sites services: call services.AddSites() (builder.Services.AddSites()).");
        if (options.Servers.Count == 0)
        {
            return app;
        }

        var environment = services.GetRequiredService<IWebHostEnvironment>();
        var loggerFactory = services.GetRequiredService<ILoggerFactory>();
        RequestDelegate notFound = context => ErrorResponses.SendAsync(context, context.Features.Get<SiteRequest>(), StatusCodes.Status404NotFound);
        var table = SiteTable.Build(options, location => location.BaseFolder is { } folder
            ? new StaticFileServer(folder, location.Settings, notFound, environment, loggerFactory)
            : null);
        var middleware = ActivatorUtilities.CreateInstance<SitesMiddleware>(services, table);
        return app.Use(_ => middleware.InvokeAsync);
    }
}
