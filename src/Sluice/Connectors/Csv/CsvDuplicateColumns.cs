using Sluice.Connectors;
using Sluice.Connectors.Csv;
namespace Sluice;

/// <summary>What the <c>csv</c> source does with a header that names a column twice (option <c>duplicate_columns</c>).
/// Two columns of one name would be two keys of one name in a JSON sink while a contract binds only the first.</summary>
public enum CsvDuplicateColumns
{
    /// <summary>The pipeline is refused, naming the columns and the file and line of the header.</summary>
    Fail,
    /// <summary>The second column of a name is called <c>name_2</c>, the third <c>name_3</c>, … (skipping names
    /// the header already has).</summary>
    Rename,
}
