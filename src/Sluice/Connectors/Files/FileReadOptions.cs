using Sluice.Connectors;
using Sluice.Configuration;
using Sluice.Connectors.Files;

namespace Sluice;

/// <summary>What a file source does with a file it cannot read (option <c>on_unreadable_file</c>).</summary>
public enum OnUnreadableFile
{
    /// <summary>The file (or its unread rest) becomes one dead letter, reason <c>parse</c>, and the run goes on.</summary>
    DeadLetter,
    /// <summary>The run fails, naming the file.</summary>
    Fail,
}

/// <summary>How a text file source decompresses a file (option <c>compression</c>).</summary>
public enum TextCompression
{
    /// <summary>A file that starts with the gzip magic bytes (1f 8b) is decompressed, any other is read as it is.</summary>
    Auto,
    /// <summary>Every file must be gzip-compressed.</summary>
    Gzip,
    /// <summary>Files are read as they are; a gzip-compressed one is an unreadable file.</summary>
    None,
}

/// <summary>The character encoding of a text file source's files (option <c>encoding</c>).</summary>
public enum TextEncoding
{
    Utf8,
    /// <summary>UTF-16 whose byte-order mark says little or big endian; a file without one is unreadable.</summary>
    Utf16,
    Utf16Le,
    Utf16Be,
}

/// <summary>The option names and values shared by the file sources, for their specs and binders.</summary>
internal static class FileReadOptionNames
{
    public static readonly string[] OnUnreadable = ["dead_letter", "fail"];
    public static readonly string[] Compressions = ["auto", "gzip", "none"];
    public static readonly string[] Encodings = ["utf-8", "utf-16", "utf-16le", "utf-16be"];

    /// <summary>The option reading unreadable files, shared by every file source.</summary>
    public static OptionSpec OnUnreadableSpec { get; } = new("on_unreadable_file", Shape.Enum(OnUnreadable),
        "dead_letter: a file that cannot be read (or the rest of one that breaks midway) is one dead letter, reason parse, with "
        + "its first 1 KiB as original bytes, and the run goes on; fail: the run fails naming the file.", Default: "dead_letter");

    /// <summary>The options of the text file sources (csv, jsonl) on how their bytes are read.</summary>
    public static OptionSpec[] TextSpecs { get; } =
    [
        new("compression", Shape.Enum(Compressions),
            "auto: a file starting with the gzip magic bytes (1f 8b) is decompressed, whatever its name; gzip: every file must be; "
            + "none: a gzip file is an unreadable file. A gzip file is checked whole against its trailer before its records are read "
            + "(it is decompressed twice); a corrupt or cut-short one is one dead letter. Offsets in dead letters and positions count "
            + "bytes of the decompressed text; resuming in a gzip file decompresses it again from its start.", Default: "auto"),
        new("encoding", Shape.Enum(Encodings),
            "Character encoding of the files. utf-16 takes little or big endian from the byte-order mark (a file without one is "
            + "unreadable); utf-16le and utf-16be need none. UTF-16 is read as UTF-8 text: offsets count its UTF-8 bytes and "
            + "dead letters keep UTF-8 bytes.", Default: "utf-8"),
        OnUnreadableSpec,
    ];

    public static OnUnreadableFile ParseOnUnreadable(string? text) => text == "fail" ? OnUnreadableFile.Fail : OnUnreadableFile.DeadLetter;

    public static TextCompression ParseCompression(string? text) => text switch
    {
        "gzip" => TextCompression.Gzip,
        "none" => TextCompression.None,
        _ => TextCompression.Auto,
    };

    public static TextEncoding ParseEncoding(string? text) => text switch
    {
        "utf-16" => TextEncoding.Utf16,
        "utf-16le" => TextEncoding.Utf16Le,
        "utf-16be" => TextEncoding.Utf16Be,
        _ => TextEncoding.Utf8,
    };

    public static string Name(TextEncoding encoding) => Encodings[(int)encoding];
}
