namespace Sluice.Dashboard;

/// <summary>Someone who logs in to the dashboard with a password.</summary>
/// <param name="Name">The login name.</param>
/// <param name="Role">What they may do.</param>
/// <param name="PasswordHash">The password as <see cref="DashboardPasswords.Hash(string)"/> made it (never the password).</param>
public sealed record DashboardUser(string Name, DashboardRole Role, string PasswordHash);

/// <summary>What a dashboard user may do.</summary>
public enum DashboardRole
{
    /// <summary>See every page and read the API.</summary>
    Read,

    /// <summary>Also replay and purge dead letters.</summary>
    Write,
}
