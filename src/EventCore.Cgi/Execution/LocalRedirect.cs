using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;

namespace EventCore.Cgi.Execution;

/// <summary>
/// Serves a local redirect (RFC 3875 §6.2.2) in the same request: the request becomes a GET (a HEAD stays HEAD) of
/// the new path and query, without a body, the endpoint is cleared, the handler runs, and the request is restored.
/// Depth-limited, so scripts that redirect to each other end in a 500 instead of a loop.
/// </summary>
internal static class LocalRedirect
{
    public const int MaxRedirects = 10;

    private static readonly object s_depthKey = new();

    public static async Task DispatchAsync(HttpContext context, RequestDelegate handler, string location, ILogger logger)
    {
        var depth = context.Items.TryGetValue(s_depthKey, out var value) && value is int count ? count : 0;
        if (depth >= MaxRedirects)
        {
            CgiLog.RedirectLoop(logger, MaxRedirects, location);
            context.Response.StatusCode = StatusCodes.Status500InternalServerError;
            return;
        }

        var saved = SavedRequest.Capture(context);
        try
        {
            Rewrite(context, location);
            context.Items[s_depthKey] = depth + 1;
            await handler(context);
        }
        finally
        {
            context.Items[s_depthKey] = depth;
            saved.Restore(context);
        }
    }

    private static void Rewrite(HttpContext context, string location)
    {
        var request = context.Request;
        var fragment = location.IndexOf('#', StringComparison.Ordinal);
        var target = fragment >= 0 ? location[..fragment] : location;
        var queryStart = target.IndexOf('?', StringComparison.Ordinal);
        var path = PathString.FromUriComponent(queryStart >= 0 ? target[..queryStart] : target);
        var query = queryStart >= 0 ? new QueryString(target[queryStart..]) : QueryString.Empty;

        request.Method = HttpMethods.IsHead(request.Method) ? HttpMethods.Head : HttpMethods.Get;
        if (path.StartsWithSegments(request.PathBase, out var remaining))
        {
            request.Path = remaining;
        }
        else
        {
            request.PathBase = PathString.Empty;
            request.Path = path;
        }

        request.QueryString = query;
        if (context.Features.Get<IHttpRequestFeature>() is { } requestFeature)
        {
            requestFeature.RawTarget = target;
        }

        request.Headers.ContentLength = null;
        request.Headers.Remove("Content-Type");
        request.Headers.Remove("Transfer-Encoding");
        request.Body = Stream.Null;
        context.Features.Set<IHttpRequestBodyDetectionFeature>(NoBody.Instance);
        context.SetEndpoint(null);
        context.Features.Get<IRouteValuesFeature>()?.RouteValues.Clear();
    }

    private sealed class NoBody : IHttpRequestBodyDetectionFeature
    {
        public static readonly NoBody Instance = new();

        public bool CanHaveBody => false;
    }
}
