using Apache.Arrow;
using Sluice.Expressions;
using Sluice.Pipelines;

namespace Sluice.Transforms;

/// <summary>Compiles an expression written in a pipeline file and turns its errors into file:line:column diagnostics.</summary>
internal static class ExpressionErrors
{
    public static CompiledExpression Compile(string text, Schema schema, SourceLocation? location, string what)
    {
        try
        {
            return SqlExpression.Compile(text, schema);
        }
        catch (ExpressionException e)
        {
            throw new PipelineException(location?.Shift(e.Line - 1, e.Column - 1), $"{what}: {e.Message}");
        }
    }
}
