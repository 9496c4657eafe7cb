using Microsoft.AspNetCore.Antiforgery;
using Microsoft.Extensions.Options;
using MinimalApi.Site;

namespace MinimalApi.Uploads;

/// <summary>
/// Uploads: the JSON API on /api/files (streamed multipart, see <see cref="MultipartUpload"/>) and the HTML
/// page on /uploads (a form post, antiforgery-checked, buffered to disk by the form reader). Listing and
/// downloading are public; uploading and deleting need a signed-in user (the API answers 401, the page redirects
/// to the login form), checked before a byte of the body is read. The API is called with the sign-in cookie, which
/// is <c>SameSite=Lax</c>, so a cross-site form cannot use it; the page's forms carry an antiforgery token.
/// </summary>
internal static class UploadEndpoints
{
    public static IServiceCollection AddUploads(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<UploadOptions>(configuration.GetSection("Uploads"));
        services.AddSingleton(provider =>
        {
            var options = provider.GetRequiredService<IOptions<UploadOptions>>().Value;
            var environment = provider.GetRequiredService<IWebHostEnvironment>();
            return new UploadStore(string.IsNullOrWhiteSpace(options.Path)
                ? Path.Combine(Path.GetTempPath(), "eventcore-uploads")
                : Path.Combine(environment.ContentRootPath, options.Path));
        });
        return services;
    }

    public static IEndpointRouteBuilder MapUploads(this IEndpointRouteBuilder app)
    {
        var maxBytes = app.ServiceProvider.GetRequiredService<IOptions<UploadOptions>>().Value.MaxBytes;

        var api = app.MapGroup("/api/files");
        api.MapGet("/", async (UploadStore store) => Results.Ok(await store.ListAsync()));
        api.MapPost("/", MultipartUpload.ReceiveAsync).WithRequestSizeLimit(maxBytes).RequireAuthorization();
        api.MapGet("/{name}", Download);
        api.MapDelete("/{name}", async (string name, UploadStore store) => await store.DeleteAsync(name) ? Results.NoContent() : Results.NotFound())
            .RequireAuthorization();

        app.MapGet("/uploads", Page).RequireAuthorization();

        // Binding IFormFileCollection makes the antiforgery middleware validate the form's token (400 without it).
        app.MapPost("/uploads", FormUploadAsync)
            .WithRequestSizeLimit(maxBytes)
            .WithFormOptions(multipartBodyLengthLimit: maxBytes)
            .RequireAuthorization();
        app.MapPost("/uploads/{name}/delete", async (string name, UploadStore store) =>
        {
            await store.DeleteAsync(name);
            return Results.Redirect("/uploads");
        }).RequireAntiforgeryToken().RequireAuthorization();
        return app;
    }

    private static async Task<IResult> Download(string name, UploadStore store)
    {
        var path = await store.FindAsync(name);
        return path is null
            ? Results.NotFound()
            : Results.File(path, UploadStore.GetContentType(name), fileDownloadName: name, enableRangeProcessing: true);
    }

    /// <summary>The form post: the antiforgery middleware has read (and disk-buffered) the form; each file is copied into the store.</summary>
    private static async Task<IResult> FormUploadAsync(IFormFileCollection files, UploadStore store, CancellationToken cancellationToken)
    {
        foreach (var file in files)
        {
            await using var content = file.OpenReadStream();
            await store.SaveAsync(file.FileName, content, cancellationToken);
        }

        return Results.Redirect("/uploads");
    }

    private static async Task<IResult> Page(HttpContext context, UploadStore store, IAntiforgery antiforgery)
    {
        var token = HtmlPage.AntiforgeryField(antiforgery.GetAndStoreTokens(context));
        var rows = string.Concat((await store.ListAsync()).Select(f => $"""
            <tr><td><a href="/api/files/{Uri.EscapeDataString(f.Name)}">{HtmlPage.Encode(f.Name)}</a></td><td class="num">{f.Size:N0}</td>
            <td><form method="post" action="/uploads/{Uri.EscapeDataString(f.Name)}/delete">{token}<button class="link" type="submit">Delete</button></form></td></tr>
            """));
        var list = rows.Length == 0
            ? """<p class="muted" id="no-files">No uploads yet.</p>"""
            : $"""<table id="uploads"><thead><tr><th>Name</th><th class="num">Bytes</th><th></th></tr></thead><tbody>{rows}</tbody></table>""";
        return HtmlPage.Render("Uploads", $"""
            <form class="card" method="post" action="/uploads" enctype="multipart/form-data">
            {token}
            <label>Choose files <input type="file" name="files" multiple required></label>
            <button type="submit">Upload</button>
            </form>
            {list}
            """);
    }
}
