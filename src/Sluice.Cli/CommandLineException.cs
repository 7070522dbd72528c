namespace Sluice.Cli;

/// <summary>Bad usage that only shows once the command acts on it (a metrics port in use, an address not of this
/// machine): said in one line, exit code 2, like a command line that does not parse.</summary>
internal sealed class CommandLineException(string message) : Exception(message);
