using System.Globalization;
using System.Text;
using Apache.Arrow;
using Sluice.Expressions.Kernels;
using Sluice.Records;

namespace Sluice.Expressions;

/// <summary>
/// Type-checks a parsed expression against a schema and builds its kernels. Every error is an
/// <see cref="ExpressionException"/> at the position of the part that is wrong.
/// Type rules: int64 widens to decimal widens to float64, date widens to timestamp, a string literal next to a
/// date/timestamp is parsed as one at compile time, and an untyped NULL takes the type of its neighbours.
/// A sub-expression that reads no column is a constant: it is evaluated once here and replaced by its value, and when
/// it fails (<c>1/0</c>, an overflow, a failed CAST) it would fail on every row, so that is an error — unless it sits
/// where only some rows evaluate it (a CASE branch, the right side of AND/OR, a later COALESCE argument), where it may
/// be a deliberate way to dead-letter those rows (docs/decisions.md).
/// </summary>
internal sealed class Binder(Schema schema)
{
    private static readonly RecordBatch OneRow = new(new Schema([], null), [], 1);

    private readonly List<string> _columns = [];
    private int _slots;
    private int _columnReads;
    private int _conditional;

    /// <summary>Column names referenced, in first-use order.</summary>
    public IReadOnlyList<string> Columns => _columns;

    /// <summary>Cache slots the evaluation context needs (columns and shared sub-expressions).</summary>
    public int Slots => _slots;

    /// <summary>NULL before its type is known from context.</summary>
    internal sealed class UntypedNull() : Kernel(FieldType.String)
    {
        public override Vec Evaluate(EvalContext context) => throw new InvalidOperationException("untyped NULL was not resolved");
    }

    public Kernel BindRoot(Node node)
    {
        var kernel = Bind(node);
        if (kernel is UntypedNull) throw new ExpressionException("NULL has no type here; write CAST(NULL AS <type>)", node.At);
        return kernel;
    }

    public Kernel Bind(Node node)
    {
        int reads = _columnReads;
        var kernel = BindNode(node);
        return reads == _columnReads ? Fold(node, kernel) : kernel;
    }

    /// <summary>Binds with <paramref name="bind"/> a part that only some rows evaluate.</summary>
    public T Conditionally<T>(Func<T> bind)
    {
        _conditional++;
        try { return bind(); }
        finally { _conditional--; }
    }

    /// <summary>A constant's value as a literal. Its parts are already literals, so this is one cheap step per node.</summary>
    private Kernel Fold(Node node, Kernel kernel)
    {
        if (kernel is LiteralKernel or UntypedNull) return kernel;
        var errors = new List<RowError>();
        var value = kernel.Evaluate(new EvalContext(OneRow, _slots, errors));
        if (errors.Count == 0) return new LiteralKernel(kernel.Type, ValueOf(value));
        if (_conditional > 0) return kernel;
        throw new ExpressionException($"this expression always fails: {errors[0].Message}", node.At);
    }

    private static object? ValueOf(Vec vec) => !vec.IsValid(0) ? null : vec switch
    {
        Vec<bool> v => v.Values[0],
        Vec<long> v => v.Values[0],
        Vec<double> v => v.Values[0],
        Vec<decimal> v => v.Values[0],
        Vec<int> v => v.Values[0],
        StrVec v => v[0].ToArray(),
        _ => throw new InvalidOperationException($"unexpected vector {vec.GetType().Name}"),
    };

    private Kernel BindNode(Node node) => node switch
    {
        LiteralNode n => Literal(n),
        ColumnNode n => Column(n),
        UnaryNode { Op: "NOT" } n => new NotKernel(Expect(n.Operand, FieldType.Bool, "NOT")),
        UnaryNode n => Negate(n),
        ChainNode { Op: "||" } n => FunctionLibrary.Concat(n.Operands.Select(o => Expect(o, FieldType.String, "||")).ToList(), skipNulls: false),
        ChainNode n => new LogicKernel(
            n.Operands.Select((o, i) => i == 0 ? Expect(o, FieldType.Bool, n.Op) : Conditionally(() => Expect(o, FieldType.Bool, n.Op))).ToList(),
            n.Op == "AND"),
        BinaryNode { Op: "+" or "-" or "*" or "/" or "%" } n => Arithmetic(n),
        BinaryNode n => Comparison(n, Bind(n.Left), Bind(n.Right)),
        IsNullNode n => new IsNullKernel(Typed(Bind(n.Operand)), n.Negated),
        InNode n => In(n),
        BetweenNode n => Between(n),
        LikeNode n => Like(n),
        CaseNode n => Case(n),
        CastNode n => Cast(n),
        CallNode n => FunctionLibrary.Bind(n, this),
        _ => throw new InvalidOperationException($"unexpected node {node.GetType().Name}"),
    };

    /// <summary>The kernel, or a NULL of some type where it is an untyped NULL whose type does not matter.</summary>
    private static Kernel Typed(Kernel kernel) => kernel is UntypedNull ? KernelFactory.Null(FieldType.Bool) : kernel;

    /// <summary>Binds <paramref name="node"/> and converts it to <paramref name="type"/> (NULL or a widening only).</summary>
    public Kernel Expect(Node node, FieldType type, string what)
    {
        var kernel = Bind(node);
        if (kernel is UntypedNull) return KernelFactory.Null(type);
        if (kernel.Type == type) return kernel;
        if (Widens(kernel.Type, type)) return new CastKernel(kernel, type, node.Text);
        throw new ExpressionException($"{what} needs {type.Name()} but '{node.Text}' is {kernel.Type.Name()}", node.At);
    }

    /// <summary>Binds nodes that must share one type (CASE results, COALESCE, IN lists) and converts them to it.
    /// Nodes from <paramref name="unconditional"/> on are evaluated only on some rows.</summary>
    public Kernel[] Unify(IReadOnlyList<Node> nodes, string what, int unconditional = int.MaxValue) =>
        Unify(nodes, nodes.Select((n, i) => i < unconditional ? Bind(n) : Conditionally(() => Bind(n))).ToArray(), what);

    private Kernel[] Unify(IReadOnlyList<Node> nodes, Kernel[] kernels, string what)
    {
        FieldType? target = null;
        Node? first = null;
        for (int i = 0; i < kernels.Length; i++)
        {
            if (kernels[i] is UntypedNull || IsStringLiteral(nodes[i])) continue;
            if (target is null) { target = kernels[i].Type; first = nodes[i]; continue; }
            target = Join(target.Value, kernels[i].Type)
                ?? throw new ExpressionException(
                    $"{what} mixes {target.Value.Name()} ({first!.Text}) and {kernels[i].Type.Name()} ({nodes[i].Text}); CAST one of them", nodes[i].At);
        }
        if (target is null && kernels.Any(k => k is not UntypedNull)) target = FieldType.String;
        if (target is null) throw new ExpressionException($"{what} has only NULLs, so no type; write CAST(NULL AS <type>)", nodes[0].At);
        var result = new Kernel[kernels.Length];
        for (int i = 0; i < kernels.Length; i++) result[i] = Convert(nodes[i], kernels[i], target.Value, first, what);
        return result;
    }

    private Kernel Convert(Node node, Kernel kernel, FieldType target, Node? other, string what)
    {
        if (kernel is UntypedNull) return KernelFactory.Null(target);
        if (kernel.Type == target) return kernel;
        if (IsStringLiteral(node) && target is FieldType.Date or FieldType.Timestamp) return TemporalLiteral((LiteralNode)node, target);
        // A constant is widened once here, not on every batch.
        if (Widens(kernel.Type, target)) return kernel is LiteralKernel ? Fold(node, new CastKernel(kernel, target, node.Text)) : new CastKernel(kernel, target, node.Text);
        throw new ExpressionException(
            $"{what} mixes {target.Name()} ({other?.Text}) and {kernel.Type.Name()} ({node.Text}); CAST one of them", node.At);
    }

    private static bool IsStringLiteral(Node node) => node is LiteralNode { Kind: LiteralKind.String };

    private static Kernel TemporalLiteral(LiteralNode node, FieldType type)
    {
        var bytes = Encoding.UTF8.GetBytes(node.Value);
        if (type == FieldType.Date && Conversions.TryParseDate(bytes, out int days)) return new LiteralKernel(type, days);
        if (type == FieldType.Timestamp && Conversions.TryParseTimestamp(bytes, out long micros)) return new LiteralKernel(type, micros);
        string example = type == FieldType.Date ? "'2024-01-31'" : "'2024-01-31T08:30:00Z'";
        throw new ExpressionException($"'{node.Value}' is not a valid {type.Name()}; write it like {example}", node.At);
    }

    private static int NumericRank(FieldType t) => t switch { FieldType.Int64 => 0, FieldType.Decimal => 1, FieldType.Float64 => 2, _ => -1 };

    private static bool Widens(FieldType from, FieldType to) =>
        (NumericRank(from) >= 0 && NumericRank(to) > NumericRank(from)) || (from == FieldType.Date && to == FieldType.Timestamp);

    /// <summary>The type both can be widened to, or null when they are incompatible.</summary>
    private static FieldType? Join(FieldType a, FieldType b) =>
        a == b ? a : Widens(a, b) ? b : Widens(b, a) ? a : null;

    private static Kernel Literal(LiteralNode n)
    {
        switch (n.Kind)
        {
            case LiteralKind.Null: return new UntypedNull();
            case LiteralKind.Bool: return new LiteralKernel(FieldType.Bool, n.Value == "TRUE");
            case LiteralKind.String: return new LiteralKernel(FieldType.String, Encoding.UTF8.GetBytes(n.Value));
            case LiteralKind.Integer when long.TryParse(n.Value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long l):
                return new LiteralKernel(FieldType.Int64, l);
            case LiteralKind.Number when n.Value.Contains('e', StringComparison.OrdinalIgnoreCase):
                return new LiteralKernel(FieldType.Float64, double.Parse(n.Value, NumberStyles.Float, CultureInfo.InvariantCulture));
            default:
                if (decimal.TryParse(n.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out decimal d)) return new LiteralKernel(FieldType.Decimal, d);
                throw new ExpressionException($"number {n.Value} is too large; write it with an exponent (e.g. 1e30) for float64", n.At);
        }
    }

    private Kernel Column(ColumnNode n)
    {
        int index = -1;
        for (int i = 0; i < schema.FieldsList.Count && index < 0; i++)
            if (schema.FieldsList[i].Name == n.Name) index = i;
        if (index < 0) throw new ExpressionException(UnknownColumn(n.Name), n.At);
        _columnReads++;
        var field = schema.FieldsList[index];
        var type = FieldTypes.FromArrow(field.DataType)
            ?? throw new ExpressionException($"column '{n.Name}' has Arrow type {field.DataType.Name}, which expressions cannot read", n.At);
        int slot = _columns.IndexOf(n.Name);
        if (slot < 0) { slot = _columns.Count; _columns.Add(n.Name); _slots++; }
        return new ColumnKernel(type, index, slot);
    }

    private string UnknownColumn(string name)
    {
        var names = schema.FieldsList.Select(f => f.Name).ToList();
        string? close = Suggest.Closest(name, names);
        string hint = close is null ? "" : $"; did you mean '{close}'?";
        return $"unknown column '{name}'{hint}; columns are: {string.Join(", ", names)}";
    }

    /// <summary>Wraps a kernel used several times by one construct so it is computed once per batch.</summary>
    public Kernel Share(Kernel kernel) =>
        kernel is ColumnKernel or LiteralKernel or UntypedNull ? kernel : new SharedKernel(kernel, _slots++);

    private Kernel Negate(UnaryNode n)
    {
        var operand = Bind(n.Operand);
        if (operand is UntypedNull) return operand;
        if (NumericRank(operand.Type) < 0)
            throw new ExpressionException($"unary minus needs a number but '{n.Operand.Text}' is {operand.Type.Name()}", n.Operand.At);
        return KernelFactory.Arithmetic("-", KernelFactory.Zero(operand.Type), operand, n.Text);
    }

    private Kernel Arithmetic(BinaryNode n)
    {
        var left = Bind(n.Left);
        var right = Bind(n.Right);
        foreach (var (node, k) in new[] { (n.Left, left), (n.Right, right) })
        {
            if (k is not UntypedNull && NumericRank(k.Type) < 0)
            {
                string hint = k.Type == FieldType.String && n.Op == "+" ? "; use || to join strings" : "; CAST it to a number";
                throw new ExpressionException($"'{n.Op}' needs numbers but '{node.Text}' is {k.Type.Name()}{hint}", node.At);
            }
        }
        var both = Unify([n.Left, n.Right], [left, right], $"'{n.Op}'");
        // Not a constant, but it fails on every row whose left side is not NULL.
        if (n.Op is "/" or "%" && _conditional == 0 && both[1] is LiteralKernel { Value: 0L or 0d or 0m })
            throw new ExpressionException($"this expression always fails: division by zero in {n.Text}", n.At);
        return KernelFactory.Arithmetic(n.Op, both[0], both[1], n.Text);
    }

    private Kernel Comparison(BinaryNode whole, Kernel left, Kernel right)
    {
        var (leftNode, rightNode) = (whole.Left, whole.Right);
        if (left is UntypedNull && right is UntypedNull) return KernelFactory.Null(FieldType.Bool);
        var leftType = left is UntypedNull ? right.Type : left.Type;
        var rightType = right is UntypedNull ? left.Type : right.Type;
        bool compatible = Join(leftType, rightType) is not null
            || (IsStringLiteral(leftNode) && rightType is FieldType.Date or FieldType.Timestamp)
            || (IsStringLiteral(rightNode) && leftType is FieldType.Date or FieldType.Timestamp);
        if (!compatible)
            throw new ExpressionException(
                $"cannot compare {leftType.Name()} with {rightType.Name()} ({whole.Text}); CAST one side", whole.OpAt);
        var both = Unify([leftNode, rightNode], [left, right], "comparison");
        return KernelFactory.Compare(whole.Op, both[0], both[1]);
    }

    private Kernel In(InNode n)
    {
        var nodes = new List<Node> { n.Operand };
        nodes.AddRange(n.Items);
        var kernels = Unify(nodes, "IN", unconditional: 2);
        var subject = Share(kernels[0]);
        // One OR over every item, not a chain of ORs as deep as the list is long.
        Kernel any = new LogicKernel(kernels.Skip(1).Select(k => KernelFactory.Compare("=", subject, k)).ToList(), isAnd: false);
        return n.Negated ? new NotKernel(any) : any;
    }

    private Kernel Between(BetweenNode n)
    {
        var kernels = Unify([n.Operand, n.Low, n.High], "BETWEEN", unconditional: 2);
        var subject = Share(kernels[0]);
        Kernel within = new LogicKernel(KernelFactory.Compare(">=", subject, kernels[1]), KernelFactory.Compare("<=", subject, kernels[2]), isAnd: true);
        return n.Negated ? new NotKernel(within) : within;
    }

    private Kernel Like(LikeNode n)
    {
        var operand = Expect(n.Operand, FieldType.String, "LIKE");
        var pattern = Expect(n.Pattern, FieldType.String, "LIKE");
        Kernel like = FunctionLibrary.StringPredicate(operand, pattern, Strings.Like);
        return n.Negated ? new NotKernel(like) : like;
    }

    private Kernel Case(CaseNode n)
    {
        var results = n.Arms.Select(a => a.Then).ToList();
        if (n.Else is not null) results.Add(n.Else);
        var kernels = Unify(results, "CASE", unconditional: 0);
        var whens = n.Subject is null
            ? n.Arms.Select((a, i) => i == 0 ? Expect(a.When, FieldType.Bool, "WHEN") : Conditionally(() => Expect(a.When, FieldType.Bool, "WHEN"))).ToList()
            : SimpleCaseConditions(n);
        var arms = whens.Select((w, i) => (w, kernels[i])).ToList();
        return new CaseKernel(kernels[0].Type, arms, n.Else is null ? null : kernels[^1]);
    }

    private List<Kernel> SimpleCaseConditions(CaseNode n)
    {
        var nodes = new List<Node> { n.Subject! };
        nodes.AddRange(n.Arms.Select(a => a.When));
        var kernels = Unify(nodes, "CASE", unconditional: 2);
        var subject = Share(kernels[0]);
        return kernels.Skip(1).Select(k => KernelFactory.Compare("=", subject, k)).ToList();
    }

    private Kernel Cast(CastNode n)
    {
        if (!FieldTypes.TryParse(n.TypeName.ToLowerInvariant(), out var to))
            throw new ExpressionException($"unknown type '{n.TypeName}'; types are: {string.Join(", ", FieldTypes.Names)}", n.TypeAt);
        var operand = Bind(n.Operand);
        if (operand is UntypedNull) return KernelFactory.Null(to);
        if (!CastKernel.CanCast(operand.Type, to))
            throw new ExpressionException($"cannot cast {operand.Type.Name()} to {to.Name()}; cast to string first if you mean its text", n.At);
        return new CastKernel(operand, to, n.Text);
    }
}
