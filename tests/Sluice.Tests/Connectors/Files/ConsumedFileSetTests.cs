using Sluice.Connectors.Files;
using Sluice.Records;
using Sluice.State;
using Sluice.Tests.TestSupport;

namespace Sluice.Tests.Connectors.Files;

/// <summary>How a file source tells a consumed file from one that grew or changed, whatever its format.</summary>
public class ConsumedFileSetTests
{
    [Fact]
    public void A_file_whose_consumed_bytes_are_unchanged_and_that_grew_is_read_on_after_its_end_if_it_can_grow()
    {
        using var dir = new TempDir();
        string path = dir.Write("a.log", "one\ntwo\n");
        var consumed = new ConsumedFileSet([ConsumedFileSet.Identify(path, new FilePosition(path, 8, 3), canGrow: true)]);
        Assert.Equal(ConsumedState.Consumed, consumed.Check(path, canGrow: true).State);

        File.AppendAllText(path, "three\n");

        var grown = consumed.Check(path, canGrow: true);
        Assert.Equal(ConsumedState.Grown, grown.State);
        Assert.Equal(new FilePosition(path, 8, 3), grown.ResumeAfter);
        // A columnar file (Parquet) cannot grow by appending: the same bytes appended are a change.
        var columnar = new ConsumedFileSet([ConsumedFileSet.Identify(path, new FilePosition(path, 8, 3), canGrow: true)]).Check(path, canGrow: false);
        Assert.Equal(ConsumedState.Changed, columnar.State);
        Assert.Contains("cannot grow by appending", columnar.Change, StringComparison.Ordinal);
    }

    [Fact]
    public void Only_the_bytes_up_to_the_end_position_count_as_consumed()
    {
        using var dir = new TempDir();
        string path = dir.Write("a.log", "one\ntwo\nthr"); // "thr" arrived after the last record was read

        var recorded = ConsumedFileSet.Identify(path, new FilePosition(path, 8, 3), canGrow: true);

        Assert.Equal(8, recorded.Size);
        Assert.Equal(ConsumedState.Grown, new ConsumedFileSet([recorded]).Check(path, canGrow: true).State);
    }

    [Fact]
    public void A_record_without_its_end_position_cannot_be_read_on_and_an_unrecorded_path_is_not_even_opened()
    {
        using var dir = new TempDir();
        string path = dir.Write("a.log", "one\n");
        var old = ConsumedFileSet.Identify(path, new FilePosition(path, 4, 2), canGrow: true) with { EndOffset = null, EndLine = null };
        File.AppendAllText(path, "two\n");

        var check = new ConsumedFileSet([old]).Check(path, canGrow: true);

        Assert.Equal(ConsumedState.Changed, check.State);
        Assert.Contains("was not recorded", check.Change, StringComparison.Ordinal);
        Assert.Equal(ConsumedState.New, new ConsumedFileSet([old]).Check(dir.File("missing.log"), canGrow: true).State);
    }

    [Fact]
    public void A_shorter_file_or_one_whose_consumed_bytes_differ_is_changed()
    {
        using var dir = new TempDir();
        string path = dir.Write("a.log", "one\ntwo\n");
        var consumed = new ConsumedFileSet([ConsumedFileSet.Identify(path, new FilePosition(path, 8, 3), canGrow: true)]);

        File.WriteAllText(path, "one\n");
        Assert.Contains("it is shorter", consumed.Check(path, canGrow: true).Change, StringComparison.Ordinal);
        File.WriteAllText(path, "one\ntwX\nthree\n");
        Assert.Contains("its consumed bytes differ", consumed.Check(path, canGrow: true).Change, StringComparison.Ordinal);
    }
}
