using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.WebUtilities;

namespace MinimalApi.Site;

/// <summary>
/// Errors: an unhandled exception is re-executed on /error/500, an empty 4xx/5xx on /error/{code}. There
/// API calls get ProblemDetails, browsers an HTML page, and other clients (no Accept) keep the bare status.
/// </summary>
internal static class ErrorPages
{
    public static IServiceCollection AddErrorPages(this IServiceCollection services) => services.AddProblemDetails();

    public static IApplicationBuilder UseErrorPages(this IApplicationBuilder app) => app
        .UseExceptionHandler("/error/500")
        .UseStatusCodePagesWithReExecute("/error/{0}");

    public static IEndpointRouteBuilder MapErrorPages(this IEndpointRouteBuilder app)
    {
        app.Map("/error/{code:int:range(400,599)}", Error).ExcludeFromDescription();

        // Deliberate failures, to see the two error shapes.
        app.MapGet("/demo/throw", string () => throw new InvalidOperationException("A deliberate failure (page)."));
        app.MapGet("/api/demo/throw", string () => throw new InvalidOperationException("A deliberate failure (API)."));
        return app;
    }

    private static IResult Error(HttpContext context, int code)
    {
        var originalPath = context.Features.Get<IStatusCodeReExecuteFeature>()?.OriginalPath
            ?? context.Features.Get<IExceptionHandlerPathFeature>()?.Path;
        var original = originalPath is null ? (PathString?)null : new PathString(originalPath);
        if (RequestKind.IsApi(context.Request, original))
        {
            return Results.Problem(statusCode: code);
        }

        if (!RequestKind.WantsHtml(context.Request))
        {
            return Results.StatusCode(code);
        }

        var reason = ReasonPhrases.GetReasonPhrase(code);
        var message = code switch
        {
            404 => "There is nothing at this address.",
            >= 500 => "Something went wrong on our side. The error has been logged.",
            _ => "The request could not be served.",
        };
        return HtmlPage.Render($"{code} {reason}", $"""<p class="lead">{HtmlPage.Encode(message)}</p><p><a class="button" href="/">Back home</a></p>""", code);
    }
}
