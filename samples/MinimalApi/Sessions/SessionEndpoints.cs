using System.Text.Json;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Mvc;
using MinimalApi.Site;

namespace MinimalApi.Sessions;

/// <summary>
/// Session state (in the distributed cache, see <see cref="SharedState"/>): a visit counter and a small cart,
/// as pages on /session and as JSON on /api/session.
/// </summary>
internal static class SessionEndpoints
{
    private const string VisitsKey = "visits";
    private const string CartKey = "cart";
    private const int MaxCartItems = 50;
    private const int MaxItemLength = 60;

    public static IServiceCollection AddSessions(this IServiceCollection services) => services.AddSession(options =>
    {
        options.Cookie.Name = ".EventCore.Session";
        options.Cookie.HttpOnly = true;
        options.Cookie.IsEssential = true;
        options.IdleTimeout = TimeSpan.FromMinutes(30);
    });

    public static IEndpointRouteBuilder MapSessions(this IEndpointRouteBuilder app)
    {
        app.MapGet("/session", PageAsync);
        app.MapPost("/session/cart", async (HttpContext context, [FromForm] string? item) =>
        {
            await AddToCartAsync(context.Session, item);
            return Results.Redirect("/session");
        });
        app.MapPost("/session/cart/clear", (HttpContext context) =>
        {
            context.Session.Remove(CartKey);
            return Results.Redirect("/session");
        }).RequireAntiforgeryToken();

        var api = app.MapGroup("/api/session");
        api.MapGet("/", async (HttpContext context) =>
        {
            var visits = await CountVisitAsync(context.Session);
            return Results.Ok(new SessionState(visits, ReadCart(context.Session), context.User.Identity?.Name));
        });
        api.MapPost("/cart", async (HttpContext context, CartItem body) =>
            await AddToCartAsync(context.Session, body.Item) ? Results.Ok(ReadCart(context.Session)) : Results.ValidationProblem(
                new Dictionary<string, string[]> { ["item"] = [$"1 to {MaxItemLength} characters; at most {MaxCartItems} items."] }));
        api.MapDelete("/cart", (HttpContext context) =>
        {
            context.Session.Remove(CartKey);
            return Results.NoContent();
        });
        return app;
    }

    private static async Task<IResult> PageAsync(HttpContext context, IAntiforgery antiforgery)
    {
        var visits = await CountVisitAsync(context.Session);
        var cart = ReadCart(context.Session);
        var token = HtmlPage.AntiforgeryField(antiforgery.GetAndStoreTokens(context));
        var items = cart.Count == 0
            ? """<p class="muted">The cart is empty.</p>"""
            : $"""<ul id="cart">{string.Concat(cart.Select(i => $"<li>{HtmlPage.Encode(i)}</li>"))}</ul>""";
        var user = context.User.Identity?.Name is { } name ? $" Signed in as <strong>{HtmlPage.Encode(name)}</strong>." : string.Empty;
        return HtmlPage.Render("Session", $"""
            <p class="lead">Visits in this session: <strong id="visits">{visits}</strong>.{user}</p>
            <h2>Cart</h2>
            {items}
            <form class="card inline" method="post" action="/session/cart">{token}
            <input name="item" placeholder="An item" maxlength="{MaxItemLength}" required><button type="submit">Add</button></form>
            <form method="post" action="/session/cart/clear">{token}<button class="link" type="submit">Empty the cart</button></form>
            """);
    }

    private static async Task<int> CountVisitAsync(ISession session)
    {
        // Load asynchronously: with Redis behind the cache a synchronous load would block a thread.
        await session.LoadAsync();
        var visits = (session.GetInt32(VisitsKey) ?? 0) + 1;
        session.SetInt32(VisitsKey, visits);
        return visits;
    }

    private static async Task<bool> AddToCartAsync(ISession session, string? item)
    {
        await session.LoadAsync();
        item = item?.Trim();
        var cart = ReadCart(session);
        if (string.IsNullOrEmpty(item) || item.Length > MaxItemLength || cart.Count >= MaxCartItems)
        {
            return false;
        }

        cart.Add(item);
        session.SetString(CartKey, JsonSerializer.Serialize(cart));
        return true;
    }

    private static List<string> ReadCart(ISession session) =>
        session.GetString(CartKey) is { } json ? JsonSerializer.Deserialize<List<string>>(json) ?? [] : [];

    private sealed record CartItem(string? Item);

    private sealed record SessionState(int Visits, IReadOnlyList<string> Cart, string? User);
}
