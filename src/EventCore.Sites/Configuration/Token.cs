namespace EventCore.Sites.Configuration;

/// <summary>What a <see cref="Token"/> is.</summary>
internal enum TokenKind
{
    Word,
    OpenBrace,
    CloseBrace,
    Semicolon,
}

/// <summary>One token of a configuration file, with the line it starts on.</summary>
internal readonly record struct Token(TokenKind Kind, string Text, int Line);
