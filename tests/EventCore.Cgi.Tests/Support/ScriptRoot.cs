namespace EventCore.Cgi.Tests.Support;

/// <summary>
/// A fresh copy of the test scripts (Scripts/ beside the tests) in a temporary folder: the .sh and .cgi files made
/// executable, except noexec.cgi. Deleted on dispose.
/// </summary>
internal sealed class ScriptRoot : IDisposable
{
    private const UnixFileMode Executable = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
        | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;

    private const UnixFileMode NotExecutable = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    public ScriptRoot()
    {
        Path = Directory.CreateTempSubdirectory("eventcore-cgi-").FullName;
        var source = System.IO.Path.Combine(AppContext.BaseDirectory, "Scripts");
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            var target = System.IO.Path.Combine(Path, System.IO.Path.GetRelativePath(source, file));
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(target)!);
            File.Copy(file, target);
            var runnable = target.EndsWith(".sh", StringComparison.Ordinal) || target.EndsWith(".cgi", StringComparison.Ordinal);
            File.SetUnixFileMode(target, runnable && !target.EndsWith("noexec.cgi", StringComparison.Ordinal) ? Executable : NotExecutable);
        }
    }

    /// <summary>The folder (no trailing slash).</summary>
    public string Path { get; }

    public string PathOf(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // A script still writing a file there: the folder is temporary anyway.
        }
    }
}
