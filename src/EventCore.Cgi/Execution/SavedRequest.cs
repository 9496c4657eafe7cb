using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Primitives;

namespace EventCore.Cgi.Execution;

/// <summary>What <see cref="LocalRedirect"/> changes in a request, to put back after the redirect is served.</summary>
internal sealed class SavedRequest
{
    private string _method = "";
    private PathString _pathBase;
    private PathString _path;
    private QueryString _query;
    private string? _rawTarget;
    private StringValues _contentLength;
    private StringValues _contentType;
    private StringValues _transferEncoding;
    private Stream _body = Stream.Null;
    private IHttpRequestBodyDetectionFeature? _bodyDetection;
    private Endpoint? _endpoint;

    public static SavedRequest Capture(HttpContext context)
    {
        var request = context.Request;
        return new SavedRequest
        {
            _method = request.Method,
            _pathBase = request.PathBase,
            _path = request.Path,
            _query = request.QueryString,
            _rawTarget = context.Features.Get<IHttpRequestFeature>()?.RawTarget,
            _contentLength = request.Headers.ContentLength.HasValue ? request.Headers["Content-Length"] : StringValues.Empty,
            _contentType = request.Headers.ContentType,
            _transferEncoding = request.Headers.TransferEncoding,
            _body = request.Body,
            _bodyDetection = context.Features.Get<IHttpRequestBodyDetectionFeature>(),
            _endpoint = context.GetEndpoint(),
        };
    }

    public void Restore(HttpContext context)
    {
        var request = context.Request;
        request.Method = _method;
        request.PathBase = _pathBase;
        request.Path = _path;
        request.QueryString = _query;
        if (context.Features.Get<IHttpRequestFeature>() is { } requestFeature && _rawTarget is not null)
        {
            requestFeature.RawTarget = _rawTarget;
        }

        Put(request.Headers, "Content-Length", _contentLength);
        Put(request.Headers, "Content-Type", _contentType);
        Put(request.Headers, "Transfer-Encoding", _transferEncoding);
        request.Body = _body;
        context.Features.Set(_bodyDetection);
        context.SetEndpoint(_endpoint);
    }

    private static void Put(IHeaderDictionary headers, string name, StringValues value)
    {
        if (StringValues.IsNullOrEmpty(value))
        {
            headers.Remove(name);
        }
        else
        {
            headers[name] = value;
        }
    }
}
