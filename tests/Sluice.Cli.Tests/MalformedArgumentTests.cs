using System.CommandLine;
using Sluice.Cli.Tests.TestSupport;

namespace Sluice.Cli.Tests;

/// <summary>
/// Every option and argument of every command, found by walking the command tree (so a new option is covered
/// without editing this file), given malformed values: non-numbers, overflowing and out-of-range numbers, empty
/// values, bad times, unknown reasons, values for flags, missing values, unknown options, folders and missing files
/// where a file is expected (a state file too). Each must exit 2 with an <c>error:</c> line that names the option or the value, and never
/// print a stack trace. In-process (hundreds of cases); <see cref="The_executable_exits_2_on_malformed_values"/> checks
/// a few through the real process.
/// </summary>
public sealed class MalformedArgumentTests : IDisposable
{
    // Placeholders, replaced per test: test data must be plain strings for xunit to list each case.
    private const string PipelineFile = "{pipeline}";
    private const string FlowFile = "{flow}";
    private const string Folder = "{folder}";
    private const string MissingFile = "{missing}";
    private const string MissingFolderFile = "{missing-folder}";

    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    /// <summary>Each case: what its error must name (the option, the argument or the bad value), and the arguments.</summary>
    public static TheoryData<string, string[]> Cases()
    {
        var cases = new TheoryData<string, string[]>();
        Command root = Cli.Build(new CliContext(TextWriter.Null, TextWriter.Null, interactive: false));
        foreach (Command command in All(root))
        {
            string[] path = [.. Path(command)];
            string[] arguments = [.. command.Arguments.Select(a => ValidValue(a.Name))];
            string[] Required(Option? except = null) =>
                [.. command.Options.Where(o => o.Required && o != except).SelectMany(o => new[] { o.Name, ValidValue(o.HelpName!) })];

            cases.Add("--no-such-option", [.. path, .. arguments, .. Required(), "--no-such-option"]);
            cases.Add("--no-such-option", [.. path, .. arguments, .. Required(), "--no-such-option=1"]);
            cases.Add("unexpected-extra-argument", [.. path, .. arguments, .. Required(), "unexpected-extra-argument"]);
            foreach (Option option in command.Options.Where(o => !IsBuiltIn(o)))
            {
                if (option.ValueType == typeof(bool))
                {
                    cases.Add("maybe", [.. path, .. arguments, .. Required(option), option.Name + "=maybe"]);
                    continue;
                }
                if (option.Required)
                    cases.Add(option.Name, [.. path, .. arguments, .. Required(option)]); // option missing
                cases.Add(option.Name, [.. path, .. arguments, .. Required(option), option.Name]); // value missing
                foreach (string bad in Malformed(option.Name, option.ValueType, option.HelpName))
                    cases.Add(bad is Folder or MissingFile ? bad : option.Name, [.. path, .. arguments, .. Required(option), option.Name, bad]);
            }
            for (int i = 0; i < command.Arguments.Count; i++)
            {
                Argument argument = command.Arguments[i];
                cases.Add($"needs its {argument.Name} argument", [.. path, .. arguments[..i], .. arguments[(i + 1)..], .. Required()]);
                foreach (string bad in Malformed(argument.Name, argument.ValueType, argument.Name))
                    cases.Add(bad is Folder or MissingFile ? bad : argument.Name, [.. path, .. arguments[..i], bad, .. arguments[(i + 1)..], .. Required()]);
            }
        }
        return cases;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task A_malformed_value_exits_2_with_one_error_naming_it_and_no_stack_trace(string names, params string[] args)
    {
        string[] actual = [.. args.Select(Substitute)];

        CliResult result = await TestSupport.Sluice.RunAsync(actual);

        AssertRefused(Substitute(names), actual, result);
    }

    [Theory]
    [InlineData("--limit", "runs", "--limit", "abc")]
    [InlineData("--limit", "dlq", "list", "--limit", "99999999999")]
    [InlineData("ID", "dlq", "show", "-3")]
    [InlineData("--state", "runs", "--state", "")]
    public async Task The_executable_exits_2_on_malformed_values(string names, params string[] args)
    {
        CliResult result = await SluiceProcess.RunAsync(args);

        AssertRefused(names, args, result);
    }

    private static void AssertRefused(string names, string[] args, CliResult result)
    {
        string output = result.Stdout + result.Stderr;
        Assert.DoesNotContain("   at ", output);
        Assert.DoesNotContain("Exception", output);
        Assert.DoesNotContain("Unhandled", output);
        Assert.Equal(ExitCodes.Invalid, result.ExitCode);
        Assert.StartsWith("error: ", result.Stderr);
        // One line per problem, then the pointer to --help.
        Assert.All(result.Stderr.TrimEnd('\n').Split('\n'), line => Assert.Matches("^(error: |see ')", line));
        // The error names what was wrong. (A command group given an unknown option also says that it needs a
        // subcommand: one of the lines must name the culprit.)
        Assert.True(result.Stderr.Contains(names, StringComparison.Ordinal),
            $"sluice {string.Join(' ', args.Select(a => $"'{a}'"))}: '{result.Stderr}' does not name {names}");
    }

    private string Substitute(string arg) => arg switch
    {
        PipelineFile => _dir.Write("pipeline.yaml", """
            name: orders
            source: { type: csv, path: data/*.csv }
            sink: { type: jsonl, path: out }
            """),
        FlowFile => _dir.Write("flow.yaml", """
            name: orders
            schedule: "0 2 * * *"
            partitions: daily from 2024-01-01
            tasks: { a: { command: ["true"] } }
            """),
        Folder => Directory.CreateDirectory(_dir.File("a-folder")).FullName,
        MissingFile => _dir.File("no-such-file.yaml"),
        MissingFolderFile => _dir.File("no-such-folder/lineage.jsonl"),
        _ => arg,
    };

    /// <summary>Malformed values for an option or argument, from its type and what it names.</summary>
    private static IEnumerable<string> Malformed(string name, Type type, string? helpName)
    {
        // 0 is a valid --port (any free one), so it is not among the malformed values there: the dashboard would start.
        if (type == typeof(int) || type == typeof(long))
            return ["abc", type == typeof(int) ? "99999999999" : "99999999999999999999999", "1.5", "1e3", "0x10", "-1", .. name == "--port" ? Array.Empty<string>() : ["0"], "", " "];
        if (type == typeof(TimeSpan))
            return ["abc", "-1", "-5m", "1e3", "5x", "NaN", "99999999999999999999d", "", " "];
        if (type == typeof(long?) && name == "--memory-limit")
            return ["lots", "64MB", "-1GB", "1.5.5GB", "", " "];
        if (type == typeof(int?) && name == "--metrics-port")
            return ["abc", "65536", "-1", "1.5", "0x10", "", " "];
        if (type == typeof(System.Net.IPAddress))
            return ["localhost", "1.2.3.4.5", "::g", "", " "];
        if (type == typeof(IReadOnlyDictionary<string, string>))
            return ["", " ", "=value", "no-equals", "1a=b", "a b=c"];
        if (type == typeof(DateOnly))
            return ["yesterday", "2024-13-01", "2024-1-1", "2024-01-01T00:00", "", " "];
        if (type != typeof(string) && type != typeof(string[]))
            throw new InvalidOperationException($"{name} is a {type.Name}: add its malformed values to this test");
        string[] empty = ["", "  "];
        return (name, helpName) switch
        {
            ("--since", _) => [.. empty, "yesterday", "5x", "2026-13-45", "30", "-5m", "NaNm", "99999999d", "3000000d"],
            ("--reason", _) => [.. empty, "bogus", "parse,contract", "2"],
            ("--state", _) => [.. empty, Folder],
            ("--plugin", _) => [.. empty, Folder, MissingFile],
            ("--lineage", _) => [.. empty, Folder, "ftp://host/events", MissingFolderFile],
            (_, "FILE" or "FLOW_FILE") => [.. empty, Folder, MissingFile],
            _ => empty,
        };
    }

    /// <summary>A valid value for a required option or an argument, so that the malformed one is the only error.</summary>
    private static string ValidValue(string helpName) => helpName switch
    {
        "FILE" => PipelineFile,
        "FLOW_FILE" => FlowFile,
        "DATE" => "2024-01-01",
        "DATAFILE" => "data.csv",
        "NAME" => "orders",
        "RUN" => "20261123",
        "ID" => "1",
        _ => throw new InvalidOperationException($"no valid value for {helpName}: add one to this test"),
    };

    private static bool IsBuiltIn(Option option) => option is System.CommandLine.Help.HelpOption or VersionOption;

    private static IEnumerable<Command> All(Command command) => [command, .. command.Subcommands.SelectMany(All)];

    /// <summary>The words after <c>sluice</c> that reach <paramref name="command"/>.</summary>
    private static IEnumerable<string> Path(Command command) =>
        command.Parents.OfType<Command>().FirstOrDefault() is { } parent ? [.. Path(parent), command.Name] : [];
}
