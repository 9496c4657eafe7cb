using System.Text;
using Microsoft.AspNetCore.StaticFiles;

namespace MinimalApi.Uploads;

/// <summary>A stored upload, as the API lists it.</summary>
internal sealed record UploadInfo(string Name, long Size, DateTimeOffset Modified);

/// <summary>
/// The uploads directory. Names are sanitised to a safe subset (no separators, no leading dot), so no name
/// can leave the directory; a name already taken gets a numeric suffix. A file is written under a hidden
/// temporary name and moved into place only once complete: a failed or aborted upload leaves nothing behind.
/// Thread-safe: the move (no overwrite) is the only point where concurrent uploads meet.
/// File-system calls that have no asynchronous API (listing, stat, move, delete) run on the thread pool: request code
/// runs on EventCore's epoll loop thread, and a slow disk must not hold it (the loop's guard would hand the loop to
/// another thread, but the request would still wait behind the disk).
/// </summary>
internal sealed class UploadStore
{
    private const string TempPrefix = ".upload-";
    private const int MaxNameLength = 100;
    private static readonly FileExtensionContentTypeProvider s_contentTypes = new();

    public UploadStore(string root)
    {
        Root = System.IO.Path.GetFullPath(root);
        Directory.CreateDirectory(Root);
    }

    /// <summary>The full path of the uploads directory.</summary>
    public string Root { get; }

    public Task<IReadOnlyList<UploadInfo>> ListAsync() => Task.Run<IReadOnlyList<UploadInfo>>(() =>
        [.. new DirectoryInfo(Root).EnumerateFiles()
            .Where(f => IsValidName(f.Name))
            .OrderBy(f => f.Name, StringComparer.Ordinal)
            .Select(f => new UploadInfo(f.Name, f.Length, f.LastWriteTimeUtc))]);

    /// <summary>The full path of a stored file, or null when the name is not a valid stored name or no such file exists.</summary>
    public Task<string?> FindAsync(string name) => Task.Run(() => Find(name));

    public Task<bool> DeleteAsync(string name) => Task.Run(() =>
    {
        var path = Find(name);
        if (path is null)
        {
            return false;
        }

        File.Delete(path);
        return true;
    });

    public static string GetContentType(string name) =>
        s_contentTypes.TryGetContentType(name, out var type) ? type : "application/octet-stream";

    /// <summary>Streams <paramref name="content"/> to a temporary file, then moves it into place under a free, safe name.</summary>
    public async Task<UploadInfo> SaveAsync(string? fileName, Stream content, CancellationToken cancellationToken)
    {
        var temp = System.IO.Path.Combine(Root, TempPrefix + Guid.NewGuid().ToString("N"));
        try
        {
            long size;
            var open = Task.Run(() => new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 64 * 1024, FileOptions.Asynchronous), CancellationToken.None);
            await using (var file = await open)
            {
                await content.CopyToAsync(file, 64 * 1024, cancellationToken);
                size = file.Length;
            }

            var name = await Task.Run(() => MoveIntoPlace(temp, Sanitise(fileName)), CancellationToken.None);
            return new UploadInfo(name, size, DateTimeOffset.UtcNow);
        }
        finally
        {
            // After a successful move the temporary name no longer exists; after a failure this is the clean-up.
            await Task.Run(() => File.Delete(temp), CancellationToken.None);
        }
    }

    /// <summary>Reduces a client's file name to letters, digits, '.', '-', '_' and spaces, without a directory or leading dot.</summary>
    public static string Sanitise(string? fileName)
    {
        var baseName = (fileName ?? string.Empty).Replace('\\', '/');
        baseName = baseName[(baseName.LastIndexOf('/') + 1)..];
        var safe = new StringBuilder(baseName.Length);
        foreach (var c in baseName)
        {
            if (char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_' or ' ')
            {
                safe.Append(c);
            }
        }

        var name = safe.ToString().Trim().TrimStart('.').Trim();
        if (name.Length > MaxNameLength)
        {
            var extension = System.IO.Path.GetExtension(name);
            name = extension.Length < 16 ? name[..(MaxNameLength - extension.Length)] + extension : name[..MaxNameLength];
        }

        return name.Length == 0 ? "upload-" + Guid.NewGuid().ToString("N")[..12] : name;
    }

    private static bool IsValidName(string name) => name.Length > 0 && Sanitise(name) == name;

    private string? Find(string name)
    {
        if (!IsValidName(name))
        {
            return null;
        }

        var path = System.IO.Path.Combine(Root, name);
        return File.Exists(path) ? path : null;
    }

    private string MoveIntoPlace(string temp, string name)
    {
        var stem = System.IO.Path.GetFileNameWithoutExtension(name);
        var extension = System.IO.Path.GetExtension(name);
        for (var attempt = 0; ; attempt++)
        {
            var candidate = attempt == 0 ? name : $"{stem}-{attempt}{extension}";
            try
            {
                File.Move(temp, System.IO.Path.Combine(Root, candidate), overwrite: false);
                return candidate;
            }
            catch (IOException) when (attempt < 1000 && File.Exists(System.IO.Path.Combine(Root, candidate)))
            {
                // Taken (perhaps by a concurrent upload): try the next suffix.
            }
        }
    }
}
