// A minimal API as a user writes it, switched to EventCore with one line and nothing else: no EventCore
// configuration, no scheduling choice. perf/ runs it on EventCore and (with --server kestrel) on Kestrel.
var builder = WebApplication.CreateBuilder(args);
if (!string.Equals(builder.Configuration["server"], "kestrel", StringComparison.OrdinalIgnoreCase))
{
    builder.WebHost.UseEventCore();
}

var app = builder.Build();

app.MapGet("/plaintext", () => "Hello, World!");
app.MapGet("/json", () => new { message = "Hello, World!" });

// The two blocking shapes legacy code is full of.
app.MapGet("/block", () =>
{
    Thread.Sleep(100);
    return "Slept 100 ms.";
});
app.MapGet("/block-wait", () =>
{
    Task.Delay(100).Wait();
    return "Waited 100 ms.";
});

app.Run();
