using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Threading.Channels;
using Microsoft.AspNetCore.Http;

namespace EventCore.Sites.Serving;

/// <summary>
/// <c>access_log PATH;</c>: one line per request in nginx's combined format, appended to the file by one background
/// writer per file (a request only queues its line: no file I/O on the request's thread). Lines still queued are
/// written when the app stops.
/// </summary>
internal sealed class AccessLog : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, Writer> _writers = new(StringComparer.Ordinal);

    public void Write(string path, HttpContext context)
    {
        var request = context.Request;
        var response = context.Response;
        var line = new StringBuilder(160)
            .Append(context.Connection.RemoteIpAddress?.ToString() ?? "-").Append(" - - [")
            .Append(DateTimeOffset.Now.ToString("dd/MMM/yyyy:HH:mm:ss zzz", CultureInfo.InvariantCulture).Remove(24, 1)).Append("] \"")
            .Append(request.Method).Append(' ').Append(context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpRequestFeature>()?.RawTarget).Append(' ')
            .Append(request.Protocol).Append("\" ").Append(response.StatusCode.ToString(CultureInfo.InvariantCulture)).Append(' ')
            .Append(response.ContentLength?.ToString(CultureInfo.InvariantCulture) ?? "-").Append(" \"")
            .Append(Quoted(request.Headers.Referer)).Append("\" \"").Append(Quoted(request.Headers.UserAgent)).Append("\"\n")
            .ToString();
        _writers.GetOrAdd(path, p => new Writer(p)).Queue(line);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var writer in _writers.Values)
        {
            await writer.DisposeAsync();
        }
    }

    private static string Quoted(string? value) => string.IsNullOrEmpty(value) ? "-" : value.Replace("\"", "\\\"", StringComparison.Ordinal);

    /// <summary>Appends queued lines to one file; owns the file.</summary>
    private sealed class Writer : IAsyncDisposable
    {
        private readonly Channel<string> _lines = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true });
        private readonly Task _writing;

        public Writer(string path) => _writing = Task.Run(() => WriteAsync(path));

        public void Queue(string line) => _lines.Writer.TryWrite(line);

        public async ValueTask DisposeAsync()
        {
            _lines.Writer.TryComplete();
            await _writing;
        }

        private async Task WriteAsync(string path)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            await using var file = new StreamWriter(new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite, 4096, FileOptions.Asynchronous));
            while (await _lines.Reader.WaitToReadAsync())
            {
                while (_lines.Reader.TryRead(out var line))
                {
                    await file.WriteAsync(line);
                }

                await file.FlushAsync();
            }
        }
    }
}
