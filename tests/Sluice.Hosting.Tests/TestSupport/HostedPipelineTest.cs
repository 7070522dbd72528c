using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Sluice.Hosting.Tests.TestSupport;

/// <summary>Base of tests that run pipelines in a real Generic Host: a temp folder as its content root, the SQLite
/// state file in it, and every log entry kept in <see cref="Logs"/>.</summary>
public abstract class HostedPipelineTest : IDisposable
{
    /// <summary>CSV ids through a contract into JSON Lines; only the final checkpoint unless a test asks for more.</summary>
    protected const string Yaml = """
        name: ids
        checkpoint: { every_records: 0, every_seconds: 0 }
        source: { type: csv, path: "in/*.csv" }
        contract:
          fields:
            id: { type: int64, required: true }
        sink: { type: jsonl, path: out }
        """;

    /// <summary>Every second, so that tests of schedules take seconds.</summary>
    protected static readonly PipelineSchedule EverySecond = PipelineSchedule.Cron("* * * * * *");

    protected TempDir Dir { get; } = new();

    protected LogCollector Logs { get; } = new();

    /// <summary>Small batches, so that a few thousand records make many batches to stop between.</summary>
    protected static readonly RunnerOptions Runner = new() { BatchSize = 100 };

    protected IHost Build(Action<SluiceBuilder> pipelines, TimeSpan? shutdownTimeout = null, TimeProvider? clock = null,
        Action<SluiceOptions>? configure = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { ContentRootPath = Dir.Path, DisableDefaults = true });
        builder.Logging.AddProvider(Logs);
        if (clock is not null)
            builder.Services.AddSingleton(clock);
        if (shutdownTimeout is { } timeout)
            builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = timeout);
        pipelines(builder.Services.AddSluice(o =>
        {
            o.StatePath = "state.db";
            o.Runner = Runner;
            configure?.Invoke(o);
        }));
        return builder.Build();
    }

    /// <summary>The <see cref="Yaml"/> pipeline as a definition built in code, rooted in <see cref="Dir"/>.</summary>
    protected PipelineDefinition Definition(string yaml = Yaml) =>
        PipelineFile.Parse(Dir.Write("p.yaml", yaml)) with { BaseDirectory = Dir.Path };

    protected void WriteInput(int file, int rows) => Dir.Write($"in/{file}.csv", IdsCsv.Of(file * rows, rows));

    protected List<long> OutputIds() => JsonlOutput.Ids(Dir.File("out"));

    /// <summary>The pipeline's runs, newest first, read from the state file once the host has let go of it.</summary>
    protected async Task<IReadOnlyList<RunRecord>> RunsAsync(string pipeline = "ids")
    {
        await using var store = await SqliteStateStore.OpenAsync(Dir.File("state.db"));
        return await store.ListRunsAsync(pipeline);
    }

    public void Dispose() => Dir.Dispose();
}
