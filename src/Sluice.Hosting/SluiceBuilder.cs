using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Sluice.Hosting;

/// <summary>What <c>services.AddSluice(...)</c> returns: adds the pipelines the host runs.</summary>
public sealed class SluiceBuilder
{
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);
    private readonly SluiceOptions _options;

    internal SluiceBuilder(IServiceCollection services, SluiceOptions options)
    {
        Services = services;
        _options = options;
    }

    public IServiceCollection Services { get; }

    /// <summary>Adds a hosted service that runs the pipeline <paramref name="name"/> on its schedule. The name keys
    /// its runs and lease in the state store and its log lines (it replaces the <c>name:</c> of a pipeline file), so
    /// <c>sluice runs</c> and <c>sluice show</c> find its runs under it.</summary>
    /// <exception cref="ArgumentException">The name is taken, or the options name no pipeline or two.</exception>
    public SluiceBuilder AddPipeline(string name, Action<PipelineOptions> configure)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(configure);
        var options = new PipelineOptions();
        configure(options);
        Validate(name, options);
        if (!_names.Add(name))
            throw new ArgumentException($"a pipeline named '{name}' is already added: give each pipeline its own name", nameof(name));
        Services.AddSingleton<IHostedService>(services => new PipelineService(
            name, options, _options,
            services.GetRequiredService<IStateStore>(),
            services.GetService<IHostEnvironment>()?.ContentRootPath ?? Directory.GetCurrentDirectory(),
            services.GetRequiredService<IHostApplicationLifetime>(),
            services.GetService<TimeProvider>() ?? TimeProvider.System,
            services.GetRequiredService<ILogger<PipelineService>>()));
        return this;
    }

    private static void Validate(string name, PipelineOptions options)
    {
        var problems = new List<string>();
        if ((options.File is null) == (options.Definition is null))
            problems.Add("set either File (a pipeline file) or Definition (a pipeline built in code)");
        if (options.Schedule is null)
            problems.Add("Schedule is null: use PipelineSchedule.Once, PipelineSchedule.Continuous or PipelineSchedule.Cron(...)");
        if (options.RetryDelay < TimeSpan.Zero || options.RetryDelay > TimeSpan.FromDays(1))
            problems.Add($"RetryDelay is {options.RetryDelay}: give a delay from zero to one day");
        if (problems.Count > 0)
            throw new ArgumentException($"pipeline '{name}': {string.Join("; ", problems)}", nameof(options));
    }
}
