using Sluice.Execution;

namespace Sluice.Extensibility;

/// <summary>
/// A source that knows how far behind its input it is, as a stream consumer does: the Sluice meter reports it as
/// <c>sluice.source.lag</c> while the source's run runs. A source implements it only when the number comes with
/// what it reads anyway (a message's metadata); a metrics collection must never wait on a server.
/// </summary>
public interface ILaggingSource : ISource
{
    /// <summary>Records in the input after the last one this source read, as of its latest read; null until it
    /// knows. Read by a metrics collection on another thread, so keep it a plain (volatile) field read.</summary>
    long? RecordsBehind { get; }
}
