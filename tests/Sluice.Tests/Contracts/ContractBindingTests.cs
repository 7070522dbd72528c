using Sluice.Configuration;
using Sluice.Contracts;
using Sluice.Pipelines;
using Sluice.Records;

namespace Sluice.Tests.Contracts;

public class ContractBindingTests
{
    private static SourceLocation At(int line, int column) => new("p.yaml", line, column);

    private static KeyValuePair<string, ConfigNode> Key(string key, ConfigNode value) => new(key, value);

    private static ConfigNode Scalar(string text, int line, int column = 5) => ConfigNode.Scalar(At(line, column), text);

    private static ConfigNode Field(int line, params (string Key, ConfigNode Value)[] entries) =>
        ConfigNode.Map(At(line, 5), entries.Select(e => Key(e.Key, e.Value)).ToList());

    private static ConfigNode Contract(params (string Name, ConfigNode Spec)[] fields) =>
        ConfigNode.Map(At(1, 1), [Key("fields", ConfigNode.Map(At(2, 3), fields.Select(f => Key(f.Name, f.Spec)).ToList()))]);

    [Fact]
    public void Binds_fields_in_order_with_typed_bounds()
    {
        var node = ConfigNode.Map(At(1, 1), [
            Key("fields", ConfigNode.Map(At(2, 3), [
                Key("delay", Field(3, ("type", Scalar("int64", 3)), ("min", Scalar("-120", 3)), ("max", Scalar("3000", 3)))),
                Key("origin", Field(4, ("type", Scalar("string", 4)), ("required", Scalar("true", 4)), ("pattern", Scalar("^[A-Z]{3}$", 4)),
                    ("max_length", Scalar("3", 4)))),
                Key("price", Field(5, ("type", Scalar("decimal", 5)), ("scale", Scalar("2", 5)), ("max", Scalar("99.99", 5)))),
                Key("day", Field(6, ("type", Scalar("date", 6)), ("format", Scalar("dd/MM/yyyy", 6)), ("min", Scalar("2020-01-01", 6)))),
                Key("at", Field(7, ("type", Scalar("timestamp", 7)), ("max", Scalar("2030-01-01T00:00:00Z", 7)))),
                Key("class", Field(8, ("type", Scalar("string", 8)), ("enum", ConfigNode.List(At(8, 20), [Scalar("economy", 8), Scalar("first", 8)])))),
            ])),
            Key("unknown_fields", Scalar("keep", 9)),
        ]);
        var options = (ContractOptions)ContractOptions.Spec.Bind(node);
        Assert.Equal(StageKind.Contract, ((IStageOptions)options).Kind);
        Assert.Equal(UnknownFields.Keep, options.UnknownFields);
        Assert.Equal(["delay", "origin", "price", "day", "at", "class"], options.Fields.Select(f => f.Name));
        var delay = options.Fields[0];
        Assert.Equal((FieldType.Int64, -120L, 3000L), (delay.Type, delay.Min!.Value.Value, delay.Max!.Value.Value));
        var origin = options.Fields[1];
        Assert.True(origin.Required);
        Assert.Equal("^[A-Z]{3}$", origin.Pattern!.ToString());
        Assert.Equal(3, origin.MaxLength);
        Assert.Equal((2, 99.99m), (options.Fields[2].Scale, options.Fields[2].Max!.Value.Value));
        Assert.Equal(("dd/MM/yyyy", new DateOnly(2020, 1, 1)), (options.Fields[3].Format, options.Fields[3].Min!.Value.Value));
        Assert.Equal(new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero), options.Fields[4].Max!.Value.Value);
        Assert.Equal(["economy", "first"], options.Fields[5].Enum!);
        Assert.False(options.Fields[0].Required);
    }

    [Fact]
    public void Unknown_fields_defaults_to_reject()
    {
        var options = (ContractOptions)ContractOptions.Spec.Bind(Contract(("a", Field(3, ("type", Scalar("string", 3))))));
        Assert.Equal(UnknownFields.Reject, options.UnknownFields);
    }

    [Theory]
    [InlineData("int64", "min", "1.5", "min '1.5' is not a valid int64; write it as a whole number, e.g. 3000")]
    [InlineData("date", "max", "2024-13-01", "max '2024-13-01' is not a valid date; write it as an ISO date, e.g. 2024-01-31")]
    [InlineData("string", "min", "a", "min does not apply to string fields; use max_length, pattern or enum instead")]
    [InlineData("bool", "max", "1", "max does not apply to bool fields; use enum instead")]
    [InlineData("int64", "pattern", "^a$", "pattern applies only to string fields; 'f' is int64: remove it or use min/max/enum")]
    [InlineData("date", "max_length", "3", "max_length applies only to string fields; 'f' is date: remove it")]
    [InlineData("int64", "scale", "2", "scale applies only to decimal fields; 'f' is int64: remove it or make the field a decimal")]
    [InlineData("decimal", "scale", "29", "scale must be between 0 and 28; write e.g. scale: 2")]
    [InlineData("string", "format", "yyyy", "format applies only to date and timestamp fields; 'f' is string: remove it")]
    [InlineData("string", "pattern", "([a-z", "bad regex '([a-z': Invalid pattern '([a-z' at offset 5. Unterminated [] set.")]
    public void A_rule_that_does_not_fit_the_field_is_an_error_at_its_location(string type, string key, string value, string message)
    {
        var node = Contract(("f", Field(3, ("type", Scalar(type, 3, 11)), (key, Scalar(value, 4, 12)))));
        var e = Assert.Throws<PipelineException>(() => ContractOptions.Spec.Bind(node));
        var diagnostic = Assert.Single(e.Diagnostics);
        Assert.Equal(message, diagnostic.Message);
        Assert.Equal(At(4, 12), diagnostic.Location);
    }

    [Fact]
    public void A_decimal_bound_with_more_places_than_the_scale_is_an_error()
    {
        var node = Contract(("p", Field(3, ("type", Scalar("decimal", 3)), ("scale", Scalar("1", 4)), ("min", Scalar("0.05", 5, 9)))));
        var e = Assert.Throws<PipelineException>(() => ContractOptions.Spec.Bind(node));
        Assert.Equal("p.yaml:5:9: min '0.05' is not a valid decimal(28,1); write it as a number within the field's scale, e.g. 19.99",
            Assert.Single(e.Diagnostics).ToString());
    }

    [Fact]
    public void Every_problem_is_reported_at_once()
    {
        var node = Contract(
            ("a", Field(3, ("type", Scalar("int64", 3)), ("min", Scalar("low", 4)), ("max_length", Scalar("3", 5)))),
            ("b", Field(6, ("type", Scalar("string", 6)), ("pattern", Scalar("(", 7)))),
            ("c", Field(8, ("type", Scalar("int64", 8)), ("enum", ConfigNode.List(At(9, 5), [Scalar("1", 9, 8), Scalar("two", 9, 11)])))));
        var e = Assert.Throws<PipelineException>(() => ContractOptions.Spec.Bind(node));
        Assert.Equal([4, 5, 7, 9], e.Diagnostics.Select(d => d.Location!.Line));
        Assert.Equal(At(9, 11), e.Diagnostics[3].Location);
        Assert.StartsWith("enum value 'two' is not a valid int64", e.Diagnostics[3].Message);
    }

    [Fact]
    public void The_spec_declares_every_option_with_a_description()
    {
        var spec = ContractOptions.Spec;
        Assert.Equal(("contract", StageKind.Contract), (spec.Name, spec.Kind));
        var shape = Assert.IsType<ObjectShape>(spec.Shape);
        Assert.Equal(["fields", "unknown_fields"], shape.Options.Select(o => o.Name));
        Assert.True(shape.Find("fields")!.Required);
        var field = Assert.IsType<ObjectShape>(Assert.IsType<MapShape>(shape.Find("fields")!.Shape).Value);
        Assert.Equal(["type", "required", "min", "max", "pattern", "enum", "max_length", "format", "scale"], field.Options.Select(o => o.Name));
        Assert.All(shape.Options.Concat(field.Options), o => Assert.True(o.Description.Length > 20, o.Name));
        Assert.Equal(FieldTypes.Names, ((ScalarShape)field.Find("type")!.Shape).Allowed);
    }
}
