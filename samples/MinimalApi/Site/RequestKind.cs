using Microsoft.Net.Http.Headers;

namespace MinimalApi.Site;

/// <summary>Tells API calls (answered with status codes and ProblemDetails) from page visits (answered with HTML and redirects).</summary>
internal static class RequestKind
{
    /// <summary>A path under /api, or a client that asks for JSON rather than HTML.</summary>
    public static bool IsApi(HttpRequest request, PathString? originalPath = null) =>
        (originalPath ?? request.Path).StartsWithSegments("/api", StringComparison.OrdinalIgnoreCase)
        || (Accepts(request, "application/json") && !Accepts(request, "text/html"));

    /// <summary>A browser-like client that asks for HTML.</summary>
    public static bool WantsHtml(HttpRequest request) => Accepts(request, "text/html");

    private static bool Accepts(HttpRequest request, string mediaType)
    {
        foreach (var value in request.Headers.Accept)
        {
            if (value is not null && value.Contains(mediaType, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }
}
