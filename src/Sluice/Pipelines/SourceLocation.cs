using Sluice.Pipelines;
namespace Sluice;

/// <summary>A place in a pipeline file, 1-based, printed as <c>file:line:column</c>.</summary>
public sealed record SourceLocation(string File, int Line, int Column)
{
    public override string ToString() => $"{File}:{Line}:{Column}";

    /// <summary>The location <paramref name="columns"/> characters further on the same line.</summary>
    public SourceLocation Shift(int lines, int columns) =>
        lines == 0 ? this with { Column = Column + columns } : this with { Line = Line + lines, Column = columns + 1 };
}
