namespace MinimalApi.Uploads;

/// <summary>Configuration section <c>Uploads</c>.</summary>
internal sealed class UploadOptions
{
    /// <summary>Where uploads are stored; a relative path is under the content root. Default (empty): <c>$TMPDIR/eventcore-uploads</c>.</summary>
    public string Path { get; set; } = string.Empty;

    /// <summary>The largest upload request body, in bytes (413 beyond). Default: 1 GiB.</summary>
    public long MaxBytes { get; set; } = 1L << 30;
}
