using EventCore.Sites.Configuration;

namespace EventCore.Sites.Tests.Configuration;

/// <summary>Compiles configuration text as the file <c>/etc/webserv/test.conf</c> (or a real file) and checks the error it gives.</summary>
internal static class ConfigAssert
{
    public const string File = "/etc/webserv/test.conf";

    public static Dictionary<string, string?> Compile(string text) => ConfigCompiler.Compile(ConfigParser.Parse(text, File));

    /// <summary>Asserts that <paramref name="text"/> fails at <paramref name="line"/> with a reason containing <paramref name="reason"/>.</summary>
    public static WebservConfigException Fails(string text, int line, string reason)
    {
        var error = Assert.Throws<WebservConfigException>(() => Compile(text));
        Assert.Equal(File, error.File);
        Assert.Equal(line, error.Line);
        Assert.Contains(reason, error.Reason, StringComparison.Ordinal);
        Assert.StartsWith($"{File}:{line}: ", error.Message, StringComparison.Ordinal);
        return error;
    }
}
