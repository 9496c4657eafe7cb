namespace EventCore.Sites.Configuration;

/// <summary>
/// One row of the directive table: its name, where it may stand, how many arguments it takes (<see cref="MaxArguments"/>
/// -1: any number), whether it opens a block, whether it may repeat in one block, and what it writes.
/// </summary>
internal sealed record Directive(
    string Name,
    DirectiveContext Contexts,
    int MinArguments,
    int MaxArguments,
    Action<ConfigScope, ConfigNode> Apply,
    bool Block = false,
    bool Repeatable = false);
