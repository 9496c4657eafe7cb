namespace EventCore.FunctionalTests.Infrastructure;

/// <summary>An element of the in-test app's /json-large response.</summary>
public sealed record JsonItem(int Id, string Name, bool Even);
