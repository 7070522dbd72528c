using Sluice.Pipelines;
using Sluice.State;

namespace Sluice.Tests.State;

public sealed class SinkBalanceTests
{
    private static StageCounts Stage(string name, StageKind kind, long @in, long @out, long filtered, long dead, params string[] inputs) =>
        new(name, kind, @in, @out, filtered, dead, TimeSpan.Zero) { Inputs = inputs };

    [Fact]
    public void A_fan_out_gives_each_sink_its_own_equation_over_the_stages_on_its_way()
    {
        var stages = new[]
        {
            Stage("source", StageKind.Source, 10, 9, 0, 1),
            Stage("all", StageKind.Sink, 9, 9, 0, 0, "source"),
            Stage("filter", StageKind.Transform, 9, 4, 5, 0, "source"),
            Stage("some", StageKind.Sink, 4, 4, 0, 0, "filter"),
        };

        var balances = SinkBalance.Of(stages);

        Assert.Equal([new SinkBalance("all", 10, 9, 1, 0), new SinkBalance("some", 10, 4, 1, 5)], balances);
        Assert.All(balances, b => Assert.True(b.Balances));
    }

    [Fact]
    public void Where_branches_of_one_source_meet_again_a_record_counts_once_per_path()
    {
        // source → low / high (complementary filters) → check (union) → sink: every record takes two paths and
        // is dropped on one of them.
        var stages = new[]
        {
            Stage("source", StageKind.Source, 10, 10, 0, 0),
            Stage("low", StageKind.Transform, 10, 4, 6, 0, "source"),
            Stage("high", StageKind.Transform, 10, 6, 4, 0, "source"),
            Stage("check", StageKind.Contract, 10, 8, 0, 2, "low", "high"),
            Stage("sink", StageKind.Sink, 8, 8, 0, 0, "check"),
        };

        var balance = Assert.Single(SinkBalance.Of(stages));

        Assert.Equal(new SinkBalance("sink", 20, 8, 2, 10), balance);
        Assert.True(balance.Balances);
    }

    [Fact]
    public void Records_lost_between_stages_break_the_equation_even_when_every_stage_balances()
    {
        var stages = new[]
        {
            Stage("source", StageKind.Source, 10, 10, 0, 0),
            Stage("sink", StageKind.Sink, 7, 7, 0, 0, "source"), // 3 sent, never received
        };

        Assert.False(Assert.Single(SinkBalance.Of(stages)).Balances);
    }

    [Fact]
    public void Published_is_the_sink_out_of_the_last_committed_checkpoint()
    {
        var stages = new[] { Stage("source", StageKind.Source, 10, 10, 0, 0), Stage("sink", StageKind.Sink, 10, 10, 0, 0, "source") };
        var committed = new[] { Stage("source", StageKind.Source, 4, 4, 0, 0), Stage("sink", StageKind.Sink, 4, 4, 0, 0, "source") };

        Assert.Equal(4, Assert.Single(SinkBalance.Of(stages, committed)).Published);
        Assert.Equal(0, Assert.Single(SinkBalance.Of(stages)).Published); // no checkpoint committed
    }

    [Fact]
    public void Counts_stored_without_the_graph_have_no_balances()
    {
        Assert.Empty(SinkBalance.Of([Stage("source", StageKind.Source, 1, 1, 0, 0), Stage("sink", StageKind.Sink, 1, 1, 0, 0)]));
    }
}
