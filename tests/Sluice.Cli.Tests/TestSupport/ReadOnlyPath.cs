using System.Diagnostics;
using System.Runtime.Versioning;

namespace Sluice.Cli.Tests.TestSupport;

/// <summary>
/// Makes a file or folder read-only for this process, for real, until disposed. chmod does not stop root, and tests
/// may run as root (CI containers): as root this sets the immutable attribute (<c>chattr +i</c>, which stops root
/// too); otherwise it takes the write permission away. Either way the constructor proves that a write now fails, so
/// a test can never pass on a path that was writable after all.
/// </summary>
[UnsupportedOSPlatform("windows")]
public sealed class ReadOnlyPath : IDisposable
{
    private readonly string _path;
    private readonly UnixFileMode _mode;

    public ReadOnlyPath(string path)
    {
        _path = path;
        _mode = File.GetUnixFileMode(path);
        if (Environment.IsPrivilegedProcess)
            Chattr("+i");
        else
            File.SetUnixFileMode(path, _mode & ~(UnixFileMode.UserWrite | UnixFileMode.GroupWrite | UnixFileMode.OtherWrite));
        if (CanWrite())
        {
            Dispose();
            throw new InvalidOperationException($"could not make {path} read-only here (chattr +i unsupported by this file system?)");
        }
    }

    public void Dispose()
    {
        if (Environment.IsPrivilegedProcess)
            Chattr("-i");
        else
            File.SetUnixFileMode(_path, _mode);
    }

    private bool CanWrite()
    {
        try
        {
            if (Directory.Exists(_path))
            {
                string probe = Path.Combine(_path, ".write-probe");
                File.WriteAllText(probe, "");
                File.Delete(probe);
            }
            else
            {
                using var stream = new FileStream(_path, FileMode.Open, FileAccess.Write);
            }
            return true;
        }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException)
        {
            return false;
        }
    }

    private void Chattr(string flag)
    {
        using var chattr = Process.Start(new ProcessStartInfo("chattr", [flag, _path]) { RedirectStandardError = true })!;
        string error = chattr.StandardError.ReadToEnd();
        chattr.WaitForExit();
        if (chattr.ExitCode != 0)
            throw new InvalidOperationException($"chattr {flag} {_path} failed: {error}");
    }
}
