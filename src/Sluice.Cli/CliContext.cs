using Sluice.Cli.Documents;
using Microsoft.Data.Sqlite;
using Sluice.State;
using Sluice.State.Sqlite;
using Sluice.Pipelines;
using Spectre.Console;

namespace Sluice.Cli;

/// <summary>What every command writes to during one invocation: a Spectre console over stdout (tables,
/// live progress), the raw stdout (machine-readable output such as the JSON Schema) and stderr.</summary>
internal sealed class CliContext
{
    public CliContext(TextWriter stdout, TextWriter stderr, bool interactive)
    {
        Stdout = stdout;
        Stderr = stderr;
        Interactive = interactive;
        Console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(stdout),
            Ansi = interactive ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = interactive ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = interactive ? InteractionSupport.Yes : InteractionSupport.No,
        });
        // Redirected output has no window to fit: keep table rows on one line so they stay greppable.
        if (!interactive)
            Console.Profile.Width = 240;
    }

    public IAnsiConsole Console { get; }

    public TextWriter Stdout { get; }

    public TextWriter Stderr { get; }

    /// <summary>True when stdout is a terminal a live display can redraw.</summary>
    public bool Interactive { get; }

    /// <summary>True when the command was given <c>--json</c>: stdout gets one JSON document, errors included.</summary>
    public bool Json { get; set; }

    /// <summary>The state file the command uses, once it has chosen it: named when SQLite fails on it mid-command.</summary>
    public string? StatePath { get; set; }

    /// <summary>Says what went wrong on stderr (<c>error: …</c>) and, with <c>--json</c>, as an error document on stdout.</summary>
    public int Error(string message, int exitCode)
    {
        Stderr.WriteLine("error: " + message);
        if (Json)
            JsonDocuments.Write(Stdout, new ErrorDocument(new ErrorPart(message, exitCode, [])));
        return exitCode;
    }

    /// <summary>Runs a command's body and turns the failures every command shares into their exit codes,
    /// so that no stack trace ever reaches a user.</summary>
    public async Task<int> GuardAsync(Func<Task<int>> body, CancellationToken cancellationToken)
    {
        try
        {
            return await body();
        }
        catch (PipelineException e)
        {
            foreach (Diagnostic diagnostic in e.Diagnostics)
                Stderr.WriteLine(diagnostic);
            if (Json)
            {
                string message = $"the file has {e.Diagnostics.Count} problem{(e.Diagnostics.Count == 1 ? "" : "s")}";
                JsonDocuments.Write(Stdout, new ErrorDocument(new ErrorPart(message, ExitCodes.Invalid, ProblemPart.Of(e.Diagnostics))));
            }
            return ExitCodes.Invalid;
        }
        catch (CommandLineException e)
        {
            return Error(e.Message, ExitCodes.Invalid);
        }
        catch (LeaseHeldException e)
        {
            return Error(OneLine(e.Message), ExitCodes.Busy);
        }
        catch (StateFileException e)
        {
            return Error(OneLine(e.Message), ExitCodes.For(e.Problem));
        }
        catch (Exception e) when (StatePath is not null && Find<SqliteException>(e) is { } sqlite)
        {
            // The state file failed after it was opened (the disk filled, a damaged page was read): said as on opening.
            var described = SqliteStateErrors.Describe(StatePath, sqlite, readOnly: false);
            return Error(OneLine(described.Message), ExitCodes.For(described.Problem));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return Error("cancelled", ExitCodes.Cancelled);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return Error(OneLine(e.Message), ExitCodes.RunFailed);
        }
    }

    private static T? Find<T>(Exception e) where T : Exception
    {
        for (Exception? current = e; current is not null; current = current.InnerException)
        {
            if (current is T found)
                return found;
        }
        return null;
    }

    public static string OneLine(string message)
    {
        string trimmed = message.Trim();
        int newline = trimmed.IndexOfAny(['\r', '\n']);
        return newline < 0 ? trimmed : trimmed[..newline];
    }
}
