using EventCore.Sites.Configuration;

namespace EventCore.Sites.Tests.Configuration;

public sealed class TokenizerTests
{
    [Fact]
    public void Words_braces_semicolons_and_comments_with_their_lines()
    {
        var tokens = Tokenizer.Tokenize("server { # a comment ; {\n  listen 80;\n}\n", "f");
        Assert.Equal(
            new[] { (TokenKind.Word, "server", 1), (TokenKind.OpenBrace, "{", 1), (TokenKind.Word, "listen", 2), (TokenKind.Word, "80", 2), (TokenKind.Semicolon, ";", 2), (TokenKind.CloseBrace, "}", 3) },
            tokens.Select(t => (t.Kind, t.Text, t.Line)));
    }

    [Fact]
    public void Quoted_strings_keep_spaces_braces_semicolons_hashes_and_escapes()
    {
        var tokens = Tokenizer.Tokenize("return 200 \"a b; {c} #d \\\"q\\\" \\n\" 'single \\' quote';", "f");
        Assert.Equal(new[] { "return", "200", "a b; {c} #d \"q\" \n", "single ' quote", ";" }, tokens.Select(t => t.Text));
    }

    [Fact]
    public void Unterminated_quote_names_the_line_it_starts_on()
    {
        var error = Assert.Throws<WebservConfigException>(() => Tokenizer.Tokenize("root /a;\nreturn 200 \"never\nclosed;\n", "/x.conf"));
        Assert.Equal(2, error.Line);
        Assert.Equal("/x.conf:2: unterminated quoted string (starts with \")", error.Message);
    }
}
