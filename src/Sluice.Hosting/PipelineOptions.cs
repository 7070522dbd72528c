
namespace Sluice.Hosting;

/// <summary>One pipeline the host runs (<c>AddPipeline(name, p => ...)</c>): what it is — a pipeline
/// <see cref="File"/> or a <see cref="Definition"/> built in code — and when it runs.</summary>
public sealed class PipelineOptions
{
    /// <summary>A pipeline file (YAML). A relative path resolves against the host's content root. It is loaded and
    /// checked as <c>sluice validate</c> does when the host starts: an invalid file fails the host's start with every
    /// problem and its <c>file:line:column</c>. Set this or <see cref="Definition"/>.</summary>
    public string? File { get; set; }

    /// <summary>A pipeline built in code. It is checked as each run starts: a problem fails that run, which is logged
    /// with every problem found. Set this or <see cref="File"/>.</summary>
    public PipelineDefinition? Definition { get; set; }

    /// <summary>When it runs. The default value is <see cref="PipelineSchedule.Once"/>.</summary>
    public PipelineSchedule Schedule { get; set; } = PipelineSchedule.Once;

    /// <summary>With <see cref="PipelineSchedule.Once"/>: stop the host when the run has ended, so that a job-style
    /// worker exits (its log says how the run ended). The default value is false: the host goes on running its other
    /// services.</summary>
    public bool StopHostWhenDone { get; set; }

    /// <summary>With <see cref="PipelineSchedule.Continuous"/>: how long to wait before starting the run again when
    /// it ended on its own (it failed, or another process holds the pipeline), from zero to one day. The default value is
    /// 30 seconds.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(30);
}
