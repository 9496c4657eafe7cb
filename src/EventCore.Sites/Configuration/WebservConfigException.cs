namespace EventCore.Sites.Configuration;

/// <summary>
/// A configuration file that cannot be used: the message names the file and line, as nginx does
/// (<c>/etc/webserv/site.conf:12: unknown directive "foo"</c>).
/// </summary>
public sealed class WebservConfigException : FormatException
{
    /// <summary>Creates the exception for a fault at <paramref name="file"/>:<paramref name="line"/>.</summary>
    public WebservConfigException(string file, int line, string reason)
        : base($"{file}:{line}: {reason}")
    {
        File = file;
        Line = line;
        Reason = reason;
    }

    /// <summary>The file the fault is in.</summary>
    public string File { get; }

    /// <summary>The line (from 1) the fault is on.</summary>
    public int Line { get; }

    /// <summary>What is wrong, without the place.</summary>
    public string Reason { get; }
}
