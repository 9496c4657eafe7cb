using Microsoft.Extensions.Logging;

namespace EventCore.Server.Tls;

/// <summary>Source-generated log messages of the TLS layer (category <c>EventCore.Server.Tls</c>).</summary>
internal static partial class TlsLog
{
    [LoggerMessage(101, LogLevel.Information, "The certificate of {Endpoint} was reloaded from its files: {Subject} ({Thumbprint}).")]
    public static partial void CertificateReloaded(ILogger logger, string endpoint, string subject, string thumbprint);

    [LoggerMessage(102, LogLevel.Warning, "The certificate files of {Endpoint} changed but could not be loaded ({Message}); the current certificate stays until the next change.")]
    public static partial void CertificateReloadFailed(ILogger logger, string endpoint, string message);
}
