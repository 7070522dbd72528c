using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Sluice.Dashboard;

/// <summary>
/// Password hashes for <see cref="DashboardUser"/>: PBKDF2 with HMAC-SHA256, written
/// <c>pbkdf2-sha256$ITERATIONS$SALT$HASH</c> (salt 16 bytes and hash 32 bytes, both base64). The iteration count is
/// part of the text, so a hash made with more iterations later still verifies older ones.
/// </summary>
public static class DashboardPasswords
{
    private const string Scheme = "pbkdf2-sha256";

    /// <summary>The iterations <see cref="Hash(string)"/> uses: 600,000, OWASP's figure for PBKDF2-HMAC-SHA256 (2023).</summary>
    public const int DefaultIterations = 600_000;

    /// <summary>Hashes <paramref name="password"/> with a new random salt.</summary>
    public static string Hash(string password) => Hash(password, DefaultIterations);

    internal static string Hash(string password, int iterations)
    {
        ArgumentException.ThrowIfNullOrEmpty(password);
        byte[] salt = RandomNumberGenerator.GetBytes(16);
        byte[] hash = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, iterations, HashAlgorithmName.SHA256, 32);
        return $"{Scheme}${iterations.ToString(CultureInfo.InvariantCulture)}${Convert.ToBase64String(salt)}${Convert.ToBase64String(hash)}";
    }

    /// <summary>Whether <paramref name="password"/> is the one <paramref name="hash"/> was made from; false for a
    /// hash that is not in this format. Compares in constant time.</summary>
    public static bool Verify(string password, string hash)
    {
        if (!TryParse(hash, out int iterations, out byte[] salt, out byte[] expected))
            return false;
        byte[] actual = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, iterations, HashAlgorithmName.SHA256, expected.Length);
        return CryptographicOperations.FixedTimeEquals(actual, expected);
    }

    /// <summary>Whether <paramref name="hash"/> is in the format <see cref="Hash(string)"/> writes.</summary>
    internal static bool IsWellFormed(string hash) => TryParse(hash, out _, out _, out _);

    private static bool TryParse(string hash, out int iterations, out byte[] salt, out byte[] expected)
    {
        (iterations, salt, expected) = (0, [], []);
        string[] parts = hash.Split('$');
        if (parts.Length != 4 || parts[0] != Scheme
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out iterations) || iterations < 1)
            return false;
        try
        {
            salt = Convert.FromBase64String(parts[2]);
            expected = Convert.FromBase64String(parts[3]);
        }
        catch (FormatException)
        {
            return false;
        }
        return salt.Length >= 8 && expected.Length >= 16;
    }
}
