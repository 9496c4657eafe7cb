using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http.Metadata;

namespace MinimalApi.Site;

/// <summary>Endpoint metadata the site's features share.</summary>
internal static class EndpointConventions
{
    /// <summary>
    /// A per-endpoint request body limit (<see cref="IRequestSizeLimitMetadata"/>): the routing middleware sets the
    /// server's <c>IHttpMaxRequestBodySizeFeature</c> from it, and the server answers 413 beyond it.
    /// </summary>
    public static TBuilder WithRequestSizeLimit<TBuilder>(this TBuilder builder, long maxBytes)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new RequestSizeLimit(maxBytes));

    /// <summary>
    /// Validates the antiforgery token of a form post that binds no form fields (minimal APIs check the token
    /// themselves only when they bind the form): 400 without a valid token.
    /// </summary>
    public static TBuilder RequireAntiforgeryToken<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilter(async (context, next) =>
        {
            var antiforgery = context.HttpContext.RequestServices.GetRequiredService<IAntiforgery>();
            return await antiforgery.IsRequestValidAsync(context.HttpContext)
                ? await next(context)
                : Results.BadRequest();
        });

    private sealed record RequestSizeLimit(long? MaxRequestBodySize) : IRequestSizeLimitMetadata;
}
