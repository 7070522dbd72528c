namespace Sluice.Expressions;

/// <summary>A parsed expression. <see cref="At"/> is where it starts; <see cref="Text"/> is its source text, for messages.</summary>
internal abstract record Node(Position At)
{
    public string Text { get; init; } = "";
}

internal enum LiteralKind { Integer, Number, String, Bool, Null }

/// <summary>A literal; <see cref="Value"/> is the token text (digits, string value, TRUE/FALSE).</summary>
internal sealed record LiteralNode(Position At, LiteralKind Kind, string Value) : Node(At);

internal sealed record ColumnNode(Position At, string Name) : Node(At);

/// <summary>Unary <c>-</c> or <c>NOT</c>.</summary>
internal sealed record UnaryNode(Position At, string Op, Node Operand) : Node(At);

/// <summary>Binary operator: OR AND = &lt;&gt; &lt; &lt;= &gt; &gt;= || + - * / %. <see cref="OpAt"/> is the operator's position.</summary>
internal sealed record BinaryNode(Position At, string Op, Position OpAt, Node Left, Node Right) : Node(At);

internal sealed record IsNullNode(Position At, Node Operand, bool Negated) : Node(At);

internal sealed record InNode(Position At, Node Operand, IReadOnlyList<Node> Items, bool Negated) : Node(At);

internal sealed record BetweenNode(Position At, Node Operand, Node Low, Node High, bool Negated) : Node(At);

internal sealed record LikeNode(Position At, Node Operand, Node Pattern, bool Negated) : Node(At);

/// <summary>CASE [subject] WHEN … THEN … [ELSE …] END; with a subject each WHEN is compared to it with =.</summary>
internal sealed record CaseNode(Position At, Node? Subject, IReadOnlyList<(Node When, Node Then)> Arms, Node? Else) : Node(At);

internal sealed record CastNode(Position At, Node Operand, string TypeName, Position TypeAt) : Node(At);

internal sealed record CallNode(Position At, string Name, IReadOnlyList<Node> Args) : Node(At);
