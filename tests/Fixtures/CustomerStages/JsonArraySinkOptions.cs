using System.ComponentModel;

namespace CustomerStages;

/// <summary>The options of the <c>json_array</c> sink.</summary>
public sealed class JsonArraySinkOptions
{
    [Description("The folder the files are written to (created if missing), relative to the pipeline file.")]
    public required string Path { get; init; }

    [Description("Indent the JSON for people to read.")]
    public bool Indent { get; init; }
}
