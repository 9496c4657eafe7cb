using System.Text.RegularExpressions;
using EventCore.Sites.Configuration;

namespace EventCore.Sites.Tests;

public sealed class DocsTests
{
    [Fact]
    public void Every_directive_of_the_table_has_a_section_with_an_example_in_docs_webserv_md()
    {
        var docs = File.ReadAllText(Path.Combine(RepositoryRoot(), "docs", "webserv.md"));
        var sections = Regex.Split(docs, @"^### ", RegexOptions.Multiline).Skip(1)
            .ToDictionary(s => s[..s.IndexOf('\n', StringComparison.Ordinal)].Trim(), s => s);
        var missing = Directives.All.Select(d => d.Name).Where(name => !sections.Keys.Any(k => k.Contains($"`{name}`", StringComparison.Ordinal))).ToList();
        Assert.True(missing.Count == 0, "docs/webserv.md has no \"### `NAME`\" section for: " + string.Join(", ", missing));
        foreach (var directive in Directives.All)
        {
            var section = sections.First(s => s.Key.Contains($"`{directive.Name}`", StringComparison.Ordinal)).Value;
            Assert.True(section.Contains("```nginx", StringComparison.Ordinal) && section.Contains(directive.Name + " ", StringComparison.Ordinal), $"the section of {directive.Name} has no nginx example using it");
        }
    }

    internal static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "EventCore.AspNet.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("EventCore.AspNet.sln not found above " + AppContext.BaseDirectory);
    }
}
