using System.Text;

namespace Sluice.Expressions;

/// <summary>Splits expression text into tokens, tracking line and column for error messages.</summary>
internal static class Lexer
{
    internal static readonly HashSet<string> Keywords = new(StringComparer.OrdinalIgnoreCase)
    {
        "AND", "OR", "NOT", "IS", "NULL", "IN", "BETWEEN", "LIKE", "CASE", "WHEN", "THEN", "ELSE", "END",
        "CAST", "AS", "TRUE", "FALSE",
    };

    // Longest first, so "<=" wins over "<".
    private static readonly string[] Symbols = ["<>", "!=", "<=", ">=", "||", "=", "<", ">", "+", "-", "*", "/", "%", "(", ")", ","];

    public static List<Token> Tokenize(string text)
    {
        var tokens = new List<Token>();
        int i = 0, line = 1, lineStart = 0;
        while (true)
        {
            while (i < text.Length && char.IsWhiteSpace(text[i]))
            {
                if (text[i] == '\n') { line++; lineStart = i + 1; }
                i++;
            }
            var at = new Position(line, i - lineStart + 1);
            if (i >= text.Length)
            {
                tokens.Add(new Token(TokenKind.End, "", at));
                return tokens;
            }
            char c = text[i];
            if (char.IsLetter(c) || c == '_')
            {
                int start = i;
                while (i < text.Length && (char.IsLetterOrDigit(text[i]) || text[i] == '_')) i++;
                string word = text[start..i];
                tokens.Add(Keywords.Contains(word)
                    ? new Token(TokenKind.Keyword, word.ToUpperInvariant(), at)
                    : new Token(TokenKind.Identifier, word, at));
            }
            else if (char.IsAsciiDigit(c) || (c == '.' && i + 1 < text.Length && char.IsAsciiDigit(text[i + 1])))
            {
                tokens.Add(ReadNumber(text, ref i, at));
            }
            else if (c is '\'' or '"')
            {
                string value = ReadQuoted(text, ref i, ref line, ref lineStart, at);
                tokens.Add(new Token(c == '\'' ? TokenKind.String : TokenKind.QuotedIdentifier, value, at));
            }
            else
            {
                string? symbol = Symbols.FirstOrDefault(s => string.CompareOrdinal(text, i, s, 0, s.Length) == 0);
                if (symbol is null) throw new ExpressionException($"unexpected character '{c}'", at);
                tokens.Add(new Token(TokenKind.Symbol, symbol, at));
                i += symbol.Length;
            }
        }
    }

    private static Token ReadNumber(string text, ref int i, Position at)
    {
        int start = i;
        bool dotted = false, exponent = false;
        while (i < text.Length && char.IsAsciiDigit(text[i])) i++;
        if (i < text.Length && text[i] == '.')
        {
            dotted = true;
            i++;
            while (i < text.Length && char.IsAsciiDigit(text[i])) i++;
        }
        if (i < text.Length && text[i] is 'e' or 'E')
        {
            int mark = i++;
            if (i < text.Length && text[i] is '+' or '-') i++;
            if (i < text.Length && char.IsAsciiDigit(text[i]))
            {
                exponent = true;
                while (i < text.Length && char.IsAsciiDigit(text[i])) i++;
            }
            else
            {
                i = mark;
            }
        }
        if (i < text.Length && (char.IsLetter(text[i]) || text[i] == '_'))
            throw new ExpressionException($"malformed number '{text[start..(i + 1)]}'", at);
        return new Token(dotted || exponent ? TokenKind.Number : TokenKind.Integer, text[start..i], at);
    }

    private static string ReadQuoted(string text, ref int i, ref int line, ref int lineStart, Position at)
    {
        char quote = text[i++];
        var value = new StringBuilder();
        while (true)
        {
            if (i >= text.Length)
                throw new ExpressionException(quote == '\'' ? "unterminated string; close it with '" : "unterminated quoted name; close it with \"", at);
            char c = text[i++];
            if (c == quote)
            {
                if (i < text.Length && text[i] == quote) { value.Append(quote); i++; continue; }
                return value.ToString();
            }
            if (c == '\n') { line++; lineStart = i; }
            value.Append(c);
        }
    }
}
