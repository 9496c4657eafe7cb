using System.Security.Claims;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using MinimalApi.Site;

namespace MinimalApi.Account;

/// <summary>
/// Cookie sign-in for the demo user: a login form (antiforgery-checked), logout, and <c>/account/me</c>, which
/// answers 401 to API calls and redirects pages to the login form.
/// </summary>
internal static class AccountEndpoints
{
    private static readonly PasswordHasher<DemoUserOptions> s_hasher = new();

    public static IServiceCollection AddAccount(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<DemoUserOptions>(configuration.GetSection("Demo"));
        services.AddAntiforgery(o => o.Cookie.Name = ".EventCore.Antiforgery");
        services.AddAuthorization();
        services.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme).AddCookie(options =>
        {
            options.Cookie.Name = ".EventCore.Auth";

            // Lax (ASP.NET's default, stated here because the uploads API relies on it): a cross-site form post does
            // not carry the sign-in cookie, so it cannot upload or delete in the user's name.
            options.Cookie.SameSite = SameSiteMode.Lax;
            options.Cookie.HttpOnly = true;
            options.LoginPath = "/account/login";
            options.LogoutPath = "/account/logout";
            options.SlidingExpiration = true;
            options.Events.OnRedirectToLogin = context => StatusOrRedirect(context, StatusCodes.Status401Unauthorized);
            options.Events.OnRedirectToAccessDenied = context => StatusOrRedirect(context, StatusCodes.Status403Forbidden);
        });
        return services;
    }

    public static IEndpointRouteBuilder MapAccount(this IEndpointRouteBuilder app)
    {
        app.MapGet("/account/login", (HttpContext context, IAntiforgery antiforgery, string? returnUrl) =>
            LoginPage(context, antiforgery, returnUrl, error: null));
        app.MapPost("/account/login", LoginAsync);
        app.MapPost("/account/logout", async (HttpContext context) =>
        {
            await context.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
            return Results.Redirect("/");
        }).RequireAntiforgeryToken();
        app.MapGet("/account/me", Me).RequireAuthorization();
        return app;
    }

    private static async Task<IResult> LoginAsync(
        HttpContext context,
        IAntiforgery antiforgery,
        IOptions<DemoUserOptions> demo,
        [FromForm] string? username,
        [FromForm] string? password,
        [FromForm] string? returnUrl)
    {
        if (!IsDemoUser(demo.Value, username, password))
        {
            return LoginPage(context, antiforgery, returnUrl, "Unknown user or wrong password.");
        }

        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, demo.Value.User)], CookieAuthenticationDefaults.AuthenticationScheme);
        await context.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, new ClaimsPrincipal(identity));
        return Results.Redirect(IsLocalUrl(returnUrl) ? returnUrl! : "/account/me");
    }

    private static bool IsDemoUser(DemoUserOptions demo, string? username, string? password) =>
        demo.User.Length > 0 && demo.PasswordHash.Length > 0
        && string.Equals(username, demo.User, StringComparison.Ordinal)
        && s_hasher.VerifyHashedPassword(demo, demo.PasswordHash, password ?? string.Empty) != PasswordVerificationResult.Failed;

    private static IResult Me(HttpContext context, IAntiforgery antiforgery)
    {
        var name = context.User.Identity?.Name ?? string.Empty;
        if (!RequestKind.WantsHtml(context.Request))
        {
            return Results.Ok(new { name });
        }

        var token = HtmlPage.AntiforgeryField(antiforgery.GetAndStoreTokens(context));
        return HtmlPage.Render("Account", $"""
            <p class="lead">Signed in as <strong id="user">{HtmlPage.Encode(name)}</strong>.</p>
            <form method="post" action="/account/logout">{token}<button type="submit">Log out</button></form>
            """);
    }

    private static IResult LoginPage(HttpContext context, IAntiforgery antiforgery, string? returnUrl, string? error)
    {
        var token = HtmlPage.AntiforgeryField(antiforgery.GetAndStoreTokens(context));
        var message = error is null ? string.Empty : $"""<p class="error" role="alert">{HtmlPage.Encode(error)}</p>""";
        return HtmlPage.Render("Log in", $"""
            {message}
            <form class="card" method="post" action="/account/login">
            {token}
            <input type="hidden" name="returnUrl" value="{HtmlPage.Encode(returnUrl)}">
            <label>User <input name="username" autocomplete="username" required></label>
            <label>Password <input name="password" type="password" autocomplete="current-password" required></label>
            <button type="submit">Log in</button>
            </form>
            """, error is null ? StatusCodes.Status200OK : StatusCodes.Status401Unauthorized);
    }

    /// <summary>Only same-site paths ("/x", not "//host" or "/\host"): no open redirect.</summary>
    private static bool IsLocalUrl(string? url) =>
        !string.IsNullOrEmpty(url) && url[0] == '/' && (url.Length == 1 || (url[1] != '/' && url[1] != '\\'));

    private static Task StatusOrRedirect(RedirectContext<CookieAuthenticationOptions> context, int statusCode)
    {
        if (RequestKind.IsApi(context.Request) || !RequestKind.WantsHtml(context.Request) && !HttpMethods.IsGet(context.Request.Method))
        {
            context.Response.StatusCode = statusCode;
        }
        else
        {
            context.Response.Redirect(context.RedirectUri);
        }

        return Task.CompletedTask;
    }
}
