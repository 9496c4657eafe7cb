namespace EventCore.Sites.Configuration;

/// <summary>
/// Turns a configuration file into a tree of <see cref="ConfigNode"/>s, with every <c>include FILE;</c> replaced by
/// the directives of the files it names (a glob; relative to the including file's folder). Knows the syntax only;
/// which directive is allowed where is <see cref="ConfigCompiler"/>'s business.
/// </summary>
internal static class ConfigParser
{
    private const int MaxIncludeDepth = 16;

    public static IReadOnlyList<ConfigNode> ParseFile(string path) => ParseFile(Path.GetFullPath(path), depth: 0, includedFrom: null);

    private static List<ConfigNode> ParseFile(string path, int depth, ConfigNode? includedFrom)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            var reason = $"cannot open \"{path}\": {e.Message}";
            throw includedFrom is null ? new WebservConfigException(path, 0, reason) : includedFrom.Error(reason);
        }

        return Parse(text, path, depth);
    }

    /// <summary>Parses <paramref name="text"/> as the content of <paramref name="file"/> (used for files and tests).</summary>
    public static List<ConfigNode> Parse(string text, string file, int depth = 0)
    {
        var tokens = Tokenizer.Tokenize(text, file);
        var position = 0;
        var nodes = ParseBlock(tokens, ref position, file, depth, closeLine: null);
        return nodes;
    }

    private static List<ConfigNode> ParseBlock(List<Token> tokens, ref int position, string file, int depth, int? closeLine)
    {
        var nodes = new List<ConfigNode>();
        while (position < tokens.Count)
        {
            var token = tokens[position++];
            switch (token.Kind)
            {
                case TokenKind.CloseBrace when closeLine is not null:
                    return nodes;
                case TokenKind.CloseBrace:
                    throw new WebservConfigException(file, token.Line, "unexpected \"}\"");
                case TokenKind.Semicolon:
                    throw new WebservConfigException(file, token.Line, "unexpected \";\"");
                case TokenKind.OpenBrace:
                    throw new WebservConfigException(file, token.Line, "unexpected \"{\"");
            }

            var arguments = new List<string>();
            while (position < tokens.Count && tokens[position].Kind == TokenKind.Word)
            {
                arguments.Add(tokens[position++].Text);
            }

            if (position == tokens.Count)
            {
                throw new WebservConfigException(file, token.Line, $"unexpected end of file, expecting \";\" or \"{{\" after \"{token.Text}\"");
            }

            var end = tokens[position++];
            if (end.Kind == TokenKind.CloseBrace)
            {
                throw new WebservConfigException(file, end.Line, $"unexpected \"}}\": directive \"{token.Text}\" is not terminated by \";\"");
            }

            if (end.Kind == TokenKind.OpenBrace)
            {
                var children = ParseBlock(tokens, ref position, file, depth, token.Line);
                nodes.Add(new ConfigNode(token.Text, arguments, file, token.Line, children));
                continue;
            }

            var node = new ConfigNode(token.Text, arguments, file, token.Line, null);
            if (token.Text == "include")
            {
                nodes.AddRange(Include(node, depth));
            }
            else
            {
                nodes.Add(node);
            }
        }

        if (closeLine is not null)
        {
            throw new WebservConfigException(file, closeLine.Value, "unexpected end of file, expecting \"}\" (this block is not closed)");
        }

        return nodes;
    }

    private static List<ConfigNode> Include(ConfigNode node, int depth)
    {
        if (node.Arguments.Count != 1)
        {
            throw node.Error("invalid number of arguments in \"include\" directive");
        }

        if (depth >= MaxIncludeDepth)
        {
            throw node.Error($"includes nested more than {MaxIncludeDepth} deep (does a file include itself?)");
        }

        var nodes = new List<ConfigNode>();
        foreach (var path in Glob(node))
        {
            nodes.AddRange(ParseFile(path, depth + 1, node));
        }

        return nodes;
    }

    /// <summary>The files an include names: one file, or every file a wildcard (<c>*</c>, <c>?</c> in the last segment) matches, in name order.</summary>
    private static IEnumerable<string> Glob(ConfigNode node)
    {
        var pattern = Path.GetFullPath(node.Arguments[0], node.Folder);
        var name = Path.GetFileName(pattern);
        if (name.AsSpan().IndexOfAny('*', '?') < 0)
        {
            return File.Exists(pattern) ? [pattern] : throw node.Error($"include file \"{pattern}\" not found");
        }

        var folder = Path.GetDirectoryName(pattern)!;
        if (folder.AsSpan().IndexOfAny('*', '?') >= 0)
        {
            throw node.Error($"include \"{node.Arguments[0]}\": wildcards only in the file name");
        }

        return Directory.Exists(folder)
            ? Directory.GetFiles(folder, name).Order(StringComparer.Ordinal)
            : [];
    }
}
