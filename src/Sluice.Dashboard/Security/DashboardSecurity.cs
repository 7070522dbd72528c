using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http;

namespace Sluice.Dashboard.Security;

/// <summary>Who a request comes from: a bearer token, the login cookie, or — with no authentication configured — the
/// local user, for loopback requests only.</summary>
/// <param name="verify">Checks a password against a hash (<see cref="DashboardPasswords.Verify"/>; a test counts the calls).</param>
internal sealed class DashboardSecurity(SluiceDashboardOptions options, IDataProtectionProvider protection, string cookiePath,
    Func<string, string, bool>? verify = null)
{
    private readonly Func<string, string, bool> _verify = verify ?? DashboardPasswords.Verify;

    public const string CookieName = "sluice_dashboard";
    private static readonly TimeSpan CookieLifetime = TimeSpan.FromHours(12);
    private const string TokenUser = "token";

    // Time-limited: a stolen cookie stops working after CookieLifetime even if never logged out.
    private readonly ITimeLimitedDataProtector _cookies =
        protection.CreateProtector("Sluice.Dashboard.Login").ToTimeLimitedDataProtector();

    public bool RequiresLogin => options.RequiresLogin;

    /// <summary>Without authentication the dashboard is the local user's: a request from another machine, or one
    /// whose Host is not a loopback name (a DNS-rebinding page that points its own name at 127.0.0.1), is refused.
    /// A connection without an address (in-process test server, Unix socket) is local. A request a proxy forwarded is
    /// not: a reverse proxy on this machine connects from loopback (often with Host 127.0.0.1) whoever its client is.</summary>
    public static bool IsLocal(HttpContext context)
    {
        var remote = context.Connection.RemoteIpAddress;
        if (remote is not null && !IPAddress.IsLoopback(remote))
            return false;
        if (context.Request.Headers.ContainsKey("X-Forwarded-For") || context.Request.Headers.ContainsKey("Forwarded"))
            return false;
        string host = context.Request.Host.Host;
        return host is "localhost" or "127.0.0.1" or "[::1]" or "::1" || (IPAddress.TryParse(host, out var ip) && IPAddress.IsLoopback(ip));
    }

    public DashboardPrincipal? Authenticate(HttpContext context)
    {
        if (!RequiresLogin)
            return IsLocal(context) ? new DashboardPrincipal("local", DashboardRole.Write) : null;
        string? authorization = context.Request.Headers.Authorization.FirstOrDefault();
        if (authorization is not null && authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
            return IsToken(authorization["Bearer ".Length..].Trim()) ? new DashboardPrincipal(TokenUser, DashboardRole.Write, ViaToken: true) : null;
        if (context.Request.Cookies[CookieName] is { } cookie)
            return FromCookie(cookie);
        return null;
    }

    /// <summary>The principal for a login form's token, or user and password; null when they do not match.</summary>
    public DashboardPrincipal? Login(string? token, string? user, string? password)
    {
        // Trimmed as the bearer header's is and as the token file is read: a token pasted with its file's newline
        // (or a stray space) is the token.
        if (!string.IsNullOrWhiteSpace(token))
            return IsToken(token.Trim()) ? new DashboardPrincipal(TokenUser, DashboardRole.Write, ViaToken: true) : null;
        if (string.IsNullOrEmpty(user) || string.IsNullOrEmpty(password))
            return null;
        var found = options.Users.FirstOrDefault(u => u.Name == user);
        // An unknown name costs a hash as a known one does (another user's, its result thrown away): answering it at
        // once, without PBKDF2's 600,000 rounds, told by the time alone which names exist.
        bool verified = options.Users.Count > 0 && _verify(password, (found ?? options.Users[0]).PasswordHash);
        return found is not null && verified ? new DashboardPrincipal(found.Name, found.Role) : null;
    }

    public void SignIn(HttpContext context, DashboardPrincipal principal)
    {
        // The kind first, so a user who happens to be called "token" is never taken for the token's holder.
        string value = _cookies.Protect(principal.ViaToken ? "token\n" : $"user\n{principal.Name}", CookieLifetime);
        context.Response.Cookies.Append(CookieName, value, new CookieOptions
        {
            HttpOnly = true,
            SameSite = SameSiteMode.Strict,
            Secure = context.Request.IsHttps,
            Path = cookiePath,
            MaxAge = CookieLifetime,
            IsEssential = true,
        });
    }

    public void SignOut(HttpContext context) =>
        context.Response.Cookies.Delete(CookieName, new CookieOptions { Path = cookiePath, SameSite = SameSiteMode.Strict, HttpOnly = true });

    // The configured token is trimmed too: one read from a file or a secret store with its newline could never match.
    private bool IsToken(string given) =>
        options.Token is { } token
        && CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(given)), SHA256.HashData(Encoding.UTF8.GetBytes(token.Trim())));

    /// <summary>The cookie's user as it is now: a user removed from the file, or given another role, since the login
    /// is not let in with the old one.</summary>
    private DashboardPrincipal? FromCookie(string cookie)
    {
        string payload;
        try
        {
            payload = _cookies.Unprotect(cookie);
        }
        catch (CryptographicException)
        {
            return null;
        }
        string[] parts = payload.Split('\n');
        if (parts.Length != 2)
            return null;
        if (parts[0] == "token")
            return options.Token is null ? null : new DashboardPrincipal(TokenUser, DashboardRole.Write, ViaToken: true);
        var user = options.Users.FirstOrDefault(u => u.Name == parts[1]);
        return user is null ? null : new DashboardPrincipal(user.Name, user.Role);
    }
}
