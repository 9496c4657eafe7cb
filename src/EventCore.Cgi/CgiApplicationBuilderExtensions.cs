using EventCore.Cgi;
using EventCore.Cgi.Middleware;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Adds the ready-made CGI middleware.</summary>
public static class CgiApplicationBuilderExtensions
{
    // The keys under which ASP.NET Core's routing keeps its endpoint route builder (WebApplication's global one, or
    // the one UseRouting made); the exception-handler and status-code-pages middleware re-route the same way.
    private const string GlobalEndpointRouteBuilderKey = "__GlobalEndpointRouteBuilder";
    private const string EndpointRouteBuilderKey = "__EndpointRouteBuilder";

    /// <summary>
    /// Serves the scripts under <see cref="CgiMiddlewareOptions.RootPath"/> (needs <c>services.AddCgi()</c>). A request
    /// under <see cref="CgiMiddlewareOptions.RequestPath"/> whose path reaches a file with a mapped extension runs it
    /// (the rest of the path is PATH_INFO); anything else goes on to the next middleware. A script's local redirect
    /// is served in the same request by routing again and this middleware, so it reaches other scripts, the
    /// middleware after this one and the app's endpoints (middleware before this one is not run again).
    /// </summary>
    /// <exception cref="InvalidOperationException">AddCgi was not called, or RootPath does not exist.</exception>
    public static IApplicationBuilder UseCgi(this IApplicationBuilder app, CgiMiddlewareOptions options)
    {
        ArgumentNullException.ThrowIfNull(app);
        ArgumentNullException.ThrowIfNull(options);
        var executor = app.ApplicationServices.GetService<CgiExecutor>()
            ?? throw new InvalidOperationException("UseCgi needs the CGI services: call services.AddCgi() (builder.Services.AddCgi()).");
        var resolver = new ScriptResolver(options);
        return app.Use(next =>
        {
            var middleware = new CgiMiddleware(next, executor, resolver);
            if (RerouteThen(app, middleware.InvokeAsync) is { } reroute)
            {
                middleware.Redispatch = reroute;
            }

            return middleware.InvokeAsync;
        });
    }

    /// <summary>Routing (over the app's own endpoints) followed by <paramref name="next"/>; null when the app does not use endpoint routing.</summary>
    private static RequestDelegate? RerouteThen(IApplicationBuilder app, RequestDelegate next)
    {
        if ((app.Properties.TryGetValue(GlobalEndpointRouteBuilderKey, out var routeBuilder) && routeBuilder is not null)
            || (app.Properties.TryGetValue(EndpointRouteBuilderKey, out routeBuilder) && routeBuilder is not null))
        {
            var branch = app.New();
            branch.Properties[GlobalEndpointRouteBuilderKey] = routeBuilder;
            branch.UseRouting();
            branch.Run(next);
            return branch.Build();
        }

        return null;
    }
}
