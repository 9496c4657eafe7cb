using Microsoft.AspNetCore.Http;

namespace EventCore.Cgi.Middleware;

/// <summary>Maps requests to scripts with a <see cref="ScriptResolver"/> and runs them with the <see cref="CgiExecutor"/>.</summary>
internal sealed class CgiMiddleware
{
    private readonly RequestDelegate _next;
    private readonly CgiExecutor _executor;
    private readonly ScriptResolver _resolver;

    public CgiMiddleware(RequestDelegate next, CgiExecutor executor, ScriptResolver resolver)
    {
        _next = next;
        _executor = executor;
        _resolver = resolver;
        Redispatch = InvokeAsync;
    }

    /// <summary>
    /// Serves a script's local redirect: routing again (when the app uses endpoint routing) followed by this
    /// middleware, so the new path reaches another script, or the rest of the pipeline and its endpoints.
    /// Set once while the pipeline is built.
    /// </summary>
    public RequestDelegate Redispatch { get; set; }

    public Task InvokeAsync(HttpContext context)
    {
        var resolution = _resolver.Resolve(context.Request.PathBase, context.Request.Path, out var script);
        switch (resolution)
        {
            case ScriptResolution.NotCgi:
                return _next(context);
            case ScriptResolution.Outside:
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                return Task.CompletedTask;
        }

        return _executor.ExecuteAsync(context, new CgiScript
        {
            ScriptFileName = script!.ScriptFileName,
            ScriptName = script.ScriptName,
            PathInfo = script.PathInfo,
            Interpreter = script.Interpreter,
            DocumentRoot = script.DocumentRoot,
            Timeout = script.Timeout,
            LocalRedirect = Redispatch,
        });
    }
}
