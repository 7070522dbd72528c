using System.Globalization;
using System.Text;
using CsCheck;
using Sluice.Contracts;

namespace Sluice.Tests.Contracts;

public class TextValuesPropertyTests
{
    [Fact]
    public void Int64_text_parses_back_to_the_same_value() =>
        Gen.Long.Sample(v =>
            TextValues.TryParseInt64(Encoding.ASCII.GetBytes(v.ToString(CultureInfo.InvariantCulture)), out long parsed) && parsed == v);

    [Fact]
    public void Decimal_text_parses_back_to_the_same_unscaled_value() =>
        Gen.Select(Gen.Long[-999_999_999_999_999_999, 999_999_999_999_999_999], Gen.Int[0, 9]).Sample((unscaled, scale) =>
        {
            string text = ((decimal)unscaled / (decimal)Math.Pow(10, scale)).ToString(CultureInfo.InvariantCulture);
            return TextValues.TryParseDecimal(Encoding.ASCII.GetBytes(text), 9, out Int128 parsed, out _)
                && parsed == (Int128)unscaled * TextValues.Pow10[9 - scale];
        });

    [Fact]
    public void Date_text_parses_back_to_the_same_day() =>
        Gen.Int[DateOnly.MinValue.DayNumber, DateOnly.MaxValue.DayNumber].Sample(dayNumber =>
        {
            var date = DateOnly.FromDayNumber(dayNumber);
            return TextValues.TryParseDate(Encoding.ASCII.GetBytes(date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)), out int days)
                && days == TextValues.DaysOf(date);
        });

    [Fact]
    public void Timestamp_text_with_an_offset_parses_back_to_the_same_instant() =>
        Gen.Select(Gen.Long[0, DateTime.MaxValue.Ticks / 10 - 2 * 86_400_000_000L], Gen.Int[-14 * 60, 14 * 60]).Sample((micros, offset) =>
        {
            var instant = new DateTimeOffset(DateTime.MinValue.AddTicks(micros * 10 + TimeSpan.TicksPerDay), TimeSpan.Zero);
            string text = instant.ToOffset(TimeSpan.FromMinutes(offset)).ToString("yyyy-MM-dd'T'HH:mm:ss.ffffffzzz", CultureInfo.InvariantCulture);
            return TextValues.TryParseTimestamp(Encoding.ASCII.GetBytes(text), out long parsed) && parsed == TextValues.MicrosOf(instant);
        });

    [Fact]
    public void Random_text_never_throws() =>
        Gen.OneOf(Gen.String, Gen.String["0123456789+-.:TZ ez"]).Sample(text =>
        {
            byte[] bytes = Encoding.UTF8.GetBytes(text);
            TextValues.TryParseBool(bytes, out _);
            TextValues.TryParseInt64(bytes, out _);
            TextValues.TryParseFloat64(bytes, out _);
            TextValues.TryParseDecimal(bytes, 4, out _, out _);
            TextValues.TryParseDate(bytes, out _);
            TextValues.TryParseTimestamp(bytes, out _);
            TextValues.TryParseDateExact(bytes, "yyyy/MM/dd", out _);
            TextValues.TryParseTimestampExact(bytes, "yyyy/MM/dd HH:mm", out _);
        });

    [Fact]
    public void Int64_parsing_agrees_with_the_framework_on_digit_soup()
    {
        Gen.String[Gen.Char["0123456789+- x"], 0, 22].Sample(text =>
        {
            var bytes = Encoding.ASCII.GetBytes(text);
            bool expected = long.TryParse(bytes, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long reference);
            Assert.Equal(expected, TextValues.TryParseInt64(bytes, out long parsed));
            Assert.Equal(expected ? reference : 0, expected ? parsed : 0);
        });
    }
}
