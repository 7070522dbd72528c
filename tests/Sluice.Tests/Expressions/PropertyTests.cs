using System.Text;
using CsCheck;
using Sluice.Expressions;
using static Sluice.Tests.Expressions.Rows;

namespace Sluice.Tests.Expressions;

/// <summary>Random columns through compiled expressions must equal the same computation written in C#.</summary>
public class PropertyTests
{
    private static readonly Gen<long?> NullableLong = Gen.Frequency(
        (1, Gen.Const((long?)null)),
        (2, Gen.Long.Select(v => (long?)v)),
        (2, Gen.Long[-100, 100].Select(v => (long?)v)));

    private static readonly Gen<(long?, long?)[]> LongPairs = Gen.Select(NullableLong, NullableLong).Array[0, 300];

    private static object?[] Run(string text, Apache.Arrow.RecordBatch batch, List<RowError>? errors = null) => Eval(text, batch, errors);

    [Fact]
    public void Addition_matches_checked_CSharp_addition()
    {
        LongPairs.Sample(pairs =>
        {
            var batch = Batch(("a", Longs(pairs.Select(p => p.Item1).ToArray())), ("b", Longs(pairs.Select(p => p.Item2).ToArray())));
            var errors = new List<RowError>();
            var actual = Run("a + b", batch, errors);
            var expectedErrors = new List<int>();
            for (int i = 0; i < pairs.Length; i++)
            {
                var (a, b) = pairs[i];
                object? expected = null;
                if (a is not null && b is not null)
                {
                    try { expected = checked(a.Value + b.Value); }
                    catch (OverflowException) { expectedErrors.Add(i); }
                }
                Assert.Equal(expected, actual[i]);
            }
            Assert.Equal(expectedErrors, errors.Select(e => e.Row));
        });
    }

    [Fact]
    public void Less_than_and_null_aware_equality_match_CSharp()
    {
        LongPairs.Sample(pairs =>
        {
            var batch = Batch(("a", Longs(pairs.Select(p => p.Item1).ToArray())), ("b", Longs(pairs.Select(p => p.Item2).ToArray())));
            var less = Run("a < b", batch);
            var equalOrNull = Run("a = b OR a IS NULL", batch);
            for (int i = 0; i < pairs.Length; i++)
            {
                var (a, b) = pairs[i];
                Assert.Equal(a is null || b is null ? null : a < b, less[i]);
                // a NULL: TRUE via IS NULL. b NULL only: NULL OR FALSE = NULL.
                object? expected = a is null ? true : b is null ? null : a == b;
                Assert.Equal(expected, equalOrNull[i]);
            }
        });
    }

    private static readonly Gen<string?[]> NullableStrings = Gen.Frequency(
        (1, Gen.Const((string?)null)),
        (4, Gen.String.Select(s => (string?)s)),
        (2, Gen.String[Gen.Char.AlphaNumeric, 0, 10].Select(s => (string?)s))).Array[0, 200];

    [Fact]
    public void Lower_concat_and_length_match_CSharp()
    {
        NullableStrings.Sample(values =>
        {
            // Arrow stores UTF-8, so lone surrogates cannot round-trip; compare on what the column actually holds.
            var stored = values.Select(s => s is null ? null : Encoding.UTF8.GetString(Encoding.UTF8.GetBytes(s))).ToArray();
            var batch = Batch(("s", Strings(stored)));
            var lowered = Run("lower(s) || 'x'", batch);
            var lengths = Run("length(s)", batch);
            for (int i = 0; i < stored.Length; i++)
            {
                var s = stored[i];
                Assert.Equal(s is null ? null : s.ToLowerInvariant() + "x", lowered[i]);
                Assert.Equal(s is null ? null : (long)s.EnumerateRunes().Count(), lengths[i]);
            }
        });
    }
}
