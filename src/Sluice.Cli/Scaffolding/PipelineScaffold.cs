using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Sluice.Records;

namespace Sluice.Cli.Scaffolding;

/// <summary>The pipeline file <c>sluice init</c> writes for a <see cref="DataSample"/>: the source, a contract with
/// every column, a commented <c>transforms:</c> example, a Parquet sink and a dead-letter gate.</summary>
internal static partial class PipelineScaffold
{
    /// <summary>The <c>$id</c> of <c>sluice schema</c>'s output: editors with the YAML language server complete and
    /// check the file against it.</summary>
    public const string SchemaId = "https://sluice.dev/schemas/pipeline.schema.json";

    /// <param name="dataPath">The data file as the source reads it: relative to the pipeline file's folder.</param>
    /// <param name="fileName">The pipeline file's own name, for the commands the header suggests.</param>
    public static string Render(DataSample sample, string dataPath, string name, string fileName)
    {
        var yaml = new StringBuilder();
        yaml.AppendLine($"# yaml-language-server: $schema={SchemaId}");
        yaml.AppendLine($"# Scaffolded by `sluice init` from {dataPath}: the contract's types and required flags come from its first");
        yaml.AppendLine(CultureInfo.InvariantCulture, $"# {sample.Records:N0} records. Check them, then: sluice validate {fileName}, sluice run {fileName}.");
        yaml.AppendLine($"name: {name}");
        yaml.AppendLine("source:");
        yaml.AppendLine($"  type: {sample.Source}");
        yaml.AppendLine($"  path: {Quote(dataPath)}");
        if (sample.Delimiter != ',')
            yaml.AppendLine($"  delimiter: {Quote(sample.Delimiter.ToString())}");
        if (sample.RenamedDuplicates)
            yaml.AppendLine("  duplicate_columns: rename   # the header names a column twice: the second is read as name_2");
        yaml.AppendLine("contract:");
        yaml.AppendLine("  fields:");
        int width = sample.Columns.Max(c => Key(c.Name).Length) + 1;
        foreach (InferredColumn column in sample.Columns)
            yaml.AppendLine($"    {(Key(column.Name) + ":").PadRight(width)} {Field(column)}");
        yaml.Append(TransformsExample(sample.Columns));
        yaml.AppendLine("sink:");
        yaml.AppendLine("  type: parquet");
        yaml.AppendLine($"  path: {Quote("out/" + name)}");
        yaml.AppendLine("dead_letter:");
        yaml.AppendLine("  max_ratio: 0.01   # the run fails when more than 1 % of the records read are dead-lettered");
        return yaml.ToString();
    }

    /// <summary>The pipeline's name from the data file's: lower case, letters, digits, <c>-</c> and <c>_</c>.</summary>
    public static string Name(string dataFile)
    {
        string stem = Path.GetFileName(dataFile);
        while (Path.GetExtension(stem).Length > 0)
            stem = Path.GetFileNameWithoutExtension(stem);
        string name = NotNameCharacters().Replace(stem.ToLowerInvariant(), "-").Trim('-');
        return name.Length == 0 ? "pipeline" : name;
    }

    private static string Field(InferredColumn column)
    {
        var parts = new List<string> { $"type: {column.Type.Name()}" };
        if (column.Format is not null)
            parts.Add($"format: {Quote(column.Format)}");
        if (column.Scale is { } scale)
            parts.Add($"scale: {scale.ToString(CultureInfo.InvariantCulture)}");
        if (column.Required)
            parts.Add("required: true");
        return "{ " + string.Join(", ", parts) + " }";
    }

    /// <summary>A commented example on the first column an expression can name bare, with a function of its type,
    /// so that uncommenting it gives a valid pipeline.</summary>
    private static string TransformsExample(IReadOnlyList<InferredColumn> columns)
    {
        var example = new StringBuilder("# transforms:   # run in order after the contract; see docs/pipeline-file.md\n");
        if (columns.FirstOrDefault(c => PlainName().IsMatch(c.Name)) is { } column)
        {
            string derived = column.Type switch
            {
                FieldType.String => $"{column.Name}_upper: upper({column.Name})",
                FieldType.Int64 or FieldType.Float64 or FieldType.Decimal => $"{column.Name}_abs: abs({column.Name})",
                FieldType.Date or FieldType.Timestamp => $"{column.Name}_year: year({column.Name})",
                _ => $"{column.Name}_known: {column.Name} IS NOT NULL",
            };
            example.Append(CultureInfo.InvariantCulture, $"#   - filter: {column.Name} IS NOT NULL\n");
            example.Append("#   - derive:\n");
            example.Append(CultureInfo.InvariantCulture, $"#       {derived}\n");
        }
        return example.ToString();
    }

    /// <summary>A column name as a YAML key: bare when it is a plain identifier YAML reads as text, else quoted.</summary>
    private static string Key(string name) =>
        PlainName().IsMatch(name) && !YamlWords().IsMatch(name) ? name : Quote(name);

    /// <summary>A YAML double-quoted scalar: backslashes, quotes, and every character that is invisible or that YAML
    /// would read as a line break (controls, NEL, U+2028/9, format characters such as the BOM) escaped.</summary>
    private static string Quote(string text)
    {
        var quoted = new StringBuilder("\"");
        foreach (char c in text)
        {
            quoted.Append(c switch
            {
                '"' => "\\\"",
                '\\' => "\\\\",
                '\n' => "\\n",
                '\t' => "\\t",
                '\r' => "\\r",
                _ when char.IsControl(c) || char.GetUnicodeCategory(c) is UnicodeCategory.Format or UnicodeCategory.LineSeparator
                    or UnicodeCategory.ParagraphSeparator => $"\\u{(int)c:x4}",
                _ => c.ToString(),
            });
        }
        return quoted.Append('"').ToString();
    }

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex PlainName();

    /// <summary>Words YAML 1.1 reads as booleans or null: a column named <c>yes</c> or <c>null</c> is quoted.</summary>
    [GeneratedRegex("^(y|n|yes|no|true|false|on|off|null)$", RegexOptions.IgnoreCase)]
    private static partial Regex YamlWords();

    [GeneratedRegex("[^a-z0-9_-]+")]
    private static partial Regex NotNameCharacters();
}
