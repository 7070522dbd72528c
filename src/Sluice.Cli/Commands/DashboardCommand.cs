using Sluice.Cli.Telemetry;
using System.CommandLine;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.DataProtection;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Sluice.Cli.Plugins;
using Sluice.Dashboard;

namespace Sluice.Cli.Commands;

/// <summary><c>sluice dashboard</c>: the web dashboard over a state file, on loopback unless authentication is
/// configured; and <c>sluice dashboard hash-password</c> for its users file.</summary>
internal static class DashboardCommand
{
    public const string TokenVariable = "SLUICE_DASHBOARD_TOKEN";
    public const int DefaultPort = 5080;

    public static Command Create(CliContext context)
    {
        var state = CommonOptions.State();
        var port = new Option<int>("--port")
        {
            Description = $"The port to listen on; 0 for a free one (the URL is printed). Default: {DefaultPort}.",
            HelpName = "N",
            DefaultValueFactory = _ => DefaultPort,
            CustomParser = result => CommonOptions.WholeNumber(result, "--port", "a TCP port", min: 0, max: 65535) is { } n ? (int)n : 0,
        };
        var address = new Option<string>("--address")
        {
            Description = "The address to listen on. Default: 127.0.0.1. Any address but loopback needs --token-file, $" + TokenVariable + " or --users.",
            HelpName = "IP",
            DefaultValueFactory = _ => "127.0.0.1",
        };
        var pipelines = new Option<string[]>("--pipeline")
        {
            Description = "A pipeline file (YAML) the dashboard may replay dead letters through; repeat for several.",
            HelpName = "FILE",
            AllowMultipleArgumentsPerToken = false,
        };
        var tokenFile = new Option<string?>("--token-file")
        {
            Description = $"A file holding the bearer token that grants read and write (or set ${TokenVariable}).",
            HelpName = "FILE",
        };
        var users = new Option<string?>("--users")
        {
            Description = "A users file: one name:role:hash a line, role read or write, hash from `sluice dashboard hash-password`.",
            HelpName = "FILE",
        };
        var command = new Command("dashboard",
            "Serve the web dashboard over the state file: runs, flow runs, dead letters (replay, purge), charts, and a JSON API under /api.")
        {
            state, port, address, pipelines, tokenFile, users, HashPassword(context),
        };
        command.SetAction((parsed, ct) => context.GuardAsync(() => ServeAsync(context, new Settings(
            parsed.GetValue(state), parsed.GetValue(port), parsed.GetValue(address)!, parsed.GetValue(pipelines) ?? [],
            parsed.GetValue(tokenFile), parsed.GetValue(users)), ct), ct));
        return command;
    }

    private sealed record Settings(string? State, int Port, string Address, string[] Pipelines, string? TokenFile, string? Users);

    private static Command HashPassword(CliContext context)
    {
        var command = new Command("hash-password",
            "Read a password from stdin (one line) and print its hash for a users file line name:role:HASH (PBKDF2-SHA256, 600,000 iterations).");
        command.SetAction((_, ct) => context.GuardAsync(() =>
        {
            string? password = Console.In.ReadLine();
            if (string.IsNullOrEmpty(password))
                return Task.FromResult(context.Error("give the password on stdin, one line: echo \"$PASSWORD\" | sluice dashboard hash-password", ExitCodes.Invalid));
            context.Stdout.WriteLine(DashboardPasswords.Hash(password));
            return Task.FromResult(ExitCodes.Ok);
        }, ct));
        return command;
    }

    private static async Task<int> ServeAsync(CliContext context, Settings settings, CancellationToken ct)
    {
        if (!TryAddress(settings.Address, out IPAddress? ip))
            return context.Error($"--address takes an IP address such as 127.0.0.1 or 0.0.0.0, not '{settings.Address}'", ExitCodes.Invalid);
        var options = new SluiceDashboardOptions { StatePath = context.StatePath = StatePaths.ForQueries(settings.State), PathPrefix = "" };
        // A missing file is fine (the pages say so until a pipeline runs), a folder is a wrong path.
        if (Directory.Exists(options.StatePath))
            throw Sluice.State.Sqlite.SqliteStateErrors.Folder(options.StatePath);
        if (ReadToken(context, settings.TokenFile, out string? token) is { } tokenError)
            return tokenError;
        options.Token = token;
        if (settings.Users is { } usersFile)
        {
            if (!File.Exists(usersFile))
                return context.Error($"no such users file: {usersFile}", ExitCodes.Invalid);
            try
            {
                foreach (var user in DashboardUsersFile.Read(usersFile))
                    options.Users.Add(user);
            }
            catch (FormatException e)
            {
                return context.Error(e.Message, ExitCodes.Invalid);
            }
        }
        if (!IPAddress.IsLoopback(ip!) && !options.RequiresLogin)
        {
            return context.Error($"--address {settings.Address} is not loopback: the dashboard would be open to the network without authentication; " +
                $"give --token-file FILE, ${TokenVariable} or --users FILE", ExitCodes.Invalid);
        }
        if (settings.Pipelines.FirstOrDefault(f => !File.Exists(f)) is { } missing)
            return context.Error($"no such pipeline file: {missing} (--pipeline takes a pipeline's YAML file)", ExitCodes.Invalid);
        foreach (string file in settings.Pipelines)
            options.PipelineFiles.Add(file);
        options.LoadPipeline = file => PipelineFile.Parse(file, PluginLoader.ForPipeline(file));

        var builder = CommandWebServer.CreateBuilder(ip!, settings.Port);
        builder.Services.AddAntiforgery();
        // Keys live in memory: a restart logs everyone out and expires open forms, and nothing is written to disk.
        builder.Services.AddDataProtection().UseEphemeralDataProtectionProvider();
        await using var app = builder.Build();
        app.MapSluiceDashboard(options);
        MapMetrics(app, options);
        string url = await CommandWebServer.StartAsync(app, "the dashboard", ip!, settings.Port, ct);
        string missingState = File.Exists(options.StatePath) ? "" : " (no state file there yet: the pages say so until a pipeline runs with it)";
        context.Stdout.WriteLine($"dashboard at {url}/ on {options.StatePath}{missingState}; Ctrl-C stops it");
        context.Stdout.Flush();
        try
        {
            await Task.Delay(Timeout.Infinite, ct);
        }
        catch (OperationCanceledException)
        {
        }
        await app.StopAsync(CancellationToken.None);
        return ExitCodes.Ok;
    }

    /// <summary><c>/metrics</c> (of the replays started from the pages) sits outside the dashboard's pages and their
    /// login. Where the dashboard needs none (loopback) it is open; with a token a scraper must send it as a bearer
    /// (Prometheus' <c>authorization</c>); with users only it is not served: a scraper cannot fill a login form.</summary>
    private static void MapMetrics(WebApplication app, SluiceDashboardOptions options)
    {
        if (!options.RequiresLogin)
        {
            app.MapSluiceMetrics();
            return;
        }
        if (options.Token is not { } token)
            return;
        byte[] expected = SHA256.HashData(Encoding.UTF8.GetBytes(token));
        app.MapSluiceMetrics().Add(endpoint =>
        {
            var serve = endpoint.RequestDelegate!;
            endpoint.RequestDelegate = http =>
            {
                string? given = http.Request.Headers.Authorization.FirstOrDefault() is { } header && header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
                    ? header["Bearer ".Length..].Trim() : null;
                if (given is not null && CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(given)), expected))
                    return serve(http);
                http.Response.StatusCode = StatusCodes.Status401Unauthorized;
                http.Response.Headers.WWWAuthenticate = "Bearer";
                return Task.CompletedTask;
            };
        });
    }

    private static bool TryAddress(string text, out IPAddress? ip)
    {
        ip = text == "localhost" ? IPAddress.Loopback : IPAddress.TryParse(text, out var parsed) ? parsed : null;
        return ip is not null;
    }

    /// <summary>The token from --token-file, else $SLUICE_DASHBOARD_TOKEN, else none; an error exit code when the file
    /// is missing or the token empty (an empty token would let anyone in who sends "Bearer ").</summary>
    private static int? ReadToken(CliContext context, string? file, out string? token)
    {
        token = null;
        if (file is not null)
        {
            if (!File.Exists(file))
                return context.Error($"no such token file: {file}", ExitCodes.Invalid);
            token = File.ReadAllText(file).Trim();
            if (token.Length == 0)
                return context.Error($"token file {file} is empty", ExitCodes.Invalid);
            return null;
        }
        token = Environment.GetEnvironmentVariable(TokenVariable) is { } t && t.Trim() is { Length: > 0 } trimmed ? trimmed : null;
        return null;
    }
}
