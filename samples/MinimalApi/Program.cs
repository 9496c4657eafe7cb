using MinimalApi;

var builder = WebApplication.CreateBuilder(args);
builder.WebHost.UseServer(ServerChoice.Parse(builder.Configuration["server"]));
builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);

var app = builder.Build();
app.UseStaticFiles();
app.MapTechEmpowerEndpoints();
app.Run();

/// <summary>Lets tests reference the app's entry point (WebApplicationFactory&lt;Program&gt;).</summary>
public partial class Program;
