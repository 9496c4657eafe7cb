namespace EventCore.Sites.Configuration;

/// <summary>Where a directive may stand: the file's top level, a <c>server</c> block, a <c>location</c> block.</summary>
[Flags]
internal enum DirectiveContext
{
    Global = 1,
    Server = 2,
    Location = 4,
    Any = Global | Server | Location,
}
