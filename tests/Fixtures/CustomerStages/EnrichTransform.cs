using Apache.Arrow;
using Apache.Arrow.Types;
using CustomerTiers;
using Sluice;
using Sluice.Extensibility;

namespace CustomerStages;

/// <summary>What <c>enrich_customers</c> becomes: checks its column against the input when the pipeline is built, and
/// says where its columns come from, for column lineage.</summary>
public sealed class EnrichTransformOptions(EnrichOptions options) : ITransformOptions, IColumnLineage
{
    /// <summary>Every input column copied; the tier computed from the customer column.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<ColumnSource>> Origins(Schema input, Schema output) =>
        new Dictionary<string, IReadOnlyList<ColumnSource>>(ColumnOrigins.ByName(input, output))
        {
            [options.Column] = [new ColumnSource(options.CustomerColumn, Computed: true)],
        };

    public ITransform CreateTransform(Schema input, BuildContext context)
    {
        int index = input.GetFieldIndex(options.CustomerColumn);
        if (index < 0 || input.GetFieldByIndex(index).DataType is not StringType)
        {
            throw new PipelineException(null, $"enrich_customers: customer_column '{options.CustomerColumn}' must name a string column");
        }
        var output = new Schema([.. input.FieldsList, new Field(options.Column, StringType.Default, nullable: false)], input.Metadata);
        var table = new TierTable(options.Tiers, options.DefaultTier.ToString().ToLowerInvariant());
        return new EnrichTransform(output, index, table);
    }
}

/// <summary>Adds one string column, a batch at a time; never drops or rejects a record.</summary>
internal sealed class EnrichTransform(Schema output, int customerColumn, TierTable table) : ITransform
{
    public Schema OutputSchema => output;

    public Batch? Apply(Batch input, StageContext context)
    {
        var customers = (StringArray)input.Data.Column(customerColumn);
        var tiers = new StringArray.Builder();
        for (int row = 0; row < input.Length; row++)
        {
            tiers.Append(table.TierOf(customers.GetString(row)));
        }
        var columns = Enumerable.Range(0, input.Data.ColumnCount).Select(input.Data.Column).Append(tiers.Build());
        return input.WithData(new RecordBatch(output, columns, input.Length));
    }
}
