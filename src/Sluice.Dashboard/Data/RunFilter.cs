namespace Sluice.Dashboard.Data;

/// <summary>The runs list's filters (null: any) and where its page starts.</summary>
/// <param name="Search">A run id prefix or a pipeline name prefix.</param>
/// <param name="Before">The id of the last run of the previous page: this page has the runs that started before it.</param>
internal sealed record RunFilter(string? Pipeline, string? State, string? Kind, string? Search, string? Before, int Limit)
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 500;
}
