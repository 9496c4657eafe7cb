using EventCore.Cgi;
using EventCore.Cgi.Middleware;
using Microsoft.Extensions.DependencyInjection;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Adds the ready-made CGI middleware.</summary>
public static class CgiApplicationBuilderExtensions
{
    /// <summary>
    /// Serves the scripts under <see cref="CgiMiddlewareOptions.RootPath"/> (needs <c>services.AddCgi()</c>). A request
    /// under <see cref="CgiMiddlewareOptions.RequestPath"/> whose path reaches a file with a mapped extension runs it
    /// (the rest of the path is PATH_INFO); anything else goes on to the next middleware. A local redirect from a
    /// script is served by this middleware again, so it reaches other scripts and whatever comes after it.
    /// </summary>
    /// <exception cref="InvalidOperationException">AddCgi was not called, or RootPath does not exist.</exception>
    public static IApplicationBuilder UseCgi(this IApplicationBuilder app, CgiMiddlewareOptions options)
    {
        ArgumentNullException.ThrowIfNull(app);
        ArgumentNullException.ThrowIfNull(options);
        var executor = app.ApplicationServices.GetService<CgiExecutor>()
            ?? throw new InvalidOperationException("UseCgi needs the CGI services: call services.AddCgi() (builder.Services.AddCgi()).");
        var resolver = new ScriptResolver(options);
        return app.Use(next => new CgiMiddleware(next, executor, resolver).InvokeAsync);
    }
}
