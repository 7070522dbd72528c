namespace Sluice.Dashboard.Security;

/// <summary>Who is asking: a user, the token holder, or the local user when no authentication is configured.</summary>
internal sealed record DashboardPrincipal(string Name, DashboardRole Role, bool ViaToken = false)
{
    public bool CanWrite => Role == DashboardRole.Write;
}

/// <summary>What an endpoint needs, as endpoint metadata read by <see cref="DashboardFilter"/>.</summary>
/// <param name="Anonymous">Served without a login (the login page, the stylesheet).</param>
/// <param name="Write">Needs the write role (replay, purge).</param>
/// <param name="Api">Answers JSON: refusals are 401/403 JSON, never a redirect to the login page.</param>
internal sealed record DashboardAccess(bool Anonymous = false, bool Write = false, bool Api = false);
