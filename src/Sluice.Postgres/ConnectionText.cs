using Sluice.Extensibility;
using System.Net.Sockets;
using Npgsql;

namespace Sluice.Postgres;

/// <summary>
/// The <c>connection</c> option once its <c>${env:NAME}</c> references are resolved: an Npgsql connection string,
/// which holds a password. Nothing here ever puts the string, or the password, into a message: errors name the
/// server as <c>host:port</c>, the database and the user, and every message built from a driver's exception is
/// searched for the password and has it masked, in case a server or a driver repeated it.
/// </summary>
internal sealed class ConnectionText
{
    /// <summary>How long the check when a pipeline is built waits for the server: long enough for a server across
    /// a network, short enough that <c>sluice validate</c> against a wrong host answers quickly.</summary>
    public static readonly TimeSpan CheckTimeout = TimeSpan.FromSeconds(5);

    private readonly NpgsqlConnectionStringBuilder _builder;

    private ConnectionText(NpgsqlConnectionStringBuilder builder) => _builder = builder;

    /// <summary>Parses a connection string; null with <paramref name="problem"/> set when Npgsql refuses it. The
    /// problem never quotes the string (a password is in it).</summary>
    public static ConnectionText? TryParse(string text, out string? problem)
    {
        problem = null;
        NpgsqlConnectionStringBuilder builder;
        try
        {
            builder = new NpgsqlConnectionStringBuilder(text);
        }
        catch (Exception e) when (e is ArgumentException or FormatException or InvalidCastException or OverflowException)
        {
            // Npgsql names the keyword it did not take, not the value; masked all the same.
            problem = $"not an Npgsql connection string (Host=…;Port=…;Database=…;Username=…;Password=…): {Mask(e.Message, text)}";
            return null;
        }
        if (string.IsNullOrWhiteSpace(builder.Host))
        {
            problem = "the connection string names no Host (write Host=…;Database=…;Username=…;Password=…)";
            return null;
        }
        builder.ApplicationName ??= "sluice";
        return new ConnectionText(builder);
    }

    /// <summary>This connection with a session setting added to its <c>Options</c> (<c>-c name=value</c>), after any
    /// the string has, so that it wins.</summary>
    public ConnectionText WithSessionSetting(string name, string value)
    {
        var builder = new NpgsqlConnectionStringBuilder(_builder.ConnectionString);
        builder.Options = $"{builder.Options} -c {name}={value}".Trim();
        return new ConnectionText(builder);
    }

    /// <summary>Where the server is, for messages: <c>host:port</c> (several hosts as Npgsql lists them).</summary>
    public string Endpoint => $"{_builder.Host}:{_builder.Port}";

    public string? Database => _builder.Database;

    /// <summary>The dataset <paramref name="table"/> is in OpenLineage's naming: <c>postgres://host:port</c> and
    /// <c>database.schema.table</c>, the parts unquoted. Never the user or the password. Without a Database the server
    /// takes the user's name, and so does this.</summary>
    public LineageDataset Dataset(string table) =>
        LineageDataset.ForService("postgres", _builder.Host!, _builder.Port, $"{_builder.Database ?? _builder.Username}.{table}");

    public string? User => _builder.Username;

    /// <summary>The connection string for the run: as written, with <c>Application Name=sluice</c> when it had none.</summary>
    public string ForRun => _builder.ConnectionString;

    /// <summary>The connection string for the check when the pipeline is built: one unpooled connection that gives up
    /// after <see cref="CheckTimeout"/>, unless the string asks for less.</summary>
    public string ForCheck
    {
        get
        {
            var check = new NpgsqlConnectionStringBuilder(_builder.ConnectionString) { Pooling = false };
            int seconds = (int)CheckTimeout.TotalSeconds;
            check.Timeout = check.Timeout is > 0 and var t && t < seconds ? t : seconds;
            check.CommandTimeout = check.CommandTimeout is > 0 and var c && c < 2 * seconds ? c : 2 * seconds;
            return check.ConnectionString;
        }
    }

    /// <summary>One line saying what went wrong talking to the server, without the password.</summary>
    public string Describe(Exception e)
    {
        string where = $"PostgreSQL at {Endpoint}";
        string message = e switch
        {
            PostgresException { SqlState: PostgresErrorCodes.InvalidPassword or PostgresErrorCodes.InvalidAuthorizationSpecification } p =>
                $"cannot log in to {where} as '{User}': {p.MessageText} (check Username and Password)",
            PostgresException { SqlState: PostgresErrorCodes.InvalidCatalogName } p =>
                $"cannot connect to {where}: {p.MessageText} (check Database, or create it)",
            PostgresException p => $"{where}: {p.MessageText}{(p.Where is { Length: > 0 } w ? $" ({OneLine(w)})" : "")} [SQLSTATE {p.SqlState}]",
            _ when Find<SocketException>(e) is { } s => $"cannot connect to {where}: {s.Message} (check Host and Port, and that the server is running)",
            _ when Find<TimeoutException>(e) is not null || e is NpgsqlException { InnerException: TimeoutException } =>
                $"cannot connect to {where}: no answer within the connection's timeout (check Host and Port, and any firewall)",
            NpgsqlException n => $"{where}: {n.Message}",
            _ => $"{where}: {e.Message}",
        };
        return Mask(OneLine(message), _builder.Password);
    }

    /// <summary>Whether <paramref name="e"/> is a failure worth trying again: the server or the network, not the
    /// statement (a broken connection, a restart, a timeout).</summary>
    public static bool IsTransient(Exception e) =>
        e is NpgsqlException { IsTransient: true } || Find<SocketException>(e) is not null || Find<TimeoutException>(e) is not null
        || (e is NpgsqlException && Find<IOException>(e) is not null)
        // A restart or failover: the server ended the session (57P01 admin_shutdown, 57P02, 57P03 cannot_connect_now),
        // or the connection broke (class 08); a pooled connection from before it fails once with these.
        || e is PostgresException { SqlState: ['5', '7', 'P', ..] or ['0', '8', ..] };

    /// <summary>A server that ends the session itself (a restart or failover: 57P01 admin_shutdown, 57P03, 08…) says
    /// so in a PostgresException rather than with a broken socket: passed on as the I/O failure it is, so that
    /// <c>retry.on</c> and <c>run --follow</c> treat it like a dropped connection, as they do when the socket breaks.
    /// Used by the source and the sink alike.</summary>
    public static Exception ConnectionEnded(Exception e) =>
        e is PostgresException && IsTransient(e) ? new IOException("the server ended the connection", e) : e;

    private static T? Find<T>(Exception e) where T : Exception
    {
        for (Exception? current = e; current is not null; current = current.InnerException)
        {
            if (current is T found)
            {
                return found;
            }
        }
        return null;
    }

    /// <summary><paramref name="message"/> with every occurrence of <paramref name="secret"/> replaced by ***.</summary>
    public static string Mask(string message, string? secret) =>
        string.IsNullOrEmpty(secret) ? message : message.Replace(secret, "***", StringComparison.Ordinal);

    private static string OneLine(string text) => text.ReplaceLineEndings(" ").Trim();
}
