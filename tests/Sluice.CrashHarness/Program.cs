using Sluice.CrashHarness;

HarnessOptions options;
try
{
    options = HarnessOptions.Parse(args);
}
catch (ArgumentException e)
{
    Console.Error.WriteLine(e.Message);
    return 2;
}
if (options.Services is not null)
{
    return await new Sluice.CrashHarness.Services.ServiceTrials(options, Console.Out).RunAsync() ? 0 : 1;
}
if (options.Flows)
{
    return await new Sluice.CrashHarness.Flows.FlowTrials(options, Console.Out).RunAsync() ? 0 : 1;
}
if (options.Typed)
{
    return await new TypedFlightsTrials(options, Console.Out).RunAsync() ? 0 : 1;
}
var harness = new Harness(options, Console.Out);
return await harness.RunAsync() ? 0 : 1;
