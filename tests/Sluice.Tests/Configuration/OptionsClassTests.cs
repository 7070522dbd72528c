using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using Sluice.Configuration;
using Sluice.Pipelines;
using Sluice.Tests.TestSupport;

namespace Sluice.Tests.Configuration;

/// <summary>A plain options class becomes a component's options: keys, types, required, defaults and descriptions
/// from its properties, and values bound from the file with positioned errors.</summary>
public sealed class OptionsClassTests : IDisposable
{
    private readonly TempDir _dir = new();

    public OptionsClassTests() => _dir.Write("data/a.csv", "id,name\n1,a\n");

    public void Dispose() => _dir.Dispose();

    public enum Mode
    {
        Fast,
        DeadLetter,
    }

    public sealed class EveryKind
    {
        [Description("Where to call.")]
        public required string ApiUrl { get; init; }

        [Required]
        public string Token { get; set; } = "";

        public bool Enabled { get; init; } = true;
        public int MaxRPS { get; init; } = 50;
        public long Limit { get; init; }
        public double Ratio { get; init; } = 0.5;
        public TimeSpan HTTPTimeout { get; init; } = TimeSpan.FromSeconds(30);
        public Mode OnError { get; init; } = Mode.DeadLetter;
        public IReadOnlyList<string> Columns { get; init; } = ["a", "b"];
        public string[] Tags { get; init; } = [];
        public Dictionary<string, string> Headers { get; init; } = [];
        public int? Retries { get; init; }

        public string Computed => ApiUrl + "/"; // no setter: not an option
    }

    private static ObjectShape ShapeOf(ComponentCatalog catalog) => (ObjectShape)catalog.Transforms.Single(t => t.Name == "every").Shape;

    private static ComponentCatalog Catalog(Action<EveryKind>? bound = null) => new ComponentCatalog().AddTransform<EveryKind>("every", "Every kind.", o =>
    {
        bound?.Invoke(o);
        return new RenameOptions(new Dictionary<string, string>());
    });

    private string File(string options) => _dir.Write("p.yaml", $"""
        name: p
        source: {"{"} type: csv, path: data/*.csv {"}"}
        transforms:
          - every:
              {options.ReplaceLineEndings("\n      ")}
        sink: {"{"} type: jsonl, path: out {"}"}
        """);

    [Fact]
    public void Settable_properties_become_snake_case_options_with_their_shape_requiredness_default_and_description()
    {
        var options = ShapeOf(Catalog()).Options.Select(o => (o.Name, o.Shape.Describe(), o.Required, o.Default)).ToList();

        Assert.Equal([
            ("api_url", "string", true, null),
            ("token", "string", true, null),
            ("enabled", "boolean", false, "true"),
            ("max_rps", "integer", false, "50"),
            ("limit", "integer", false, "0"),
            ("ratio", "number", false, "0.5"),
            ("http_timeout", "string", false, "30s"),
            ("on_error", "one of `fast`, `dead_letter`", false, "dead_letter"),
            ("columns", "list of string", false, "[a, b]"),
            ("tags", "list of string", false, null),
            ("headers", "map of name → string", false, null),
            ("retries", "integer", false, null),
        ], options);
        Assert.Equal("Where to call.", ShapeOf(Catalog()).Find("api_url")!.Description);
    }

    [Fact]
    public void Every_kind_of_value_is_bound_from_the_file()
    {
        EveryKind? bound = null;
        PipelineFile.Parse(File("""
            api_url: https://example.test
            token: secret
            enabled: false
            max_rps: 7
            limit: 9000000000
            ratio: 0.25
            http_timeout: 90s
            on_error: fast
            columns: [x]
            tags: [t1, t2]
            headers: { Accept: text/csv }
            retries: 3
            """), Catalog(o => bound = o));

        Assert.NotNull(bound);
        Assert.Equal(("https://example.test", "secret", false, 7, 9_000_000_000L, 0.25), (bound.ApiUrl, bound.Token, bound.Enabled, bound.MaxRPS, bound.Limit, bound.Ratio));
        Assert.Equal((TimeSpan.FromSeconds(90), Mode.Fast, 3), (bound.HTTPTimeout, bound.OnError, bound.Retries!.Value));
        Assert.Equal(["x"], bound.Columns);
        Assert.Equal(["t1", "t2"], bound.Tags);
        Assert.Equal("text/csv", bound.Headers["Accept"]);
    }

    [Fact]
    public void Absent_options_keep_the_fresh_instances_values()
    {
        EveryKind? bound = null;
        PipelineFile.Parse(File("{ api_url: u, token: t }"), Catalog(o => bound = o));

        Assert.Equal((true, 50, TimeSpan.FromSeconds(30), Mode.DeadLetter, (int?)null), (bound!.Enabled, bound.MaxRPS, bound.HTTPTimeout, bound.OnError, bound.Retries));
    }

    [Fact]
    public void Values_that_do_not_fit_their_property_are_positioned_problems()
    {
        var e = Assert.Throws<PipelineException>(() => PipelineFile.Parse(File("""
            api_url: u
            max_rps: 3000000000
            http_timeout: soon
            enabled: yes
            on_error: dead_leter
            """), Catalog()));

        Assert.Equal([
            "5:7 pipeline.transforms[0].every: missing required key 'token'",
            "8:16 pipeline.transforms[0].every.enabled: expected true or false, found 'yes'",
            "9:17 pipeline.transforms[0].every.on_error: expected one of fast, dead_letter; found 'dead_leter' (did you mean 'dead_letter'?)",
        ], e.Diagnostics.Select(d => $"{d.Location!.Line}:{d.Location.Column} {d.Message}"));

        var bind = Assert.Throws<PipelineException>(() => PipelineFile.Parse(File("{ api_url: u, token: t, max_rps: 3000000000, http_timeout: soon }"), Catalog()));
        Assert.Equal([
            "5:40 max_rps: expected an integer from -2147483648 to 2147483647, found '3000000000'",
            "5:66 http_timeout: expected a duration with a unit, e.g. 250ms, 10s, 5m, 1h; found 'soon'",
        ], bind.Diagnostics.Select(d => $"{d.Location!.Line}:{d.Location.Column} {d.Message}"));
    }

    public sealed class Checked
    {
        private readonly int _port;

        public int Port
        {
            get => _port;
            init => _port = value is > 0 and < 65536 ? value : throw new ArgumentOutOfRangeException(nameof(Port), value, "a port is 1 to 65535");
        }
    }

    [Fact]
    public void A_setter_that_refuses_a_value_is_a_positioned_problem_with_its_message()
    {
        var catalog = new ComponentCatalog().AddTransform<Checked>("checked", "", _ => new RenameOptions(new Dictionary<string, string>()));

        string path = _dir.Write("c.yaml", """
            name: c
            source: { type: csv, path: data/*.csv }
            transforms:
              - checked: { port: 70000 }
            sink: { type: jsonl, path: out }
            """);

        var d = Assert.Single(Assert.Throws<PipelineException>(() => PipelineFile.Parse(path, catalog)).Diagnostics);

        Assert.Equal((4, 22), (d.Location!.Line, d.Location.Column));
        Assert.StartsWith("port: a port is 1 to 65535", d.Message);
    }

    public sealed class Unsupported
    {
        public Uri? Endpoint { get; init; }
    }

    public sealed class NoDefaultConstructor(string url)
    {
        public string Url { get; init; } = url;
    }

    [Fact]
    public void A_class_that_cannot_be_options_is_refused_when_registered()
    {
        var type = Assert.Throws<ArgumentException>(() => new ComponentCatalog().AddSource<Unsupported>("s", "", _ => null!));
        var constructor = Assert.Throws<ArgumentException>(() => new ComponentCatalog().AddSink<NoDefaultConstructor>("k", "", _ => null!));

        Assert.StartsWith("option Unsupported.Endpoint is a Uri; options can be: string, bool, int, long, double, TimeSpan", type.Message);
        Assert.StartsWith("options class NoDefaultConstructor needs a public parameterless constructor", constructor.Message);
    }

    [Theory]
    [InlineData("ApiUrl", "api_url")]
    [InlineData("MaxRPS", "max_rps")]
    [InlineData("HTTPTimeout", "http_timeout")]
    [InlineData("Url", "url")]
    [InlineData("Retry2Count", "retry2_count")]
    [InlineData("Already_Snake", "already_snake")]
    public void Property_names_become_snake_case_keys(string property, string key) => Assert.Equal(key, OptionsClass.SnakeCase(property));
}
