using System.Diagnostics;

namespace Sluice.ServiceFixtures;

/// <summary>
/// A private PostgreSQL server for tests: <c>initdb</c> into a fresh temp folder, <c>pg_ctl start</c> on 127.0.0.1 and
/// a free port (its unix socket inside that folder too, fsync on), with a role that logs in with a password over TCP
/// and a database it owns. The machine's own PostgreSQL service is never touched. <see cref="StopAsync"/> and
/// <see cref="StartAgainAsync"/> stop and restart it on the same port, keeping the data (outage tests);
/// <see cref="DisposeAsync"/> stops it and deletes the folder, and so does the end of the test process.
/// </summary>
/// <remarks>PostgreSQL refuses to run as root: when the tests run as root, initdb and pg_ctl run as the
/// <c>postgres</c> system user (which the Debian package creates) through <c>runuser</c>, on a folder it owns.</remarks>
public sealed class PostgresServer : IAsyncDisposable
{
    public const string NotInstalled = "PostgreSQL is not installed: apt-get install postgresql (./test.sh installs it when run as root)";

    /// <summary>The role the tests log in as, with <see cref="Password"/>; it owns <see cref="Database"/>.</summary>
    public const string User = "sluice";

    public const string Database = "sluice";

    private readonly string _bin;
    private readonly string _folder;
    private bool _running;
    private bool _disposed;

    private PostgresServer(string bin, string folder, int port, string password)
    {
        _bin = bin;
        _folder = folder;
        Port = port;
        Password = password;
        AppDomain.CurrentDomain.ProcessExit += OnProcessExit;
    }

    public string Host => "127.0.0.1";

    public int Port { get; private set; }

    /// <summary>The password of <see cref="User"/>: random per server, so a test can look for it in output.</summary>
    public string Password { get; }

    /// <summary>An Npgsql connection string for <see cref="User"/> on <see cref="Database"/>, over TCP.</summary>
    public string ConnectionString => $"Host={Host};Port={Port};Database={Database};Username={User};Password={Password}";

    private string DataFolder => Path.Combine(_folder, "data");

    private string SocketFolder => Path.Combine(_folder, "socket");

    private string LogFile => Path.Combine(_folder, "server.log");

    /// <summary>Starts a new server; throws with <see cref="NotInstalled"/> when the binaries cannot be found.</summary>
    public static async Task<PostgresServer> StartAsync()
    {
        string bin = FindBinaries() ?? throw new InvalidOperationException(NotInstalled);
        string folder = Path.Combine(Path.GetTempPath(), "sluice-pg-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(Path.Combine(folder, "socket"));
        var server = new PostgresServer(bin, folder, 0, "pw-" + Guid.NewGuid().ToString("N"));
        try
        {
            await server.InitializeAsync();
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    private async Task InitializeAsync()
    {
        if (AsRoot)
        {
            await RunAsync("chown", ["-R", "postgres:postgres", _folder], asPostgres: false);
        }
        string passwordFile = Path.Combine(_folder, "superuser-password");
        await File.WriteAllTextAsync(passwordFile, Guid.NewGuid().ToString("N"));
        if (AsRoot)
        {
            await RunAsync("chown", ["postgres:postgres", passwordFile], asPostgres: false);
        }
        // Local (socket) connections trust, so that the fixture can create the role; TCP ones need a password.
        await RunAsync(Tool("initdb"), ["-D", DataFolder, "-U", "postgres", "--pwfile", passwordFile, "-E", "UTF8", "--locale=C",
            "--auth-local=trust", "--auth-host=scram-sha-256", "--no-instructions"]);
        for (int attempt = 1; ; attempt++)
        {
            Port = FreePort.Next();
            try
            {
                await StartServerAsync();
                break;
            }
            catch (InvalidOperationException) when (attempt < 3)
            {
                // Another process took the port between FreePort and the bind: take another.
            }
        }
        await RunAsync(Tool("psql"), ["-h", SocketFolder, "-p", Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "-U", "postgres", "-d", "postgres", "-v", "ON_ERROR_STOP=1", "-q",
            "-c", $"CREATE ROLE {User} LOGIN PASSWORD '{Password}'",
            "-c", $"CREATE DATABASE {Database} OWNER {User}"]);
    }

    /// <summary>Stops the server (fast shutdown), keeping its data.</summary>
    public async Task StopAsync()
    {
        if (_running)
        {
            _running = false;
            await RunAsync(Tool("pg_ctl"), ["-D", DataFolder, "-m", "fast", "-w", "-t", "60", "stop"]);
        }
    }

    /// <summary>Starts the stopped server again on the same port, with its data.</summary>
    public async Task StartAgainAsync()
    {
        if (!_running)
        {
            await StartServerAsync();
        }
    }

    private async Task StartServerAsync()
    {
        string options = $"-c listen_addresses=127.0.0.1 -c port={Port} -k {SocketFolder} -c fsync=on";
        await RunAsync(Tool("pg_ctl"), ["-D", DataFolder, "-l", LogFile, "-o", options, "-w", "-t", "60", "start"]);
        _running = true;
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        AppDomain.CurrentDomain.ProcessExit -= OnProcessExit;
        try
        {
            await StopAsync();
        }
        finally
        {
            try { Directory.Delete(_folder, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    /// <summary>The test host exits without disposing class fixtures it did not get to: stop the server anyway
    /// (immediate shutdown: no time to lose), so that it does not outlive the tests.</summary>
    private void OnProcessExit(object? sender, EventArgs e)
    {
        if (_running && !_disposed)
        {
            _running = false;
            try
            {
                Run(Tool("pg_ctl"), ["-D", DataFolder, "-m", "immediate", "-w", "stop"], asPostgres: AsRoot).WaitForExit(10_000);
                Directory.Delete(_folder, recursive: true);
            }
            catch (Exception)
            {
                // The process is ending: nothing more can be done.
            }
        }
    }

    private static bool AsRoot => Environment.UserName == "root";

    private string Tool(string name) => Path.Combine(_bin, name);

    private Task RunAsync(string program, IReadOnlyList<string> arguments) => RunAsync(program, arguments, asPostgres: AsRoot);

    private async Task RunAsync(string program, IReadOnlyList<string> arguments, bool asPostgres)
    {
        using var process = Run(program, arguments, asPostgres);
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0)
        {
            string log = File.Exists(LogFile) ? await File.ReadAllTextAsync(LogFile) : "";
            throw new InvalidOperationException(
                $"{Path.GetFileName(program)} {string.Join(' ', arguments)} exited with {process.ExitCode}: {await output}{await error}{log}");
        }
    }

    private Process Run(string program, IReadOnlyList<string> arguments, bool asPostgres)
    {
        var start = new ProcessStartInfo(asPostgres ? "runuser" : program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = _folder,
        };
        if (asPostgres)
        {
            foreach (string prefix in (string[])["-u", "postgres", "--", program])
            {
                start.ArgumentList.Add(prefix);
            }
        }
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        // The machine's PG* settings must not steer the private server's tools.
        foreach (string name in start.Environment.Keys.Where(k => k.StartsWith("PG", StringComparison.Ordinal)).ToList())
        {
            start.Environment.Remove(name);
        }
        return Process.Start(start)!;
    }

    /// <summary>The folder holding initdb, pg_ctl, postgres and psql: one on PATH (a symlink is followed to its
    /// folder), else the newest /usr/lib/postgresql/*/bin.</summary>
    private static string? FindBinaries()
    {
        static bool Complete(string folder) => ((string[])["initdb", "pg_ctl", "postgres", "psql"]).All(t => File.Exists(Path.Combine(folder, t)));

        foreach (string folder in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var initdb = new FileInfo(Path.Combine(folder, "initdb"));
            if (initdb.Exists && (initdb.ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? initdb.FullName) is var real
                && Path.GetDirectoryName(real) is { } bin && Complete(bin))
            {
                return bin;
            }
        }
        const string installed = "/usr/lib/postgresql";
        return Directory.Exists(installed)
            ? Directory.GetDirectories(installed)
                .Select(v => Path.Combine(v, "bin"))
                .Where(Complete)
                .OrderByDescending(b => int.TryParse(Path.GetFileName(Path.GetDirectoryName(b)), out int version) ? version : 0)
                .FirstOrDefault()
            : null;
    }
}
