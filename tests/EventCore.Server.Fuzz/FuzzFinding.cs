namespace EventCore.Server.Fuzz;

/// <summary>An input broke an invariant: the fuzzers treat it as a crash and keep the input.</summary>
internal sealed class FuzzFinding(string message) : Exception(message);
