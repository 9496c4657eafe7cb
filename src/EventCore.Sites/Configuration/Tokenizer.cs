using System.Text;

namespace EventCore.Sites.Configuration;

/// <summary>
/// Splits a configuration file into words, braces and semicolons. <c>#</c> starts a comment up to the end of the line
/// (at the start of a token); words are quoted with <c>"</c> or <c>'</c> (escapes <c>\"</c>, <c>\'</c>, <c>\\</c>,
/// <c>\n</c>, <c>\t</c>), so a quoted word may hold spaces, braces, semicolons and <c>#</c>.
/// </summary>
internal static class Tokenizer
{
    public static List<Token> Tokenize(string text, string file)
    {
        var tokens = new List<Token>();
        var line = 1;
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (c == '\n')
            {
                line++;
                i++;
            }
            else if (char.IsWhiteSpace(c))
            {
                i++;
            }
            else if (c == '#')
            {
                while (i < text.Length && text[i] != '\n')
                {
                    i++;
                }
            }
            else if (c is '{' or '}' or ';')
            {
                tokens.Add(c switch
                {
                    '{' => new Token(TokenKind.OpenBrace, "{", line),
                    '}' => new Token(TokenKind.CloseBrace, "}", line),
                    _ => new Token(TokenKind.Semicolon, ";", line),
                });
                i++;
            }
            else if (c is '"' or '\'')
            {
                var start = line;
                tokens.Add(new Token(TokenKind.Word, ReadQuoted(text, ref i, ref line, file), start));
            }
            else
            {
                var begin = i;
                while (i < text.Length && !char.IsWhiteSpace(text[i]) && text[i] is not ('{' or '}' or ';' or '"' or '\''))
                {
                    i++;
                }

                tokens.Add(new Token(TokenKind.Word, text[begin..i], line));
            }
        }

        return tokens;
    }

    private static string ReadQuoted(string text, ref int i, ref int line, string file)
    {
        var quote = text[i];
        var start = line;
        var value = new StringBuilder();
        for (i++; i < text.Length; i++)
        {
            var c = text[i];
            if (c == quote)
            {
                i++;
                return value.ToString();
            }

            if (c == '\n')
            {
                line++;
            }

            if (c == '\\' && i + 1 < text.Length)
            {
                i++;
                value.Append(text[i] switch { 'n' => '\n', 't' => '\t', 'r' => '\r', var other => other });
                continue;
            }

            value.Append(c);
        }

        throw new WebservConfigException(file, start, $"unterminated quoted string (starts with {quote})");
    }
}
