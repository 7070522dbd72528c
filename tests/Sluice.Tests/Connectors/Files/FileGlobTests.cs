using Sluice.Connectors.Files;
using Sluice.Tests.TestSupport;

namespace Sluice.Tests.Connectors.Files;

public class FileGlobTests
{
    [Theory]
    [InlineData("out/*.jsonl", "/srv/out")] // the folder a file sink names its output by: the two join in lineage
    [InlineData("out/part-{a,b}.csv", "/srv/out")]
    [InlineData("in.csv", "/srv/in.csv")]
    [InlineData("out/**/*.csv", "/srv/out/**/*.csv")] // folders are matched too: the pattern is the dataset
    [InlineData("out/*/x.csv", "/srv/out/*/x.csv")]
    [InlineData("out/{a,b/c}.csv", "/srv/out/{a,b/c}.csv")]
    public void A_pattern_names_its_folder_as_a_dataset_only_when_it_matches_file_names_alone(string pattern, string expected)
    {
        Assert.Equal(expected, FileGlob.DatasetPath(pattern, "/srv"));
    }

    [Fact]
    public void Star_matches_within_one_folder_in_name_order()
    {
        using var dir = new TempDir();
        dir.Write("data/b.csv", "");
        dir.Write("data/a.csv", "");
        dir.Write("data/c.txt", "");
        dir.Write("data/sub/d.csv", "");

        var files = FileGlob.Expand("data/*.csv", dir.Path).Select(Path.GetFileName);

        Assert.Equal(["a.csv", "b.csv"], files);
    }

    [Fact]
    public void Double_star_matches_any_depth()
    {
        using var dir = new TempDir();
        dir.Write("data/a.csv", "");
        dir.Write("data/x/y/b.csv", "");

        var files = FileGlob.Expand("data/**/*.csv", dir.Path).Select(f => Path.GetRelativePath(dir.Path, f));

        Assert.Equal(["data/a.csv", "data/x/y/b.csv"], files);
    }

    [Fact]
    public void Plain_path_and_missing_folder()
    {
        using var dir = new TempDir();
        dir.Write("one.csv", "");

        Assert.Single(FileGlob.Expand("one.csv", dir.Path));
        Assert.Empty(FileGlob.Expand("two.csv", dir.Path));
        Assert.Empty(FileGlob.Expand("nowhere/*.csv", dir.Path));
    }

    [Fact]
    public void Matches_says_whether_a_path_is_one_the_pattern_names_even_when_it_is_gone()
    {
        using var dir = new TempDir();
        string In(string relative) => Path.Combine(dir.Path, relative);

        Assert.True(FileGlob.Matches("data/a-*.csv", dir.Path, In("data/a-1.csv"))); // no such file: still its name
        Assert.False(FileGlob.Matches("data/a-*.csv", dir.Path, In("data/b-1.csv")));
        Assert.False(FileGlob.Matches("data/a-*.csv", dir.Path, In("data/sub/a-1.csv")));
        Assert.False(FileGlob.Matches("data/a-*.csv", dir.Path, In("other/a-1.csv")));
        Assert.True(FileGlob.Matches("data/**/*.csv", dir.Path, In("data/x/y/b.csv")));
        Assert.True(FileGlob.Matches("one.csv", dir.Path, In("one.csv")));
        Assert.False(FileGlob.Matches("one.csv", dir.Path, In("two.csv")));
    }

    [Fact]
    public void Braces_match_any_alternative_with_wildcards_inside_and_keep_name_order()
    {
        using var dir = new TempDir();
        dir.Write("data/a.csv", "");
        dir.Write("data/b.jsonl", "");
        dir.Write("data/c.txt", "");
        dir.Write("data/2026/x.csv", "");
        dir.Write("data/2027/y.csv", "");

        var files = FileGlob.Expand("data/{*.csv,*.jsonl,2026/*}", dir.Path).Select(f => Path.GetRelativePath(dir.Path, f));

        Assert.Equal(["data/2026/x.csv", "data/a.csv", "data/b.jsonl"], files);
        Assert.True(FileGlob.Matches("data/{a,b}-?.csv", dir.Path, Path.Combine(dir.Path, "data/b-1.csv")));
        Assert.False(FileGlob.Matches("data/{a,b}-?.csv", dir.Path, Path.Combine(dir.Path, "data/c-1.csv")));
        Assert.False(FileGlob.Matches("data/{a,b}-?.csv", dir.Path, Path.Combine(dir.Path, "data/a-12.csv")));
    }

    [Fact]
    public void An_unclosed_brace_is_an_ordinary_character()
    {
        using var dir = new TempDir();
        dir.Write("data/{a.csv", "");

        Assert.Single(FileGlob.Expand("data/{*.csv", dir.Path));
    }

    [Fact]
    public void Excluded_files_are_left_out_of_the_expansion_and_do_not_match()
    {
        using var dir = new TempDir();
        dir.Write("data/a.jsonl", "");
        dir.Write("data/b.tmp.jsonl", "");
        dir.Write("data/out/part-1.jsonl", "");
        dir.Write("data/x/c.jsonl", "");
        string[] exclude = ["data/out/**", "**/*.tmp.jsonl"];

        var files = FileGlob.Expand("data/**/*.jsonl", dir.Path, exclude).Select(f => Path.GetRelativePath(dir.Path, f));

        Assert.Equal(["data/a.jsonl", "data/x/c.jsonl"], files);
        Assert.False(FileGlob.Matches("data/**/*.jsonl", dir.Path, Path.Combine(dir.Path, "data/out/part-2.jsonl"), exclude));
        Assert.True(FileGlob.Matches("data/**/*.jsonl", dir.Path, Path.Combine(dir.Path, "data/outer/part-2.jsonl"), exclude));
        Assert.Empty(FileGlob.Expand("data/a.jsonl", dir.Path, ["data/*.jsonl"]));
    }
}
