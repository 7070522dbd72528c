using System.CommandLine;

namespace Sluice.Cli.Commands;

/// <summary><c>--param NAME=VALUE</c>, repeatable: values for a file's <c>${params.NAME}</c> references (a pipeline
/// file's) or a flow's parameters.</summary>
internal static class ParamOption
{
    public static Option<IReadOnlyDictionary<string, string>> Create(string what) => new("--param")
    {
        Description = $"A value for {what}: NAME=VALUE (repeat it for each parameter; the value may be empty or hold '=').",
        HelpName = "NAME=VALUE",
        Arity = ArgumentArity.OneOrMore,
        AllowMultipleArgumentsPerToken = false,
        DefaultValueFactory = _ => new Dictionary<string, string>(),
        CustomParser = result =>
        {
            var values = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var token in result.Tokens)
            {
                int equals = token.Value.IndexOf('=', StringComparison.Ordinal);
                string name = equals > 0 ? token.Value[..equals] : "";
                if (name.Length == 0 || name.Any(c => !(char.IsAsciiLetterOrDigit(c) || c == '_')) || char.IsAsciiDigit(name[0]))
                    result.AddError($"--param takes NAME=VALUE with NAME of letters, digits and _ (not starting with a digit); not '{token.Value}'");
                else if (!values.TryAdd(name, token.Value[(equals + 1)..]))
                    result.AddError($"--param {name} is given twice; give each parameter once");
            }
            return values;
        },
    };
}
