namespace EventCore.Cgi.Middleware;

/// <summary>What <see cref="ScriptResolver.Resolve"/> made of a request path.</summary>
internal enum ScriptResolution
{
    /// <summary>Not a script of this folder: the next middleware serves it.</summary>
    NotCgi,

    /// <summary>A script path (which may not exist: the executor answers 404).</summary>
    Script,

    /// <summary>The path leads outside the root (a symlink, or dot segments a server let through): 404.</summary>
    Outside,
}
