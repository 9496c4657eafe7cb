using System.Globalization;

namespace EventCore.Sites.Configuration;

/// <summary>
/// One block being compiled (the top level, a server, a location): writes its settings as configuration keys under
/// <see cref="Prefix"/> (<c>Sites:Servers:0:Locations:1:</c>) and remembers which directives it has seen.
/// </summary>
internal sealed class ConfigScope(DirectiveContext context, string prefix, Dictionary<string, string?> data, ConfigNode? block)
{
    private readonly Dictionary<string, int> _counts = new(StringComparer.Ordinal);
    private readonly HashSet<string> _seen = new(StringComparer.Ordinal);

    public DirectiveContext Context { get; } = context;

    public string Prefix { get; } = prefix;

    /// <summary>The directive that opened this block (null at the top level).</summary>
    public ConfigNode? Block { get; } = block;

    public Dictionary<string, string?> Data { get; } = data;

    /// <summary>Every <c>listen</c> address + server name pair seen so far in the whole file, with the server that has it.</summary>
    public Dictionary<string, ConfigNode> VirtualHosts { get; private init; } = new(StringComparer.Ordinal);

    /// <summary>False when <paramref name="name"/> was already seen in this block.</summary>
    public bool FirstTime(string name) => _seen.Add(name);

    public bool Has(string name) => _seen.Contains(name);

    public void Set(string key, string value) => Data[Prefix + key] = value;

    /// <summary>Appends <paramref name="value"/> to the list <paramref name="key"/> (<c>Listen:0</c>, <c>Listen:1</c>, ...).</summary>
    public void Add(string key, string value) => Data[Prefix + key + ":" + Next(key).ToString(CultureInfo.InvariantCulture)] = value;

    /// <summary>The next index of the list <paramref name="key"/>.</summary>
    public int Next(string key)
    {
        _counts.TryGetValue(key, out var count);
        _counts[key] = count + 1;
        return count;
    }

    /// <summary>The values of the list <paramref name="key"/> written so far.</summary>
    public List<string> Values(string key)
    {
        _counts.TryGetValue(key, out var count);
        return [.. Enumerable.Range(0, count).Select(i => Data[Prefix + key + ":" + i.ToString(CultureInfo.InvariantCulture)]!)];
    }

    public ConfigScope Child(DirectiveContext childContext, string listKey, ConfigNode node) =>
        new(childContext, Prefix + listKey + ":" + Next(listKey).ToString(CultureInfo.InvariantCulture) + ":", Data, node)
        {
            VirtualHosts = VirtualHosts,
        };
}
