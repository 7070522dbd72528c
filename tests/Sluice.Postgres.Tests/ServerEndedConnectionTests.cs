using Npgsql;
using Sluice.Postgres.Sink;
using Sluice.Postgres.Source;

namespace Sluice.Postgres.Tests;

/// <summary>A server that ends the session (a restart) fails the source or the sink with an error that retry.on and
/// run --follow treat as a dropped connection; an error in the data does not. CI once saw a restart's 57P01 end a
/// following run through the sink, and later a 57P03 ("shutting down") end one through the source.</summary>
public class ServerEndedConnectionTests
{
    [Theory]
    [InlineData("57P01", true)]  // admin_shutdown: the server is stopping
    [InlineData("57P03", true)]  // cannot_connect_now: it is starting or shutting down
    [InlineData("08006", true)]  // connection_failure
    [InlineData("23505", false)] // unique_violation: the data, not the moment
    [InlineData("22P02", false)] // invalid_text_representation
    public void Only_a_session_the_server_ended_counts_as_a_dropped_connection(string sqlState, bool transient)
    {
        var server = new PostgresException("terminating connection", "FATAL", "FATAL", sqlState);

        var sink = new PostgresSinkException("postgres sink 'sink': writing failed", ConnectionText.ConnectionEnded(server));
        var source = new PostgresSourceException("postgres source 'source': reading failed", ConnectionText.ConnectionEnded(server));

        Assert.Equal(transient, RetryOn.Default.Matches(sink));
        Assert.Equal(transient, RetryOn.Default.Matches(source));
    }
}
