using System.Text;

namespace Sluice.Tests.TestSupport;

/// <summary>The CSV file most engine tests read: a header <c>id</c> and one record per id.</summary>
public static class IdsCsv
{
    public static string Of(int first, int count)
    {
        var text = new StringBuilder("id\n");
        for (int id = first; id < first + count; id++)
        {
            text.Append(id).Append('\n');
        }
        return text.ToString();
    }
}
