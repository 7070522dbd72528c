using Sluice.Configuration;
using Sluice.Execution;
using Sluice.Pipelines;
using YamlDotNet.Core.Events;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Sluice;

/// <summary>Reads pipeline files (YAML) into <see cref="PipelineDefinition"/>s.</summary>
public static class PipelineFile
{
    /// <summary>Loads a pipeline file and checks it as deeply as possible without running it: keys, value types,
    /// regexes, the stage graph, and expressions and contracts against the sources' schemas (which reads the input
    /// files' headers). Throws <see cref="PipelineException"/> listing every problem with its <c>file:line:column</c>.</summary>
    /// <param name="catalog">The components the file may name; the built-in ones when null.</param>
    /// <param name="parameters">What the file's <c>${params.NAME}</c> references are filled in from.</param>
    public static PipelineDefinition Load(string path, ComponentCatalog? catalog = null, IReadOnlyDictionary<string, string>? parameters = null)
    {
        var pipeline = Parse(path, catalog, parameters);
        PipelineBuilder.Check(pipeline, new BuildContext(pipeline.BaseDirectory, "validate") { PipelineName = pipeline.Name, ResolveSecrets = false });
        return pipeline;
    }

    /// <summary>Loads a pipeline file and checks its keys and values, but not the graph or the expressions.</summary>
    /// <param name="catalog">The components the file may name; the built-in ones when null. The file's
    /// <c>plugins:</c> are not loaded here: that is for the host to do (see <see cref="Plugins"/>).</param>
    /// <param name="parameters">What the file's <c>${params.NAME}</c> references are filled in from.</param>
    public static PipelineDefinition Parse(string path, ComponentCatalog? catalog = null, IReadOnlyDictionary<string, string>? parameters = null) =>
        Read(path, catalog, parameters ?? new Dictionary<string, string>(), fillParameters: true);

    /// <summary>Parses a pipeline file with its <c>${params.NAME}</c> references left as written: for showing its
    /// shape (<c>sluice graph</c>) when no values are given.</summary>
    internal static PipelineDefinition ParseWithoutParameters(string path, ComponentCatalog? catalog) =>
        Read(path, catalog, null, fillParameters: false);

    private static PipelineDefinition Read(string path, ComponentCatalog? catalog, IReadOnlyDictionary<string, string>? parameters, bool fillParameters)
    {
        string full = Path.GetFullPath(path);
        string display = DisplayPath(full);
        if (!File.Exists(full))
        {
            throw new PipelineException(null, $"pipeline file '{path}' does not exist");
        }
        var checker = new ShapeChecker(display, catalog ?? ComponentCatalog.BuiltIn) { Parameters = fillParameters ? parameters : null };
        var root = ReadYaml(full, checker);
        var definition = root is null ? null : new PipelineReader(checker, Path.GetDirectoryName(full)!).Read(root);
        if (checker.Problems.Count > 0 && definition is not null)
        {
            // The rest of the pipeline is still checked — the graph, the expressions and contracts against the
            // columns that are known — so that one pass reports the problems of every phase.
            var context = new BuildContext(definition.BaseDirectory, "validate") { PipelineName = definition.Name, ResolveSecrets = false };
            var all = checker.Problems.Concat(PipelineBuilder.Problems(definition, context));
            throw new PipelineException(all.OrderBy(p => p.Location?.File).ThenBy(p => p.Location?.Line).ThenBy(p => p.Location?.Column).ToList());
        }
        if (checker.Problems.Count > 0 || definition is null)
        {
            throw new PipelineException(checker.Problems.Count > 0 ? checker.Problems : [new Diagnostic(null, $"{display}: not a pipeline")]);
        }
        return definition with { SourceFile = full };
    }

    /// <summary>The assemblies a pipeline file lists under <c>plugins:</c>, as full paths (relative ones resolved against
    /// the file's folder) with where each is written; none when the file has no such list or cannot be read (then
    /// <see cref="Parse"/> reports why). Throws <see cref="PipelineException"/> when the list is malformed.</summary>
    public static IReadOnlyList<PluginReference> Plugins(string path)
    {
        string full = Path.GetFullPath(path);
        if (!File.Exists(full))
        {
            return [];
        }
        var checker = new ShapeChecker(DisplayPath(full), ComponentCatalog.BuiltIn);
        var plugins = ReadYaml(full, checker)?.Children.FirstOrDefault(e => e.Key is YamlScalarNode { Value: "plugins" }).Value;
        if (plugins is null)
        {
            return [];
        }
        var list = checker.Check(plugins, PipelineSpec.Root.Find("plugins")!.Shape, "plugins");
        if (list is null)
        {
            throw new PipelineException(checker.Problems);
        }
        foreach (var blank in list.Items.Where(i => string.IsNullOrWhiteSpace(i.Text)))
        {
            checker.Problems.Add(new Diagnostic(blank.Location, "plugins: an empty path; name an assembly (a .dll) relative to this file"));
        }
        if (checker.Problems.Count > 0)
        {
            throw new PipelineException(checker.Problems);
        }
        return list.Items.Select(i => new PluginReference(Path.GetFullPath(Path.Combine(Path.GetDirectoryName(full)!, i.Text)), i.Location)).ToList();
    }

    /// <summary>The root mapping of a YAML file, or null with the problem recorded.</summary>
    internal static YamlMappingNode? ReadYaml(string fullPath, ShapeChecker checker,
        string expected = "expected a mapping with `name:`, `source:` and `sink:` (or `stages:`)")
    {
        var stream = new YamlStream();
        try
        {
            string text = File.ReadAllText(fullPath);
            if (Refused(text, checker))
            {
                return null;
            }
            stream.Load(new StringReader(text));
        }
        catch (YamlException e)
        {
            string message = (e.InnerException?.Message ?? e.Message).ReplaceLineEndings(" ");
            checker.Problems.Add(new Diagnostic(checker.Locate(e.Start), $"YAML syntax error: {StripMarkPrefix(message)}"));
            return null;
        }
        catch (InvalidOperationException e)
        {
            // YamlDotNet 18 throws this instead of a YamlException for some malformed flow collections, without a position.
            checker.Problems.Add(new Diagnostic(new SourceLocation(checker.File, 1, 1), $"YAML syntax error (position unknown): {e.Message} Check brackets and quotes."));
            return null;
        }
        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            checker.Problems.Add(new Diagnostic(new SourceLocation(checker.File, 1, 1), expected));
            return null;
        }
        return root;
    }

    /// <summary>Most levels of mappings and lists in a pipeline or contract file; a real one has fewer than ten.</summary>
    internal const int MaxYamlDepth = 64;

    /// <summary>What the node model must never load, found in one pass over the parser's events (the parser keeps its
    /// own stack): nesting past <see cref="MaxYamlDepth"/>, since the node model loads a file with one nested call per
    /// level and 100,000 levels overflow the stack; and aliases (<c>*name</c>), since every check walks the node an
    /// alias points to once per alias, so a small file of aliases of aliases would cost exponential work.</summary>
    private static bool Refused(string text, ShapeChecker checker)
    {
        var parser = new Parser(new StringReader(text));
        int depth = 0;
        while (parser.MoveNext())
        {
            if (parser.Current is AnchorAlias alias)
            {
                checker.Problems.Add(new Diagnostic(checker.Locate(alias.Start),
                    $"YAML alias *{alias.Value} is not supported in pipeline and flow files: write the value out"));
                return true;
            }
            if (parser.Current is MappingStart or SequenceStart && ++depth > MaxYamlDepth)
            {
                checker.Problems.Add(new Diagnostic(checker.Locate(parser.Current.Start),
                    $"YAML nested too deeply: more than {MaxYamlDepth} levels of mappings and lists; a pipeline or flow file needs only a few"));
                return true;
            }
            if (parser.Current is MappingEnd or SequenceEnd)
            {
                depth--;
            }
        }
        return false;
    }

    /// <summary>How a file is named in messages: relative to the current folder when it is below it, else in full.</summary>
    internal static string DisplayPath(string fullPath)
    {
        string relative = Path.GetRelativePath(Directory.GetCurrentDirectory(), fullPath);
        return relative.StartsWith("..", StringComparison.Ordinal) ? fullPath : relative;
    }

    // YamlDotNet prefixes messages with "(Line: 3, Col: 5, Idx: 20) - (Line: …): "; we print our own location.
    private static string StripMarkPrefix(string message)
    {
        int end = message.LastIndexOf("): ", StringComparison.Ordinal);
        return message.StartsWith("(Line:", StringComparison.Ordinal) && end > 0 ? message[(end + 3)..] : message;
    }
}
