using System.IO.Compression;
using Microsoft.AspNetCore.ResponseCompression;
using Microsoft.Extensions.FileProviders;

namespace MinimalApi.Site;

/// <summary>
/// The static site from wwwroot: default document, files with ETag/Last-Modified/ranges (sent through the
/// server's SendFileAsync), a directory listing of wwwroot/files on /files, gzip/brotli for text, /old → / and /healthz.
/// </summary>
internal static class StaticSite
{
    public static IServiceCollection AddStaticSite(this IServiceCollection services)
    {
        services.AddResponseCompression(options =>
        {
            options.Providers.Add<BrotliCompressionProvider>();
            options.Providers.Add<GzipCompressionProvider>();
        });
        services.Configure<BrotliCompressionProviderOptions>(o => o.Level = CompressionLevel.Fastest);
        services.Configure<GzipCompressionProviderOptions>(o => o.Level = CompressionLevel.Fastest);
        services.AddDirectoryBrowser();
        services.AddHealthChecks();
        return services;
    }

    public static IApplicationBuilder UseStaticSite(this WebApplication app)
    {
        // Compression wraps the response body only for clients that send Accept-Encoding; others keep sendfile.
        app.UseResponseCompression();
        app.UseDefaultFiles();
        app.UseStaticFiles();
        var files = Path.Combine(app.Environment.WebRootPath ?? Path.Combine(app.Environment.ContentRootPath, "wwwroot"), "files");
        if (Directory.Exists(files))
        {
            app.UseDirectoryBrowser(new DirectoryBrowserOptions
            {
                RequestPath = "/files",
                FileProvider = new PhysicalFileProvider(files),
            });
        }

        return app;
    }

    public static IEndpointRouteBuilder MapStaticSite(this IEndpointRouteBuilder app)
    {
        app.MapGet("/old", () => Results.Redirect("/", permanent: true));
        app.MapHealthChecks("/healthz");
        return app;
    }
}
