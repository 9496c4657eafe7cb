namespace EventCore.Cgi.Tests.Support;

/// <summary>
/// Tests that measure the whole process (its memory, descriptors, children) and so must not share it with others:
/// xunit runs this collection by itself, after the parallel ones.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class RunsAlone
{
    public const string Name = "Measures the whole process";
}
