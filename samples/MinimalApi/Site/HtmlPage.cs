using System.Text.Encodings.Web;

namespace MinimalApi.Site;

/// <summary>The site's HTML pages: one layout (header, navigation, the one stylesheet) around a body fragment.</summary>
internal static class HtmlPage
{
    /// <summary>Encodes text for HTML element content and attribute values.</summary>
    public static string Encode(string? text) => HtmlEncoder.Default.Encode(text ?? string.Empty);

    /// <summary>A complete page; <paramref name="body"/> is trusted HTML (encode user data with <see cref="Encode"/>).</summary>
    public static IResult Render(string title, string body, int statusCode = StatusCodes.Status200OK) =>
        Results.Content(Layout(title, body), "text/html; charset=utf-8", statusCode: statusCode);

    /// <summary>A hidden form field with the antiforgery request token of this request.</summary>
    public static string AntiforgeryField(Microsoft.AspNetCore.Antiforgery.AntiforgeryTokenSet tokens) =>
        $"""<input type="hidden" name="{Encode(tokens.FormFieldName)}" value="{Encode(tokens.RequestToken)}">""";

    private static string Layout(string title, string body) => $"""
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>{Encode(title)} · EventCore</title>
        <link rel="stylesheet" href="/site.css">
        </head>
        <body>
        <header class="bar"><a class="brand" href="/"><img src="/logo.svg" alt="" width="28" height="28">EventCore</a>
        <nav><a href="/uploads">Uploads</a><a href="/files/">Files</a><a href="/session">Session</a><a href="/account/me">Account</a></nav></header>
        <main>
        <h1>{Encode(title)}</h1>
        {body}
        </main>
        <footer>Served by an ordinary ASP.NET Core app.</footer>
        </body>
        </html>
        """;
}
