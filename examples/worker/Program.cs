using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Sluice;
using Sluice.Hosting;

// A worker service that runs the flights pipeline every minute (Flights:Schedule, a cron expression) until it is
// stopped: Ctrl-C or SIGTERM lets the run in progress drain into a final checkpoint, and the next start resumes it.
var builder = Host.CreateApplicationBuilder(args);
// One line per entry: what journald, docker logs and the like show best.
builder.Logging.AddSimpleConsole(o => o.SingleLine = true);
// Above the longest drain and final checkpoint, so that a stop never has to cancel a run (the default is 30 s).
builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(60));

try
{
    string file = builder.Configuration["Flights:File"] ?? "../flights/pipeline.yaml";
    string schedule = builder.Configuration["Flights:Schedule"] ?? "* * * * *";
    builder.Services.AddSluice(o => o.StatePath = ".sluice/state.db")
        .AddPipeline("flights", p =>
        {
            p.File = file;
            p.Schedule = PipelineSchedule.Cron(schedule);
        });
    await builder.Build().RunAsync();
    return 0;
}
catch (Exception e) when (e is PipelineException or ArgumentException)
{
    // An invalid pipeline file (every problem with its file:line:column) or a bad schedule: the user's to fix.
    Console.Error.WriteLine("error: " + e.Message);
    return 2;
}
