using MinimalApi;
using MinimalApi.Account;
using MinimalApi.Sessions;
using MinimalApi.Site;
using MinimalApi.Uploads;

var builder = WebApplication.CreateBuilder(args);
builder.WebHost.UseServer(ServerChoice.Parse(builder.Configuration["server"]));
builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);

builder.Services
    .AddSharedState(builder.Configuration)
    .AddErrorPages()
    .AddStaticSite()
    .AddUploads(builder.Configuration)
    .AddAccount(builder.Configuration)
    .AddSessions();

var app = builder.Build();

// Routing runs first so that the TechEmpower endpoints (ShortCircuit) answer straight from the routing
// middleware: none of the site's middleware below runs for /plaintext, /json or /echo.
app.UseRouting();
app.UseWebSockets();
app.UseErrorPages();
app.UseStaticSite();
app.UseAuthentication();
app.UseAuthorization();
app.UseSession();
app.UseAntiforgery();

app.MapTechEmpowerEndpoints();
app.MapLoadEndpoints();
app.MapStaticSite();
app.MapErrorPages();
app.MapUploads();
app.MapAccount();
app.MapSessions();
app.Run();

/// <summary>Lets tests reference the app's entry point (WebApplicationFactory&lt;Program&gt;).</summary>
public partial class Program;
