namespace EventCore.Server.Http1;

internal static class RequestRejectionExtensions
{
    /// <summary>The status code a rejection is answered with.</summary>
    public static int StatusCode(this RequestRejection rejection) => rejection switch
    {
        RequestRejection.RequestTargetTooLong => 414,
        RequestRejection.UnsupportedHttpVersion => 505,
        RequestRejection.HeaderLineTooLong or RequestRejection.HeadersTooLarge or RequestRejection.TooManyHeaders => 431,
        RequestRejection.UnsupportedTransferCoding => 501,
        RequestRejection.RequestBodyTooLarge => 413,
        RequestRejection.RequestHeadersTimeout or RequestRejection.RequestBodyTimeout => 408,
        _ => 400,
    };
}
