using Microsoft.Extensions.Configuration;

namespace EventCore.Sites.Configuration;

/// <summary>Reads the file on <see cref="Load"/>; a faulty file throws <see cref="WebservConfigException"/> (file:line).</summary>
internal sealed class WebservConfigurationProvider(string path) : ConfigurationProvider
{
    public override void Load() => Data = ConfigCompiler.CompileFile(path);
}
