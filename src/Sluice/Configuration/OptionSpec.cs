namespace Sluice.Configuration;

/// <summary>One option of a component, declared once.</summary>
/// <param name="Name">The key in the pipeline file (snake_case).</param>
/// <param name="Default">The value used when the key is absent, as it reads in the docs; null for none.</param>
/// <param name="Example">A value to show in the docs, as YAML.</param>
public sealed record OptionSpec(
    string Name,
    Shape Shape,
    string Description,
    bool Required = false,
    string? Default = null,
    string? Example = null);
