using Sluice.Cli;

using var cancellation = new CtrlC();
return await Cli.InvokeAsync(args, Console.Out, Console.Error, interactive: !Console.IsOutputRedirected, cancellation.Token);
