namespace Sluice.Expressions;

/// <summary>
/// A parse or type error in an expression. <see cref="Line"/> and <see cref="Column"/> are 1-based positions inside
/// the expression text (the caller maps them to the pipeline file); the message does not repeat them.
/// </summary>
internal sealed class ExpressionException : Exception
{
    public ExpressionException(string message, int line, int column) : base(message)
    {
        Line = line;
        Column = column;
    }

    internal ExpressionException(string message, Position at) : this(message, at.Line, at.Column) { }

    public int Line { get; }

    public int Column { get; }
}
