using Microsoft.Extensions.Logging;

namespace EventCore.Server.Tls;

/// <summary>
/// Watches the files an HTTPS endpoint's certificate came from (certificate and key) and, when one is written, created
/// or renamed into place (a renewal: certbot, cert-manager, a copy), loads them again and hands the new certificate to
/// the endpoint's TLS layer: new handshakes use it, connections already open keep theirs. A load that fails (a file
/// half written, a key that does not match yet) keeps the current certificate and is logged; the next change tries
/// again. Kestrel (since .NET 8) watches its configured certificate files the same way.
/// </summary>
internal sealed class CertificateFileWatcher : IDisposable
{
    private readonly Func<LoadedCertificate> _load;
    private readonly Action<LoadedCertificate> _use;
    private readonly ILogger _logger;
    private readonly string _description;
    private readonly List<FileSystemWatcher> _watchers = [];
    private readonly Lock _lock = new();
    private bool _disposed;

    public CertificateFileWatcher(IEnumerable<string> files, Func<LoadedCertificate> load, Action<LoadedCertificate> use, ILogger logger, string description)
    {
        _load = load;
        _use = use;
        _logger = logger;
        _description = description;
        foreach (var file in files.Distinct(StringComparer.Ordinal))
        {
            var watcher = new FileSystemWatcher(Path.GetDirectoryName(file)!, Path.GetFileName(file))
            {
                NotifyFilter = NotifyFilters.LastWrite | NotifyFilters.FileName | NotifyFilters.Size | NotifyFilters.CreationTime,
            };
            watcher.Changed += OnChanged;
            watcher.Created += OnChanged;
            watcher.Renamed += OnChanged;
            watcher.EnableRaisingEvents = true;
            _watchers.Add(watcher);
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _disposed = true;
        }

        _watchers.ForEach(w => w.Dispose());
    }

    /// <summary>FileSystemWatcher's thread: reload, one at a time.</summary>
    private void OnChanged(object sender, FileSystemEventArgs e)
    {
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            try
            {
                var certificate = _load();
                _use(certificate);
                TlsLog.CertificateReloaded(_logger, _description, certificate.Certificate.Subject, certificate.Certificate.Thumbprint);
            }
            catch (Exception ex) when (ex is InvalidOperationException or IOException or UnauthorizedAccessException)
            {
                TlsLog.CertificateReloadFailed(_logger, _description, ex.Message);
            }
        }
    }
}
