using System.Diagnostics.CodeAnalysis;
using EventCore.Server.Http1;

namespace EventCore.Microbenchmarks;

/// <summary>A sample input that does not go through is a broken benchmark, not a slow one: fail loudly.</summary>
internal static class SampleFailure
{
    [DoesNotReturn]
    public static void Throw(string what, RequestRejection rejection)
        => throw new InvalidOperationException($"The sample {what} was refused: {rejection}.");
}
