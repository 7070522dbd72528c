using Sluice.State;
using Sluice.DeadLetters;

namespace Sluice.Execution;

/// <summary>Where stages hand their dead letters. Thread-safe; the runner persists them in the state store.</summary>
internal interface IDeadLetterWriter
{
    void Write(DeadLetter deadLetter);
}
