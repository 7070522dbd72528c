namespace Sluice.Expressions;

/// <summary>A 1-based line and column inside the expression text.</summary>
internal readonly record struct Position(int Line, int Column);

internal enum TokenKind
{
    End,
    Identifier,
    QuotedIdentifier,
    Integer,
    Number,
    String,
    Keyword,
    Symbol,
}

/// <summary>
/// One lexical token. <see cref="Text"/> is the keyword upper-cased, the identifier or string value (quotes and escapes
/// removed), the literal's digits, or the symbol itself.
/// </summary>
internal readonly record struct Token(TokenKind Kind, string Text, Position At)
{
    public bool Is(TokenKind kind, string text) => Kind == kind && Text == text;

    public bool IsKeyword(string keyword) => Is(TokenKind.Keyword, keyword);

    public bool IsSymbol(string symbol) => Is(TokenKind.Symbol, symbol);

    /// <summary>How the token reads in an error message.</summary>
    public string Describe() => Kind switch
    {
        TokenKind.End => "end of expression",
        TokenKind.String => $"'{Text}'",
        TokenKind.QuotedIdentifier => $"\"{Text}\"",
        _ => $"'{Text}'",
    };
}
