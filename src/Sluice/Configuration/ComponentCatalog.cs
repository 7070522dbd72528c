using Sluice.Configuration;
using System.Diagnostics.CodeAnalysis;
using System.Text.RegularExpressions;
using Sluice.Connectors.Csv;
using Sluice.Connectors.Http;
using Sluice.Connectors.Jsonl;
using Sluice.Connectors.Parquet;
using Sluice.Contracts;
using Sluice.Pipelines;
using Sluice.Transforms.Dedupe;
using Sluice.Transforms.Derive;
using Sluice.Transforms.Filter;

namespace Sluice.Extensibility;

/// <summary>
/// The components a pipeline file may name: the built-in sources, transforms and sinks, plus the ones registered with
/// <see cref="Register"/> (a user's own, or a connector package's). The same catalog drives the loader's checks,
/// <c>sluice validate</c>, the generated reference and the JSON Schema, so a registered component is checked and
/// documented exactly like a built-in one. Register everything before loading files with it: registering is not
/// safe to do while another thread loads a file with the same catalog.
/// </summary>
/// <example>
/// <code>
/// var catalog = new ComponentCatalog()
///     .AddTransform&lt;EnrichOptions&gt;("enrich_customers", "Adds the customer's tier.", o =&gt; new EnrichTransformOptions(o));
/// var pipeline = PipelineFile.Load("pipeline.yaml", catalog);
/// </code>
/// </example>
public sealed partial class ComponentCatalog
{
    private readonly List<ComponentSpec> _sources;
    private readonly List<ComponentSpec> _transforms;
    private readonly List<ComponentSpec> _sinks;
    private readonly bool _frozen;

    /// <summary>A catalog of the built-in components, to which components can be registered.</summary>
    public ComponentCatalog() : this(frozen: false) { }

    private ComponentCatalog(bool frozen)
    {
        _sources = [CsvSourceOptions.Spec, JsonlSourceOptions.Spec, ParquetSourceOptions.Spec, HttpSourceOptions.Spec];
        _transforms = [FilterOptions.Spec, DeriveOptions.Spec, SelectOptions.Spec, RenameOptions.Spec, DedupeOptions.Spec];
        _sinks = [ParquetSinkOptions.Spec, JsonlSinkOptions.Spec, CsvSinkOptions.Spec, HttpSinkOptions.Spec];
        _frozen = frozen;
    }

    /// <summary>The built-in components only, shared and read-only: what <see cref="PipelineFile"/> uses when given
    /// no catalog. Register into a <c>new ComponentCatalog()</c> instead.</summary>
    public static ComponentCatalog BuiltIn { get; } = new(frozen: true);

    public IReadOnlyList<ComponentSpec> Sources => _sources;

    public IReadOnlyList<ComponentSpec> Transforms => _transforms;

    public IReadOnlyList<ComponentSpec> Sinks => _sinks;

    /// <summary>The contract stage: built in, one per pipeline file, not replaceable.</summary>
    public ComponentSpec Contract => ContractOptions.Spec;

    /// <summary>The components of <paramref name="kind"/>, built-in ones first (for a contract, the contract).</summary>
    public IReadOnlyList<ComponentSpec> Of(StageKind kind) => kind switch
    {
        StageKind.Source => Sources,
        StageKind.Sink => Sinks,
        StageKind.Transform => Transforms,
        _ => [Contract],
    };

    /// <summary>Whether <paramref name="spec"/> came with Sluice rather than from <see cref="Register"/>.</summary>
    public static bool IsBuiltIn(ComponentSpec spec) => BuiltIn.Of(spec.Kind).Contains(spec);

    /// <summary>Adds a source, transform or sink, usable in pipeline files by its <see cref="ComponentSpec.Name"/>:
    /// a source or sink as <c>type: name</c>, a transform as its own key (<c>- name: { … }</c>).</summary>
    /// <returns>This catalog, so that registrations chain.</returns>
    /// <exception cref="ArgumentException">The name is taken (by a built-in or an earlier registration) or is not
    /// a snake_case name, or the spec cannot be used in a pipeline file (see the message).</exception>
    public ComponentCatalog Register(ComponentSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (_frozen)
        {
            throw new InvalidOperationException("ComponentCatalog.BuiltIn is shared and read-only; register into a new ComponentCatalog()");
        }
        string kind = spec.Kind.ToString().ToLowerInvariant();
        if (spec.Kind is not (StageKind.Source or StageKind.Transform or StageKind.Sink))
        {
            throw new ArgumentException($"'{spec.Name}': only sources, transforms and sinks can be registered, not a {kind}", nameof(spec));
        }
        if (!SnakeCase().IsMatch(spec.Name))
        {
            throw new ArgumentException($"'{spec.Name}' is not a valid {kind} name: use lower-case letters, digits and underscores, starting with a letter (e.g. enrich_customers)", nameof(spec));
        }
        if (Of(spec.Kind).FirstOrDefault(c => c.Name == spec.Name) is { } taken)
        {
            throw new ArgumentException(IsBuiltIn(taken)
                ? $"'{spec.Name}' is the name of a built-in {kind}; choose another name for yours"
                : $"a {kind} named '{spec.Name}' is already registered; each name can be registered once", nameof(spec));
        }
        if (spec.Kind == StageKind.Transform && StageKeys.Contains(spec.Name))
        {
            throw new ArgumentException($"'{spec.Name}' is a key of a stage in the graph form ({string.Join(", ", StageKeys)}); choose another transform name", nameof(spec));
        }
        if (spec.Kind != StageKind.Transform && spec.Shape is not ObjectShape)
        {
            throw new ArgumentException($"the options of {kind} '{spec.Name}' must be a Shape.Object(...): they are written beside its `type:`", nameof(spec));
        }
        if (spec.Kind != StageKind.Transform && ((ObjectShape)spec.Shape).Find("type") is not null)
        {
            throw new ArgumentException($"{kind} '{spec.Name}' declares an option named 'type', which picks the {kind} itself; rename the option", nameof(spec));
        }
        (spec.Kind switch { StageKind.Source => _sources, StageKind.Sink => _sinks, _ => _transforms }).Add(spec);
        return this;
    }

    /// <summary>Registers a source whose options are the public settable properties of <typeparamref name="TOptions"/>
    /// (see <see cref="AddTransform{TOptions}"/> for the conventions).</summary>
    public ComponentCatalog AddSource<[DynamicallyAccessedMembers(OptionsMembers)] TOptions>(
        string name, string description, Func<TOptions, ISourceOptions> create) where TOptions : class =>
        Register(FromOptionsClass(name, StageKind.Source, description, create));

    /// <summary>
    /// Registers a transform whose options are the public settable properties of <typeparamref name="TOptions"/>:
    /// the key is the property's name in snake_case (<c>ApiUrl</c> → <c>api_url</c>); a <c>required</c> member or one
    /// with <c>[Required]</c> must be written; the default shown in the docs is a fresh instance's value; the
    /// description is its <c>[Description("…")]</c>. Property types: string, bool, int, long, double, TimeSpan
    /// (written <c>30s</c>, <c>5m</c>), enums (members in snake_case), lists of strings and maps of string to string.
    /// <paramref name="create"/> turns the bound options into the stage (any <see cref="ITransformOptions"/>); it may
    /// throw <see cref="PipelineException"/>, or any exception whose message then names the stage's place in the file.
    /// </summary>
    /// <exception cref="ArgumentException">The class has an unsupported property type or no public parameterless
    /// constructor, or the name is not free (see <see cref="Register"/>).</exception>
    public ComponentCatalog AddTransform<[DynamicallyAccessedMembers(OptionsMembers)] TOptions>(
        string name, string description, Func<TOptions, ITransformOptions> create) where TOptions : class =>
        Register(FromOptionsClass(name, StageKind.Transform, description, create));

    /// <summary>Registers a transform that has no options (written <c>- name:</c> or <c>- name: {}</c>), e.g. a typed
    /// C# transform.</summary>
    public ComponentCatalog AddTransform(string name, string description, ITransformOptions transform) =>
        Register(new ComponentSpec(name, StageKind.Transform, description, Shape.Object(), _ => transform));

    /// <summary>Registers a sink whose options are the public settable properties of <typeparamref name="TOptions"/>
    /// (see <see cref="AddTransform{TOptions}"/> for the conventions).</summary>
    public ComponentCatalog AddSink<[DynamicallyAccessedMembers(OptionsMembers)] TOptions>(
        string name, string description, Func<TOptions, ISinkOptions> create) where TOptions : class =>
        Register(FromOptionsClass(name, StageKind.Sink, description, create));

    private const DynamicallyAccessedMemberTypes OptionsMembers =
        DynamicallyAccessedMemberTypes.PublicProperties | DynamicallyAccessedMemberTypes.PublicParameterlessConstructor;

    private static ComponentSpec FromOptionsClass<[DynamicallyAccessedMembers(OptionsMembers)] TOptions>(
        string name, StageKind kind, string description, Func<TOptions, IStageOptions> create)
    {
        ArgumentNullException.ThrowIfNull(create);
        var options = new OptionsClass(typeof(TOptions));
        return new ComponentSpec(name, kind, description, options.Shape, node => create((TOptions)options.Bind(node)));
    }

    /// <summary>The keys a stage of the graph form has besides its transform key; a transform cannot be named so.</summary>
    internal static readonly string[] StageKeys = ["name", "from", "resilience", "source", "contract", "sink"];

    [GeneratedRegex("^[a-z][a-z0-9_]*$")]
    private static partial Regex SnakeCase();
}
