using Sluice.Expectations;
namespace Sluice;

/// <summary>How one expectation of a finished run fared, as stored with the run and shown by <c>sluice show</c>.</summary>
/// <param name="Expectation">The expectation as it reads, e.g. <c>null_ratio(delay) ≤ 0.05</c>.</param>
/// <param name="Measured">What the run measured, e.g. <c>0.0312 (39 of 1,250)</c>.</param>
/// <param name="Passed">False when it was breached.</param>
public sealed record ExpectationResult(string Expectation, string Measured, bool Passed, ExpectationSeverity Severity)
{
    /// <summary><c>passed</c>, <c>FAILED</c> or <c>warning</c>.</summary>
    public string Outcome => Passed ? "passed" : Severity == ExpectationSeverity.Fail ? "FAILED" : "warning";
}
