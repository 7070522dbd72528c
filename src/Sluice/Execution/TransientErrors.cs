namespace Sluice.Execution;

/// <summary>
/// Which failures are transient — worth trying again because the world may change (I/O, timeouts, networks) — as
/// opposed to permanent ones, which the same input will cause every time (bad data, a bug in a transform).
/// </summary>
public static class TransientErrors
{
    public static bool IsTransient(Exception error) => error switch
    {
        IOException or TimeoutException or System.Net.Http.HttpRequestException or System.Net.Sockets.SocketException => true,
        AggregateException { InnerExceptions.Count: > 0 } all => all.InnerExceptions.All(IsTransient),
        _ => error.InnerException is { } inner && IsTransient(inner),
    };
}
