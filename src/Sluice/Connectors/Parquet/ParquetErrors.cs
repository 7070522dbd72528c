using System.Text.RegularExpressions;

namespace Sluice.Connectors.Parquet;

/// <summary>ParquetSharp reports a native error as the C++ exception's mangled type name and then the message,
/// e.g. <c>class parquet::ParquetInvalidOrCorruptedFileException (message: 'Parquet magic bytes not found…')</c>;
/// users get only the message.</summary>
internal static partial class ParquetErrors
{
    public static string Plain(Exception e) =>
        (NativeMessage().Match(e.Message) is { Success: true } m ? m.Groups[1].Value : e.Message).Trim().ReplaceLineEndings(" ");

    [GeneratedRegex(@"\(message: '(.*)'\)\s*$", RegexOptions.Singleline)]
    private static partial Regex NativeMessage();
}
