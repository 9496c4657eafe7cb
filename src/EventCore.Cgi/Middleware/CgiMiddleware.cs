using Microsoft.AspNetCore.Http;

namespace EventCore.Cgi.Middleware;

/// <summary>Maps requests to scripts with a <see cref="ScriptResolver"/> and runs them with the <see cref="CgiExecutor"/>.</summary>
internal sealed class CgiMiddleware(RequestDelegate next, CgiExecutor executor, ScriptResolver resolver)
{
    private readonly RequestDelegate _next = next;
    private readonly CgiExecutor _executor = executor;
    private readonly ScriptResolver _resolver = resolver;

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

        // A local redirect comes back through here: another script, or on to the rest of the pipeline.
        return _executor.ExecuteAsync(context, new CgiScript
        {
            ScriptFileName = script!.ScriptFileName,
            ScriptName = script.ScriptName,
            PathInfo = script.PathInfo,
            Interpreter = script.Interpreter,
            DocumentRoot = script.DocumentRoot,
            Timeout = script.Timeout,
            LocalRedirect = InvokeAsync,
        });
    }
}
