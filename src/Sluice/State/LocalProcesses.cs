namespace Sluice.State;

/// <summary>Holder ids of leases and tag slots: <c>host:pid:random</c>, so that a holder left by a process of this
/// machine that was killed can be told from a live one and let go at once.</summary>
internal static class LocalProcesses
{
    /// <summary>A holder id for this process; two calls give two holders.</summary>
    public static string NewHolder() => $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid().ToString("N")[..8]}";

    /// <summary>True when <paramref name="holder"/> names a process of this machine that is not running. A live pid —
    /// even one reused by another program — counts as alive: then the holder's lease must expire.</summary>
    public static bool IsDead(string holder)
    {
        var parts = holder.Split(':');
        if (parts.Length != 3 || parts[0] != Environment.MachineName || !int.TryParse(parts[1], out int pid))
        {
            return false;
        }
        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(pid);
            return process.HasExited;
        }
        catch (ArgumentException)
        {
            return true; // no process has that id
        }
    }
}
