namespace Sluice.Cli.Tests;

public sealed class StatePathsTests
{
    private static readonly string Folder = Path.Combine(Path.GetTempPath(), "project");

    [Fact]
    public void The_option_wins_over_the_environment_and_the_default()
    {
        Assert.Equal(Path.GetFullPath("a/state.db"), StatePaths.Resolve("a/state.db", "/env/state.db", Folder));
    }

    [Fact]
    public void The_environment_wins_over_the_default()
    {
        Assert.Equal(Path.GetFullPath("/env/state.db"), StatePaths.Resolve(null, "/env/state.db", Folder));
        Assert.Equal(Path.GetFullPath("/env/state.db"), StatePaths.Resolve("", "/env/state.db", Folder));
    }

    [Fact]
    public void The_default_is_the_dot_sluice_folder()
    {
        Assert.Equal(Path.Combine(Folder, ".sluice", "state.db"), StatePaths.Resolve(null, null, Folder));
        Assert.Equal(Path.Combine(Folder, ".sluice", "state.db"), StatePaths.Resolve(" ", "", Folder));
    }

    [Fact]
    public void A_run_keeps_its_state_beside_the_pipeline_file_unless_told_otherwise()
    {
        if (Environment.GetEnvironmentVariable(StatePaths.EnvironmentVariable) is not null)
            return; // The developer's own setting would (rightly) win; the rule itself is covered above.
        string pipeline = Path.Combine(Folder, "sub", "pipeline.yaml");

        Assert.Equal(Path.Combine(Folder, "sub", ".sluice", "state.db"), StatePaths.ForPipeline(null, pipeline));
    }
}
