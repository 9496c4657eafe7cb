using System.Security.Cryptography;

namespace EventCore.FunctionalTests.Infrastructure;

/// <summary>
/// A temporary web root shared by the whole run: the sample's own wwwroot files plus a generated
/// 100 MB file (served through SendFileAsync) whose SHA-256 is known. Deleted at the end of the run.
/// </summary>
public sealed class TestWebRoot : IDisposable
{
    /// <summary>Name of the generated large file.</summary>
    public const string LargeFileName = "large.bin";

    /// <summary>Size of the generated large file.</summary>
    public const long LargeFileSize = 100L * 1024 * 1024;

    private readonly Lazy<byte[]> _largeFileHash;

    /// <summary>Creates the directory and copies the sample's wwwroot into it; the large file is made on first use.</summary>
    public TestWebRoot()
    {
        SampleWebRoot = Path.Combine(FindRepositoryRoot(), "samples", "MinimalApi", "wwwroot");
        RootPath = Path.Combine(Path.GetTempPath(), "eventcore-functional-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(RootPath);
        foreach (var file in Directory.GetFiles(SampleWebRoot, "*", SearchOption.AllDirectories))
        {
            var copy = Path.Combine(RootPath, Path.GetRelativePath(SampleWebRoot, file));
            Directory.CreateDirectory(Path.GetDirectoryName(copy)!);
            File.Copy(file, copy);
        }

        _largeFileHash = new Lazy<byte[]>(CreateLargeFile, LazyThreadSafetyMode.ExecutionAndPublication);
    }

    /// <summary>The temporary web root the sample app serves.</summary>
    public string RootPath { get; }

    /// <summary>The sample's own wwwroot in the source tree (the expected contents).</summary>
    public string SampleWebRoot { get; }

    /// <summary>SHA-256 of <see cref="LargeFileName"/>; creates the file on first use.</summary>
    public byte[] LargeFileSha256 => _largeFileHash.Value;

    /// <inheritdoc />
    public void Dispose()
    {
        try
        {
            Directory.Delete(RootPath, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a file still open by a host being torn down only leaves a temp dir behind.
        }
    }

    private byte[] CreateLargeFile()
    {
        // Seeded so every megabyte differs: misordered or repeated blocks change the hash.
        var random = new Random(20_261_123);
        var block = new byte[1024 * 1024];
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        using (var file = File.Create(Path.Combine(RootPath, LargeFileName)))
        {
            for (long written = 0; written < LargeFileSize; written += block.Length)
            {
                random.NextBytes(block);
                file.Write(block);
                hash.AppendData(block);
            }
        }

        return hash.GetHashAndReset();
    }

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "EventCore.AspNet.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"EventCore.AspNet.sln not found above {AppContext.BaseDirectory}.");
    }
}
