using System.IO.Compression;
using System.Xml.Linq;

namespace EventCore.Packaging.Tests;

/// <summary>A .nupkg (or .snupkg) as a zip: its entries, its nuspec and the text of its files.</summary>
internal sealed class Package : IDisposable
{
    private readonly ZipArchive _zip;

    public Package(string path)
    {
        Path = path;
        _zip = ZipFile.OpenRead(path);
    }

    public string Path { get; }

    public IReadOnlyList<string> Entries => [.. _zip.Entries.Select(e => e.FullName)];

    public XElement Metadata
    {
        get
        {
            XDocument nuspec = XDocument.Parse(ReadText(Entries.Single(e => e.EndsWith(".nuspec", StringComparison.Ordinal))));
            return nuspec.Root!.Elements().Single(e => e.Name.LocalName == "metadata");
        }
    }

    public string? Meta(string name) => Metadata.Elements().SingleOrDefault(e => e.Name.LocalName == name)?.Value;

    public XElement? MetaElement(string name) => Metadata.Elements().SingleOrDefault(e => e.Name.LocalName == name);

    public string ReadText(string entry)
    {
        using var reader = new StreamReader(Open(entry));
        return reader.ReadToEnd();
    }

    public MemoryStream ReadBytes(string entry)
    {
        var copy = new MemoryStream();
        using (Stream stream = Open(entry))
        {
            stream.CopyTo(copy);
        }

        copy.Position = 0;
        return copy;
    }

    public void Dispose() => _zip.Dispose();

    private Stream Open(string entry) =>
        (_zip.GetEntry(entry) ?? throw new InvalidOperationException($"{Path} has no {entry}; it has {string.Join(", ", Entries)}")).Open();
}
