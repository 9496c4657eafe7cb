using System.Text.Json.Serialization;

namespace MinimalApi;

/// <summary>
/// The TechEmpower shapes, kept lean: they are short-circuited in the routing middleware, so none of the
/// site's middleware (errors, compression, static files, authentication, session, antiforgery) runs for them.
/// </summary>
internal static class TechEmpowerEndpoints
{
    private static readonly byte[] s_helloWorld = "Hello, World!"u8.ToArray();

    public static IEndpointRouteBuilder MapTechEmpowerEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapMethods("/plaintext", [HttpMethods.Get, HttpMethods.Head], Plaintext).ShortCircuit();
        app.MapGet("/json", () => TypedResults.Json(new JsonMessage("Hello, World!"), AppJsonContext.Default.JsonMessage)).ShortCircuit();
        app.MapPost("/echo", Echo).ShortCircuit();
        app.MapPost("/drain", Drain).ShortCircuit();
        return app;
    }

    private static Task Plaintext(HttpContext context)
    {
        var response = context.Response;
        response.ContentType = "text/plain";
        response.ContentLength = s_helloWorld.Length;
        return HttpMethods.IsHead(context.Request.Method)
            ? Task.CompletedTask
            : response.Body.WriteAsync(s_helloWorld).AsTask();
    }

    /// <summary>Reads the whole request body and answers with its length (the upload benchmark).</summary>
    private static async Task<string> Drain(HttpRequest request, CancellationToken cancellationToken)
    {
        var reader = request.BodyReader;
        long length = 0;
        while (true)
        {
            var result = await reader.ReadAsync(cancellationToken);
            length += result.Buffer.Length;
            reader.AdvanceTo(result.Buffer.End);
            if (result.IsCompleted)
            {
                return length.ToString(System.Globalization.CultureInfo.InvariantCulture);
            }
        }
    }

    /// <summary>Streams the request body back with the same Content-Type.</summary>
    private static async Task Echo(HttpContext context)
    {
        context.Response.ContentType = context.Request.ContentType;
        if (context.Request.ContentLength is long length)
        {
            context.Response.ContentLength = length;
        }

        await context.Request.BodyReader.CopyToAsync(context.Response.BodyWriter, context.RequestAborted);
    }
}

internal sealed record JsonMessage(string Message);

[JsonSerializable(typeof(JsonMessage))]
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
internal sealed partial class AppJsonContext : JsonSerializerContext;
