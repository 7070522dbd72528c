using Sluice.Configuration;
namespace Sluice.Extensibility;

/// <summary>One option of a component, declared once.</summary>
/// <param name="Name">The key in the pipeline file (snake_case).</param>
/// <param name="Default">The value used when the key is absent, as it reads in the docs; null for none.</param>
/// <param name="Example">A value to show in the docs, as YAML.</param>
/// <param name="Secret">True for values that may hold secrets (http headers): their <c>${env:NAME}</c> references are
/// kept as written until the run starts and resolved there, never printed; other options resolve them on load.</param>
public sealed record OptionSpec(
    string Name,
    Shape Shape,
    string Description,
    bool Required = false,
    string? Default = null,
    string? Example = null,
    bool Secret = false);
