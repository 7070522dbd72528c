using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Sluice;
using Sluice.Hosting;

// The namespace of IServiceCollection, as Microsoft's own Add... extensions: found without a using.
namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers Sluice in a Generic Host: <c>services.AddSluice(o => ...).AddPipeline("name", p => ...)</c>.</summary>
public static class SluiceServiceCollectionExtensions
{
    /// <summary>Registers the state store (SQLite at <see cref="SluiceOptions.StatePath"/>, opened once and disposed
    /// with the host, unless an <see cref="IStateStore"/> is already registered) and a <see cref="PipelineRunner"/>
    /// on it, for code that starts runs itself. Add the pipelines the host runs with the builder it returns.</summary>
    public static SluiceBuilder AddSluice(this IServiceCollection services, Action<SluiceOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = new SluiceOptions();
        configure?.Invoke(options);
        services.TryAddSingleton<IStateStore>(provider =>
        {
            string root = provider.GetService<IHostEnvironment>()?.ContentRootPath ?? Directory.GetCurrentDirectory();
            // A DI factory cannot await. Opening a SQLite file does no real asynchronous work (Microsoft.Data.Sqlite
            // completes synchronously) and the host has no synchronization context, so this cannot deadlock.
            return SqliteStateStore.OpenAsync(Path.Combine(root, options.StatePath)).GetAwaiter().GetResult();
        });
        services.TryAddSingleton(provider => new PipelineRunner(provider.GetRequiredService<IStateStore>(), options.Runner));
        return new SluiceBuilder(services, options);
    }
}
