using CsCheck;
using Sluice.Contracts;

namespace Sluice.Tests.Contracts;

public class ShortValueVerdictsTests
{
    [Fact]
    public void Behaves_like_a_dictionary_until_full_and_then_keeps_what_it_has()
    {
        Gen.Select(Gen.ULong[0, 300], Gen.Bool).Array[0, 400].Sample(entries =>
        {
            var table = new ShortValueVerdicts(capacity: 100);
            var reference = new Dictionary<ulong, bool>();
            foreach (var (key, verdict) in entries)
            {
                table.TryAdd(key, verdict);
                if (reference.Count < 100 || reference.ContainsKey(key))
                {
                    reference.TryAdd(key, verdict);
                }
            }
            for (ulong key = 0; key <= 300; key++)
            {
                bool found = table.TryGet(key, out bool verdict);
                Assert.Equal(reference.TryGetValue(key, out bool expected), found);
                Assert.Equal(expected, found && verdict);
            }
        });
    }
}
