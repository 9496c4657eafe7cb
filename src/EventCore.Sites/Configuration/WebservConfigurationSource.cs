using Microsoft.Extensions.Configuration;

namespace EventCore.Sites.Configuration;

/// <summary>
/// An <see cref="IConfigurationSource"/> over an nginx-style configuration file: it gives the keys of the
/// <c>Sites</c> section (<see cref="Options.SitesOptions"/>), as appsettings.json would. Added with
/// <c>builder.Configuration.AddWebservConfig(path)</c>.
/// </summary>
public sealed class WebservConfigurationSource : IConfigurationSource
{
    /// <summary>The configuration file (made absolute from the current folder when relative).</summary>
    public required string Path { get; init; }

    /// <inheritdoc />
    public IConfigurationProvider Build(IConfigurationBuilder builder) => new WebservConfigurationProvider(Path);
}
