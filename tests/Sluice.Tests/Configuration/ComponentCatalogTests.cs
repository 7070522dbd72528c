using System.ComponentModel;
using Sluice.Configuration;
using Sluice.Pipelines;
using Sluice.Tests.TestSupport;

namespace Sluice.Tests.Configuration;

/// <summary>Components registered in a <see cref="ComponentCatalog"/> are named, checked, bound and documented like
/// the built-in ones; names are never shared.</summary>
public sealed class ComponentCatalogTests : IDisposable
{
    private readonly TempDir _dir = new();

    public ComponentCatalogTests() => _dir.Write("data/a.csv", "id,name\n1,a\n");

    public void Dispose() => _dir.Dispose();

    public sealed class RenameOneOptions
    {
        [Description("The column to rename.")]
        public required string From { get; init; }

        [Description("Its new name.")]
        public string To { get; init; } = "renamed";
    }

    private static ComponentCatalog Catalog() => new ComponentCatalog()
        .AddTransform<RenameOneOptions>("rename_one", "Renames one column.", o => new RenameOptions(new Dictionary<string, string> { [o.From] = o.To }));

    private string Chain(string transform) => _dir.Write("p.yaml", $"""
        name: p
        source: {"{"} type: csv, path: data/*.csv {"}"}
        transforms:
          - {transform}
        sink: {"{"} type: jsonl, path: out {"}"}
        """);

    private static string[] Problems(string path, ComponentCatalog? catalog) =>
        Assert.Throws<PipelineException>(() => PipelineFile.Load(path, catalog)).Diagnostics.Select(d => $"{d.Location?.Line}:{d.Location?.Column} {d.Message}").ToArray();

    [Fact]
    public void A_registered_transform_is_used_by_its_own_key_in_the_chain_and_the_graph_form()
    {
        var chain = PipelineFile.Load(Chain("rename_one: { from: name, to: label }"), Catalog());
        var graph = PipelineFile.Load(_dir.Write("g.yaml", """
            name: g
            stages:
              - { name: read, source: { type: csv, path: data/*.csv } }
              - { name: label, rename_one: { from: name } }
              - { name: write, sink: { type: jsonl, path: out } }
            """), Catalog());

        Assert.Equal(["source", "rename_one", "sink"], chain.Stages.Select(s => s.Name));
        Assert.Equal("label", Assert.IsType<RenameOptions>(chain.Stages[1].Options).Names["name"]);
        Assert.Equal("renamed", Assert.IsType<RenameOptions>(graph.Stages[1].Options).Names["name"]);
    }

    [Fact]
    public void Without_the_catalog_the_name_is_unknown_and_the_built_ins_are_suggested()
    {
        var problems = Problems(Chain("rename_one: { from: name }"), null);

        Assert.Equal("4:5 pipeline.transforms[0]: unknown transform 'rename_one'; expected one of: filter, derive, select, rename, dedupe", Assert.Single(problems));
    }

    [Fact]
    public void A_custom_stages_typo_is_positioned_with_a_suggestion_and_its_missing_required_option_named()
    {
        var problems = Problems(Chain("rename_one: { frm: name }"), Catalog());

        Assert.Equal([
            "4:17 pipeline.transforms[0].rename_one: missing required key 'from' (The column to rename.)",
            "4:19 pipeline.transforms[0].rename_one: unknown key 'frm' (did you mean 'from'?); expected one of: from, to",
        ], problems);
    }

    [Fact]
    public void Use_and_with_are_refused_with_the_form_to_write_instead()
    {
        var problems = Problems(Chain("use: rename_one\n    with: { from: name }"), Catalog());

        Assert.Equal("4:5 pipeline.transforms[0]: write a registered transform by its own key, as the built-ins: `- rename_one: { … }` (its options under it), not `use:`/`with:`", Assert.Single(problems));
    }

    [Fact]
    public void A_transform_without_options_may_be_written_with_nothing_after_its_key()
    {
        var passThrough = new RenameOptions(new Dictionary<string, string>());
        var catalog = new ComponentCatalog().AddTransform("pass_through", "Changes nothing.", passThrough);

        var pipeline = PipelineFile.Load(Chain("pass_through:"), catalog);
        using var schema = System.Text.Json.JsonDocument.Parse(PipelineSchema.JsonSchema(catalog));

        Assert.Same(passThrough, pipeline.Stages[1].Options);
        var value = schema.RootElement.GetProperty("properties").GetProperty("transforms").GetProperty("items").GetProperty("oneOf")
            .EnumerateArray().Select(t => t.GetProperty("properties")).Single(p => p.TryGetProperty("pass_through", out _)).GetProperty("pass_through");
        Assert.Equal(["object", "null"], value.GetProperty("anyOf").EnumerateArray().Select(a => a.GetProperty("type").GetString()));
    }

    [Fact]
    public void An_exception_from_a_components_own_code_is_a_positioned_problem_naming_it()
    {
        var catalog = new ComponentCatalog().AddTransform<RenameOneOptions>("picky", "Refuses.", o => throw new ArgumentException($"'{o.From}' is not allowed"));

        var problems = Problems(Chain("picky: { from: name }"), catalog);

        Assert.Equal("4:12 picky: 'name' is not allowed", Assert.Single(problems));
    }

    [Fact]
    public void A_name_is_registered_once_and_never_a_built_ins()
    {
        var catalog = Catalog();
        var again = new ComponentSpec("rename_one", StageKind.Transform, "Again.", Shape.Object(), _ => new RenameOptions(new Dictionary<string, string>()));

        var duplicate = Assert.Throws<ArgumentException>(() => catalog.Register(again));
        var builtIn = Assert.Throws<ArgumentException>(() => catalog.Register(again with { Name = "csv", Kind = StageKind.Source }));

        Assert.StartsWith("a transform named 'rename_one' is already registered; each name can be registered once", duplicate.Message);
        Assert.StartsWith("'csv' is the name of a built-in source; choose another name for yours", builtIn.Message);
        Assert.Single(catalog.Transforms, t => t.Name == "rename_one");
    }

    [Theory]
    [InlineData("Enrich", StageKind.Transform, "'Enrich' is not a valid transform name: use lower-case letters, digits and underscores")]
    [InlineData("from", StageKind.Transform, "'from' is a key of a stage in the graph form")]
    [InlineData("rules", StageKind.Contract, "'rules': only sources, transforms and sinks can be registered, not a contract")]
    public void A_name_or_kind_a_pipeline_file_could_not_use_is_refused(string name, StageKind kind, string message)
    {
        var spec = new ComponentSpec(name, kind, "", Shape.Object(), _ => new RenameOptions(new Dictionary<string, string>()));

        Assert.StartsWith(message, Assert.Throws<ArgumentException>(() => new ComponentCatalog().Register(spec)).Message);
    }

    [Fact]
    public void A_sinks_options_are_an_object_without_a_type_key()
    {
        var notObject = new ComponentSpec("my_sink", StageKind.Sink, "", Shape.String, _ => null!);
        var withType = notObject with { Shape = Shape.Object(new OptionSpec("type", Shape.String, "")) };

        Assert.Contains("must be a Shape.Object", Assert.Throws<ArgumentException>(() => new ComponentCatalog().Register(notObject)).Message);
        Assert.Contains("declares an option named 'type'", Assert.Throws<ArgumentException>(() => new ComponentCatalog().Register(withType)).Message);
    }

    [Fact]
    public void The_built_in_catalog_is_shared_and_read_only_and_registering_chains()
    {
        var spec = new ComponentSpec("mine", StageKind.Transform, "", Shape.Object(), _ => new RenameOptions(new Dictionary<string, string>()));
        var catalog = new ComponentCatalog();

        Assert.Throws<InvalidOperationException>(() => ComponentCatalog.BuiltIn.Register(spec));
        Assert.Same(catalog, catalog.Register(spec));
        Assert.DoesNotContain(ComponentCatalog.BuiltIn.Transforms, t => t.Name == "mine");
        Assert.True(ComponentCatalog.IsBuiltIn(catalog.Transforms[0]));
        Assert.False(ComponentCatalog.IsBuiltIn(spec));
    }

    [Fact]
    public void An_explicit_spec_reads_its_values_with_the_config_node_getters()
    {
        (TimeSpan?, IReadOnlyDictionary<string, string>?)? read = null;
        var catalog = new ComponentCatalog().Register(new ComponentSpec("rename_after", StageKind.Transform, "Renames, after a wait.",
            Shape.Object(new OptionSpec("wait", Shape.String, "How long."), new OptionSpec("names", Shape.MapOf(Shape.String), "Old to new.")),
            node =>
            {
                read = (node.GetDuration("wait"), node.GetStringMap("names"));
                return new RenameOptions(node.GetStringMap("names") ?? new Dictionary<string, string>());
            }));

        PipelineFile.Load(Chain("rename_after: { wait: 2m, names: { name: label } }"), catalog);
        var bad = Problems(Chain("rename_after: { wait: later }"), catalog);

        Assert.Equal(TimeSpan.FromMinutes(2), read!.Value.Item1);
        Assert.Equal("label", read.Value.Item2!["name"]);
        Assert.Equal("4:27 wait must be a duration with a unit, e.g. 250ms, 10s, 5m, 1h; found 'later'", Assert.Single(bad));
    }

    [Fact]
    public void The_schema_and_the_reference_describe_registered_components()
    {
        string schema = PipelineSchema.JsonSchema(Catalog());
        string markdown = PipelineSchema.Markdown(Catalog());

        Assert.Contains("\"rename_one\"", schema);
        Assert.DoesNotContain("rename_one", PipelineSchema.JsonSchema());
        Assert.Contains("### `rename_one`\n\nRenames one column.", markdown);
        Assert.Contains("| `from` | string | yes |  | The column to rename. |", markdown);
        Assert.Contains("| `to` | string | no | `renamed` | Its new name. |", markdown);
    }
}
