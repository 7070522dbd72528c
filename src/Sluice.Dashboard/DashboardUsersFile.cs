namespace Sluice.Dashboard;

/// <summary>Reads a users file: one user a line, <c>name:role:hash</c> (role <c>read</c> or <c>write</c>, hash from
/// <c>sluice dashboard hash-password</c>); blank lines and lines starting with <c>#</c> are skipped.</summary>
internal static class DashboardUsersFile
{
    /// <exception cref="FormatException">A line is not a user; the message names the file and line.</exception>
    public static List<DashboardUser> Read(string path)
    {
        var users = new List<DashboardUser>();
        string[] lines = File.ReadAllLines(path);
        for (int i = 0; i < lines.Length; i++)
        {
            string line = lines[i].Trim();
            if (line.Length == 0 || line.StartsWith('#'))
                continue;
            string where = $"{path}:{i + 1}";
            string[] parts = line.Split(':');
            // A line without ':' is not echoed: it may be a password pasted where its hash should be.
            if (parts.Length == 1)
                throw new FormatException($"{where}: a user is name:role:hash; this line has no ':'");
            if (parts.Length != 3 || parts[0].Length == 0)
                throw new FormatException($"{where}: a user is name:role:hash, not '{parts[0]}:…'");
            DashboardRole role = parts[1] switch
            {
                "read" => DashboardRole.Read,
                "write" => DashboardRole.Write,
                _ => throw new FormatException($"{where}: role '{parts[1]}' is not read or write"),
            };
            if (!DashboardPasswords.IsWellFormed(parts[2]))
                throw new FormatException($"{where}: the hash is not pbkdf2-sha256$ITERATIONS$SALT$HASH (make one with sluice dashboard hash-password)");
            if (users.Any(u => u.Name == parts[0]))
                throw new FormatException($"{where}: user '{parts[0]}' is listed twice");
            users.Add(new DashboardUser(parts[0], role, parts[2]));
        }
        return users;
    }
}
