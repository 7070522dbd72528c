namespace Sluice.Connectors.Files;

/// <summary>A committed checkpoint names a part file that is neither in progress nor published: its data is gone
/// (deleted by hand, most likely). Resuming cannot be exactly once then; <c>--fresh</c> goes on without it.</summary>
internal sealed class PreparedOutputLostException(string message) : IOException(message);
