using EventCore.Sites.Configuration;

namespace Microsoft.Extensions.Configuration;

/// <summary>Adds an nginx-style configuration file to an app's configuration.</summary>
public static class WebservConfigurationExtensions
{
    /// <summary>
    /// Reads the nginx-style file at <paramref name="path"/> (server blocks, locations, the directives of
    /// docs/webserv.md) into the <c>Sites</c> section, the same keys appsettings.json can give. Relative paths inside
    /// the file resolve from the folder of the file that contains them.
    /// </summary>
    /// <exception cref="WebservConfigException">The file cannot be read or is not valid; the message names file:line.</exception>
    public static IConfigurationBuilder AddWebservConfig(this IConfigurationBuilder builder, string path)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(path);
        return builder.Add(new WebservConfigurationSource { Path = Path.GetFullPath(path) });
    }
}
