using Sluice.DeadLetters;
using Sluice.Execution;
using Sluice.Records;

namespace Sluice.TypedPipelines;

/// <summary>How a record that made a lambda or a service call fail is dead-lettered.</summary>
internal static class RecordFailure
{
    public const string Rule = "exception";

    public static void DeadLetter(StageContext context, RowOrigin origin, Exception error) =>
        context.DeadLetter(origin, DeadLetterReason.Transform, null, Rule, Message(error));

    /// <summary><c>ExceptionType: message</c> on one line.</summary>
    public static string Message(Exception error) => $"{error.GetType().Name}: {error.Message}".ReplaceLineEndings(" ");
}
