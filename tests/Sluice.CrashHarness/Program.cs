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
var harness = new Harness(options, Console.Out);
return await harness.RunAsync() ? 0 : 1;
