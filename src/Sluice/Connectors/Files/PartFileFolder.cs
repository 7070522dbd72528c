using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Sluice.Connectors.Files;

/// <summary>Makes a folder's entries (new names after a rename) durable.</summary>
internal static partial class PartFileFolder
{
    /// <summary>
    /// fsyncs <paramref name="folder"/> on Linux and macOS. .NET refuses to open a directory
    /// (<c>File.OpenHandle</c> throws <see cref="UnauthorizedAccessException"/>), so the folder is opened with libc's
    /// <c>open(path, O_RDONLY)</c> and flushed through <see cref="RandomAccess.FlushToDisk"/> (which calls fsync).
    /// Windows has no directory fsync and NTFS journals renames, so there is nothing to do there.
    /// </summary>
    public static void FlushToDisk(string folder)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }
        int fd = Open(folder, 0);
        if (fd < 0)
        {
            throw new IOException($"cannot open folder {folder} to fsync it (errno {Marshal.GetLastPInvokeError()})");
        }
        using var handle = new SafeFileHandle(fd, ownsHandle: true);
        RandomAccess.FlushToDisk(handle);
    }

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);
}
