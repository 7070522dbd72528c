namespace Sluice.Expressions;

/// <summary>
/// A parsed expression. <see cref="At"/> is where it starts; <see cref="Text"/> is its source text, for messages.
/// <see cref="Depth"/> is the height of its tree, which the parser bounds so that no later pass that walks the tree
/// (binding, evaluation) can run out of stack.
/// </summary>
internal abstract record Node(Position At)
{
    /// <summary>The whole expression text; <see cref="Start"/> and <see cref="End"/> delimit this node in it.</summary>
    public string Source { get; init; } = "";

    public int Start { get; init; }

    public int End { get; init; }

    public int Depth { get; init; } = 1;

    /// <summary>The node's source text, shortened in the middle when long. Computed when asked for, so that a chain
    /// of 10,000 terms does not keep 10,000 ever longer copies of its prefixes.</summary>
    public string Text => Snippet(Source, Start, End);

    private const int MaxText = 120;

    private static string Snippet(string source, int start, int end)
    {
        end = Math.Min(end, source.Length);
        if (end - start <= MaxText) return source[start..end];
        const int half = MaxText / 2 - 2;
        return $"{source[start..(start + half)]} … {source[(end - half)..end]}";
    }
}

internal enum LiteralKind { Integer, Number, String, Bool, Null }

/// <summary>A literal; <see cref="Value"/> is the token text (digits, string value, TRUE/FALSE).</summary>
internal sealed record LiteralNode(Position At, LiteralKind Kind, string Value) : Node(At);

internal sealed record ColumnNode(Position At, string Name) : Node(At);

/// <summary>Unary <c>-</c> or <c>NOT</c>.</summary>
internal sealed record UnaryNode(Position At, string Op, Node Operand) : Node(At);

/// <summary>Binary operator: = &lt;&gt; &lt; &lt;= &gt; &gt;= + - * / %. <see cref="OpAt"/> is the operator's position.</summary>
internal sealed record BinaryNode(Position At, string Op, Position OpAt, Node Left, Node Right) : Node(At);

/// <summary>
/// A run of one associative operator — AND, OR or || — over two or more operands: <c>a AND b AND c</c> is one node
/// with three operands, not a tree as deep as the run is long, so a long run costs neither stack nor depth.
/// </summary>
internal sealed record ChainNode(Position At, string Op, IReadOnlyList<Node> Operands) : Node(At);

internal sealed record IsNullNode(Position At, Node Operand, bool Negated) : Node(At);

internal sealed record InNode(Position At, Node Operand, IReadOnlyList<Node> Items, bool Negated) : Node(At);

internal sealed record BetweenNode(Position At, Node Operand, Node Low, Node High, bool Negated) : Node(At);

internal sealed record LikeNode(Position At, Node Operand, Node Pattern, bool Negated) : Node(At);

/// <summary>CASE [subject] WHEN … THEN … [ELSE …] END; with a subject each WHEN is compared to it with =.</summary>
internal sealed record CaseNode(Position At, Node? Subject, IReadOnlyList<(Node When, Node Then)> Arms, Node? Else) : Node(At);

internal sealed record CastNode(Position At, Node Operand, string TypeName, Position TypeAt) : Node(At);

internal sealed record CallNode(Position At, string Name, IReadOnlyList<Node> Args) : Node(At);
