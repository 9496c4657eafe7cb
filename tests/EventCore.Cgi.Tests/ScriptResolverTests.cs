using EventCore.Cgi.Middleware;
using EventCore.Cgi.Tests.Support;
using Microsoft.AspNetCore.Http;

namespace EventCore.Cgi.Tests;

/// <summary>How <c>UseCgi</c> maps a request path to a script, PATH_INFO and the root's bounds.</summary>
public sealed class ScriptResolverTests : IDisposable
{
    private readonly ScriptRoot _root = new();
    private readonly ScriptResolver _resolver;

    public ScriptResolverTests()
    {
        Directory.CreateDirectory(_root.PathOf("folder.sh"));
        File.WriteAllText(_root.PathOf("folder.sh/inside.sh"), "#!/bin/sh\n");
        File.CreateSymbolicLink(_root.PathOf("escape.sh"), "/bin/sh");
        File.CreateSymbolicLink(_root.PathOf("alias.sh"), _root.PathOf("hello.sh"));
        _resolver = new ScriptResolver(new CgiMiddlewareOptions
        {
            RootPath = _root.Path,
            RequestPath = "/cgi-bin",
            Interpreters = { ["sh"] = null, [".PY"] = "/usr/bin/python3" },
        });
    }

    [Theory]
    [InlineData("/cgi-bin/hello.sh", "hello.sh", "/cgi-bin/hello.sh", "", null)]
    [InlineData("/cgi-bin/hello.sh/a/b/", "hello.sh", "/cgi-bin/hello.sh", "/a/b/", null)]
    [InlineData("/cgi-bin/env.py/x", "env.py", "/cgi-bin/env.py", "/x", "/usr/bin/python3")]
    [InlineData("/cgi-bin/ENV.Py", "ENV.Py", "/cgi-bin/ENV.Py", "", "/usr/bin/python3")]
    [InlineData("/cgi-bin/sub/inner.sh/info", "sub/inner.sh", "/cgi-bin/sub/inner.sh", "/info", null)]
    [InlineData("/cgi-bin/folder.sh/inside.sh", "folder.sh/inside.sh", "/cgi-bin/folder.sh/inside.sh", "", null)]
    [InlineData("/cgi-bin/missing.sh/x", "missing.sh", "/cgi-bin/missing.sh", "/x", null)]
    [InlineData("/cgi-bin/alias.sh", "alias.sh", "/cgi-bin/alias.sh", "", null)]
    public void APathWithAMappedExtensionIsAScript(string path, string file, string scriptName, string pathInfo, string? interpreter)
    {
        Assert.Equal(ScriptResolution.Script, _resolver.Resolve(PathString.Empty, new PathString(path), out var script));
        Assert.Equal(_root.PathOf(file), script!.ScriptFileName);
        Assert.Equal(scriptName, script.ScriptName);
        Assert.Equal(pathInfo, script.PathInfo);
        Assert.Equal(interpreter, script.Interpreter);
        Assert.Equal(_root.Path, script.DocumentRoot);
    }

    [Fact]
    public void ThePathBaseIsPartOfTheScriptName()
    {
        Assert.Equal(ScriptResolution.Script, _resolver.Resolve(new PathString("/app"), new PathString("/cgi-bin/hello.sh"), out var script));
        Assert.Equal("/app/cgi-bin/hello.sh", script!.ScriptName);
    }

    [Theory]
    [InlineData("/other/hello.sh")]
    [InlineData("/cgi-bin")]
    [InlineData("/cgi-bin/")]
    [InlineData("/cgi-bin/style.css")]
    [InlineData("/cgi-bin/sub")]
    [InlineData("/cgi-bin/nowhere/hello.sh")]
    [InlineData("/cgi-bin-x/hello.sh")]
    public void AnythingElseIsLeftToTheNextMiddleware(string path)
    {
        Assert.Equal(ScriptResolution.NotCgi, _resolver.Resolve(PathString.Empty, new PathString(path), out _));
    }

    [Theory]
    [InlineData("/cgi-bin/escape.sh")]
    [InlineData("/cgi-bin/../escape.sh")]
    [InlineData("/cgi-bin/sub/../../hello.sh")]
    public void NothingOutsideTheRootIsRun(string path)
    {
        Assert.Equal(ScriptResolution.Outside, _resolver.Resolve(PathString.Empty, new PathString(path), out _));
    }

    [Fact]
    public void AMissingRootIsRefusedAtStartUp()
    {
        var error = Assert.Throws<InvalidOperationException>(() => new ScriptResolver(new CgiMiddlewareOptions { RootPath = "/nonexistent/cgi" }));
        Assert.Contains("/nonexistent/cgi", error.Message, StringComparison.Ordinal);
    }

    public void Dispose() => _root.Dispose();
}
