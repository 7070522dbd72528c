namespace Sluice.Expressions;

/// <summary>
/// Recursive-descent parser with SQL precedence, lowest first:
/// OR; AND; NOT; comparisons / IS / IN / BETWEEN / LIKE; ||; + -; * / %; unary -; primary.
/// Runs of AND, OR and || become one <see cref="ChainNode"/> each, of any length. Everything else that nests — the
/// tree's height and the parser's own recursion — is bounded by <see cref="MaxDepth"/>, so that no input can exhaust
/// the stack of the parser or of any later pass that walks the tree (binding, constant folding, evaluation).
/// </summary>
internal sealed class Parser
{
    /// <summary>Most levels an expression may nest (see docs/expressions.md, "Limits").</summary>
    public const int MaxDepth = 100;

    private readonly string _text;
    private readonly List<Token> _tokens;
    private readonly int[] _lineStarts;
    private int _next;
    private int _nesting;

    private Parser(string text)
    {
        _text = text;
        _tokens = Lexer.Tokenize(text);
        var starts = new List<int> { 0 };
        for (int i = 0; i < text.Length; i++) if (text[i] == '\n') starts.Add(i + 1);
        _lineStarts = [.. starts];
    }

    public static Node Parse(string text)
    {
        var parser = new Parser(text);
        if (parser.Peek.Kind == TokenKind.End) throw new ExpressionException("empty expression", parser.Peek.At);
        var node = parser.Or();
        if (parser.Peek.Kind != TokenKind.End)
            throw new ExpressionException($"unexpected {parser.Peek.Describe()} after '{node.Text}'; is an operator missing?", parser.Peek.At);
        return node;
    }

    private Token Peek => _tokens[_next];

    private Token Previous => _tokens[_next - 1];

    private Token Advance() => _tokens[_next++];

    private bool Accept(string keywordOrSymbol)
    {
        var t = Peek;
        if (!(t.IsKeyword(keywordOrSymbol) || t.IsSymbol(keywordOrSymbol))) return false;
        _next++;
        return true;
    }

    private void Expect(string what, Node after)
    {
        if (!Accept(what))
            throw new ExpressionException($"expected '{what}' after '{after.Text}' but found {Peek.Describe()}", Peek.At);
    }

    /// <summary>Sets the node's source text to the span from its start to the end of the last consumed token.</summary>
    private T Spanned<T>(T node) where T : Node
    {
        int start = Offset(node.At);
        var last = Previous;
        int end = Offset(last.At) + TokenLength(last);
        int depth = 1 + Children(node).Select(c => c.Depth).DefaultIfEmpty(0).Max();
        if (depth > MaxDepth)
            throw new ExpressionException(
                $"expression nested too deeply: more than {MaxDepth} levels (each operator in a row like a + b + c counts as one, " +
                "as do parentheses, CASE, CAST, NOT and function calls); split it into several derived columns, or use IN or one CASE with several WHEN arms",
                node is BinaryNode b ? b.OpAt : Previous.At);
        return node with { Source = _text, Start = start, End = end, Depth = depth };
    }

    /// <summary>The direct children of a node (not their children: this must not recurse).</summary>
    private static IEnumerable<Node> Children(Node node) => node switch
    {
        UnaryNode n => [n.Operand],
        BinaryNode n => [n.Left, n.Right],
        ChainNode n => n.Operands,
        IsNullNode n => [n.Operand],
        InNode n => [n.Operand, .. n.Items],
        BetweenNode n => [n.Operand, n.Low, n.High],
        LikeNode n => [n.Operand, n.Pattern],
        CaseNode n => [.. n.Subject is null ? [] : new[] { n.Subject }, .. n.Arms.SelectMany(a => new[] { a.When, a.Then }), .. n.Else is null ? [] : new[] { n.Else }],
        CastNode n => [n.Operand],
        CallNode n => n.Args,
        _ => [],
    };

    /// <summary>Parses a construct that can contain any expression (parentheses, CASE, a call …), counting how deep
    /// such constructs are nested: the parser recurses once per level, and the tree's height alone does not show
    /// <c>((((a))))</c>.</summary>
    private Node Nested(Func<Node> parse, Token at)
    {
        if (++_nesting > MaxDepth)
            throw new ExpressionException(
                $"expression nested too deeply: more than {MaxDepth} levels of parentheses, CASE, CAST, IN, NOT, unary minus or function calls; split it into several derived columns",
                at.At);
        try { return parse(); }
        finally { _nesting--; }
    }

    private int Offset(Position p) => _lineStarts[p.Line - 1] + p.Column - 1;

    private int TokenLength(Token t)
    {
        int start = Offset(t.At);
        return t.Kind switch
        {
            TokenKind.String or TokenKind.QuotedIdentifier => QuotedLength(start),
            _ => t.Text.Length,
        };
    }

    private int QuotedLength(int start)
    {
        char quote = _text[start];
        int i = start + 1;
        while (i < _text.Length)
        {
            if (_text[i] == quote)
            {
                if (i + 1 < _text.Length && _text[i + 1] == quote) { i += 2; continue; }
                return i + 1 - start;
            }
            i++;
        }
        return _text.Length - start;
    }

    private Node Or() => Chain(And, "OR");

    private Node And() => Chain(Not, "AND");

    /// <summary>A run of <paramref name="op"/> (AND, OR or ||) as one <see cref="ChainNode"/>, or the lone operand.</summary>
    private Node Chain(Func<Node> operand, string op)
    {
        var first = operand();
        if (!IsOperator(Peek, op)) return first;
        var operands = new List<Node> { first };
        while (IsOperator(Peek, op))
        {
            var t = Advance();
            operands.Add(Operand(operand, t));
        }
        return Spanned(new ChainNode(first.At, op, operands));
    }

    private static bool IsOperator(Token t, string op) => t.IsKeyword(op) || t.IsSymbol(op);

    private Node Not()
    {
        if (!Peek.IsKeyword("NOT")) return Comparison();
        var op = Advance();
        return Spanned(new UnaryNode(op.At, "NOT", Nested(() => Operand(Not, op), op)));
    }

    private static readonly HashSet<string> ComparisonSymbols = ["=", "<>", "!=", "<", "<=", ">", ">="];

    private Node Comparison()
    {
        var left = Concat();
        while (true)
        {
            var t = Peek;
            if (t.Kind == TokenKind.Symbol && ComparisonSymbols.Contains(t.Text))
            {
                Advance();
                string op = t.Text == "!=" ? "<>" : t.Text;
                left = Spanned(new BinaryNode(left.At, op, t.At, left, Operand(Concat, t)));
            }
            else if (t.IsKeyword("IS"))
            {
                Advance();
                bool negated = Accept("NOT");
                if (!Accept("NULL")) throw new ExpressionException($"expected NULL after 'IS{(negated ? " NOT" : "")}' but found {Peek.Describe()}", Peek.At);
                left = Spanned(new IsNullNode(left.At, left, negated));
            }
            else if (t.IsKeyword("NOT") || t.IsKeyword("IN") || t.IsKeyword("BETWEEN") || t.IsKeyword("LIKE"))
            {
                left = Predicate(left);
            }
            else
            {
                return left;
            }
        }
    }

    private Node Predicate(Node left)
    {
        bool negated = Accept("NOT");
        var t = Advance();
        if (t.IsKeyword("IN"))
        {
            if (!Accept("(")) throw new ExpressionException($"expected '(' after IN but found {Peek.Describe()}", Peek.At);
            var items = new List<Node> { Nested(() => Operand(Or, t), t) };
            while (Accept(",")) items.Add(Nested(() => Operand(Or, Previous), t));
            Expect(")", items[^1]);
            return Spanned(new InNode(left.At, left, items, negated));
        }
        if (t.IsKeyword("BETWEEN"))
        {
            var low = Operand(Concat, t);
            if (!Accept("AND")) throw new ExpressionException($"expected AND after 'BETWEEN {low.Text}' but found {Peek.Describe()}", Peek.At);
            var high = Operand(Concat, Previous);
            return Spanned(new BetweenNode(left.At, left, low, high, negated));
        }
        if (t.IsKeyword("LIKE"))
            return Spanned(new LikeNode(left.At, left, Operand(Concat, t), negated));
        throw new ExpressionException($"expected IN, BETWEEN or LIKE after NOT but found {t.Describe()}", t.At);
    }

    private Node Concat() => Chain(Additive, "||");

    private Node Additive() => BinaryLevel(Multiplicative, "+", "-");

    private Node Multiplicative() => BinaryLevel(Unary, "*", "/", "%");

    private Node BinaryLevel(Func<Node> operand, params string[] symbols)
    {
        var left = operand();
        while (Peek.Kind == TokenKind.Symbol && symbols.Contains(Peek.Text))
        {
            var op = Advance();
            left = Spanned(new BinaryNode(left.At, op.Text, op.At, left, Operand(operand, op)));
        }
        return left;
    }

    private Node Unary()
    {
        if (!Peek.IsSymbol("-") && !Peek.IsSymbol("+")) return Primary();
        var op = Advance();
        var operand = Nested(() => Operand(Unary, op), op);
        if (op.Text == "+") return operand;
        // Fold "-literal" so the most negative int64 is writable.
        if (operand is LiteralNode { Kind: LiteralKind.Integer or LiteralKind.Number } lit)
            return Spanned(new LiteralNode(op.At, lit.Kind, "-" + lit.Value));
        return Spanned(new UnaryNode(op.At, "-", operand));
    }

    /// <summary>Parses the operand of an operator, failing with a message that names the operator when it is missing.</summary>
    private Node Operand(Func<Node> parse, Token op)
    {
        if (Peek.Kind == TokenKind.End || Peek.IsSymbol(")") || Peek.IsSymbol(","))
            throw new ExpressionException($"expected an expression after '{op.Text}' but found {Peek.Describe()}", Peek.At);
        return parse();
    }

    private Node Primary()
    {
        var t = Advance();
        switch (t.Kind)
        {
            case TokenKind.Integer: return Spanned(new LiteralNode(t.At, LiteralKind.Integer, t.Text));
            case TokenKind.Number: return Spanned(new LiteralNode(t.At, LiteralKind.Number, t.Text));
            case TokenKind.String: return Spanned(new LiteralNode(t.At, LiteralKind.String, t.Text));
            case TokenKind.QuotedIdentifier: return Spanned(new ColumnNode(t.At, t.Text));
            case TokenKind.Identifier:
                return Peek.IsSymbol("(") ? Nested(() => Call(t), t) : Spanned(new ColumnNode(t.At, t.Text));
            case TokenKind.Keyword when t.Text is "TRUE" or "FALSE":
                return Spanned(new LiteralNode(t.At, LiteralKind.Bool, t.Text));
            case TokenKind.Keyword when t.Text == "NULL":
                return Spanned(new LiteralNode(t.At, LiteralKind.Null, t.Text));
            case TokenKind.Keyword when t.Text == "CASE":
                return Nested(() => Case(t), t);
            case TokenKind.Keyword when t.Text == "CAST":
                return Nested(() => Cast(t), t);
            case TokenKind.Symbol when t.Text == "(":
                var inner = Nested(() => Operand(Or, t), t);
                Expect(")", inner);
                return inner;
            default:
                throw new ExpressionException($"expected a value, column or '(' but found {t.Describe()}", t.At);
        }
    }

    private Node Call(Token name)
    {
        var open = Advance();
        var args = new List<Node>();
        if (!Peek.IsSymbol(")"))
        {
            args.Add(Operand(Or, open));
            while (Accept(",")) args.Add(Operand(Or, Previous));
        }
        if (!Accept(")"))
            throw new ExpressionException($"expected ')' or ',' after '{(args.Count > 0 ? args[^1].Text : name.Text + "(")}' but found {Peek.Describe()}", Peek.At);
        return Spanned(new CallNode(name.At, name.Text, args));
    }

    private Node Case(Token start)
    {
        Node? subject = Peek.IsKeyword("WHEN") ? null : Operand(Or, start);
        var arms = new List<(Node, Node)>();
        while (Accept("WHEN"))
        {
            var when = Operand(Or, Previous);
            if (!Accept("THEN")) throw new ExpressionException($"expected THEN after 'WHEN {when.Text}' but found {Peek.Describe()}", Peek.At);
            arms.Add((when, Operand(Or, Previous)));
        }
        if (arms.Count == 0) throw new ExpressionException($"expected WHEN after CASE but found {Peek.Describe()}", Peek.At);
        Node? otherwise = Accept("ELSE") ? Operand(Or, Previous) : null;
        if (!Accept("END")) throw new ExpressionException($"expected END to close the CASE but found {Peek.Describe()}", Peek.At);
        return Spanned(new CaseNode(start.At, subject, arms, otherwise));
    }

    private Node Cast(Token start)
    {
        if (!Accept("(")) throw new ExpressionException($"expected '(' after CAST but found {Peek.Describe()}", Peek.At);
        var operand = Operand(Or, Previous);
        if (!Accept("AS")) throw new ExpressionException($"expected AS after 'CAST({operand.Text}' but found {Peek.Describe()}", Peek.At);
        var type = Advance();
        if (type.Kind != TokenKind.Identifier)
            throw new ExpressionException($"expected a type ({string.Join(", ", Sluice.Records.FieldTypes.Names)}) after AS but found {type.Describe()}", type.At);
        if (!Accept(")")) throw new ExpressionException($"expected ')' after 'CAST({operand.Text} AS {type.Text}' but found {Peek.Describe()}", Peek.At);
        return Spanned(new CastNode(start.At, operand, type.Text, type.At));
    }
}
