using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
using System.CommandLine.Parsing;
using Sluice.Cli.Commands;

namespace Sluice.Cli;

/// <summary>The <c>sluice</c> command line, invokable in-process (tests capture its output this way).</summary>
public static class Cli
{
    /// <summary>Runs <c>sluice <paramref name="args"/></c> with no live display (as when output is redirected).</summary>
    public static Task<int> InvokeAsync(string[] args, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken) =>
        InvokeAsync(args, stdout, stderr, interactive: false, cancellationToken);

    /// <summary>Runs <c>sluice <paramref name="args"/></c> and returns its exit code (see <see cref="ExitCodes"/>).</summary>
    /// <param name="interactive">True when <paramref name="stdout"/> is a terminal: shows live progress.</param>
    /// <param name="cancellationToken">Stops a run gracefully (it drains, checkpoints and is recorded as stopped, exit
    /// code 130); cancels other commands.</param>
    public static async Task<int> InvokeAsync(
        string[] args, TextWriter stdout, TextWriter stderr, bool interactive, CancellationToken cancellationToken)
    {
        var context = new CliContext(stdout, stderr, interactive);
        Command root = Build(context);
        ParseResult parsed = root.Parse(args);
        if (parsed.Action is ParseErrorAction)
        {
            foreach (var error in parsed.Errors)
                stderr.WriteLine("error: " + Describe(error));
            stderr.WriteLine($"see '{CommandPath(parsed.CommandResult.Command)} --help'");
            // A script that asked for JSON reads stdout: it gets the errors there too, as one document.
            if (parsed.Tokens.Any(t => t is { Type: TokenType.Option, Value: "--json" }))
            {
                string message = string.Join("; ", parsed.Errors.Select(Describe));
                Documents.JsonDocuments.Write(stdout, new Documents.ErrorDocument(new Documents.ErrorPart(message, ExitCodes.Invalid, [])));
            }
            return ExitCodes.Invalid;
        }

        return await parsed.InvokeAsync(new InvocationConfiguration
        {
            Output = stdout,
            Error = stderr,
            // CtrlC (Program.cs) owns Ctrl-C: System.CommandLine's handler would kill the process after a timeout
            // instead of letting the run finish as cancelled.
            ProcessTerminationTimeout = null,
            EnableDefaultExceptionHandler = false,
        }, cancellationToken);
    }

    /// <summary>A plain command named <c>sluice</c> rather than a <see cref="RootCommand"/>, whose name would be
    /// the host's file name (<c>Sluice.Cli</c>, <c>testhost</c>) in usage lines.</summary>
    internal static Command Build(CliContext context)
    {
        var help = new HelpOption();
        var root = new Command("sluice", "Sluice runs data pipelines described in YAML files: no record lost, bad records dead-lettered with their reason.")
        {
            help,
            new VersionOption(),
            RunCommand.Create(context),
            ValidateCommand.Create(context),
            RunsCommand.Create(context),
            ShowCommand.Create(context),
            FlowCommand.Create(context),
            DlqCommand.Create(context),
            SchemaCommand.Create(context),
            InitCommand.Create(context),
            SchemaCommand.CreateDocs(context),
            ServeCommand.Create(context),
            AlertsCommand.Create(context),
            GraphCommand.Create(context),
            DashboardCommand.Create(context),
        };

        var helpWithExitCodes = new HelpWithExitCodes((HelpAction)help.Action!);
        help.Action = helpWithExitCodes;
        root.SetAction(helpWithExitCodes.Invoke); // bare `sluice` shows the commands
        foreach (Command command in root.Subcommands)
            Complete(command);
        return root;
    }

    /// <summary>A RootCommand gives every command <c>--help</c>; a plain root must add it down the tree. Every text
    /// value is refused when empty here, once for all, so that a new option cannot forget it.</summary>
    private static void Complete(Command command)
    {
        foreach (Option option in command.Options.Where(o => o.ValueType == typeof(string) || o.ValueType == typeof(string[])))
            option.Validators.Add(result => RefuseEmpty(result, option.Name, option.HelpName));
        foreach (Argument argument in command.Arguments.Where(a => a.ValueType == typeof(string)))
            argument.Validators.Add(result => RefuseEmpty(result, $"the {argument.Name} argument", null));
        command.Options.Add(new HelpOption());
        foreach (Command sub in command.Subcommands)
            Complete(sub);
    }

    /// <summary>An empty value (<c>--state ""</c>, <c>--pipeline=</c>) is a mistake, most often an unset shell
    /// variable; taking it as "not given" would quietly read or write some other state file or pipeline.</summary>
    private static void RefuseEmpty(SymbolResult result, string name, string? helpName)
    {
        // An option's own check (e.g. --since's) may already have said why the value is wrong: one error is enough.
        if (result.Tokens.Any(t => string.IsNullOrWhiteSpace(t.Value)) && !result.Errors.Any())
            result.AddError($"{name} takes {helpName ?? "a value"}, not an empty value");
    }

    /// <summary>System.CommandLine's message, except where it does not say what is missing ("Required argument
    /// missing for command: 'show'"): then the option or argument and what it takes.</summary>
    private static string Describe(ParseError error) => error.SymbolResult switch
    {
        OptionResult { IdentifierToken: null, Option: { Required: true } option } =>
            $"{option.Name} is required{(option.HelpName is null ? "" : $" ({option.HelpName})")}",
        OptionResult { Tokens.Count: 0, Option: { Arity.MinimumNumberOfValues: > 0 } option } =>
            $"{option.Name} needs a value{(option.HelpName is null ? "" : $" ({option.HelpName})")}",
        ArgumentResult { Tokens.Count: 0, Argument: var argument, Parent: CommandResult command } =>
            $"{CommandPath(command.Command)} needs its {argument.Name} argument",
        _ => error.Message,
    };

    private static string CommandPath(Command command)
    {
        var names = new List<string>();
        for (Symbol? symbol = command; symbol is Command c; symbol = c.Parents.FirstOrDefault())
            names.Insert(0, c.Name);
        return string.Join(' ', names);
    }

    /// <summary>The standard help, plus the exit codes table under the root command's help.</summary>
    private sealed class HelpWithExitCodes(HelpAction standard) : SynchronousCommandLineAction
    {
        public override bool ClearsParseErrors => true;

        public override int Invoke(ParseResult parseResult)
        {
            standard.Invoke(parseResult);
            if (parseResult.CommandResult.Command.Parents.FirstOrDefault() is null)
            {
                TextWriter output = parseResult.InvocationConfiguration.Output;
                output.WriteLine(ExitCodes.HelpText);
                output.WriteLine();
            }
            return ExitCodes.Ok;
        }
    }
}
