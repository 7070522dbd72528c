using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Win32.SafeHandles;

namespace Sluice.Nats.Sink;

/// <summary>
/// A checkpoint's messages, staged on disk until the checkpoint commits: for each, its message id and payload, each
/// as a 4-byte little-endian length and the bytes. Written while the records arrive; <see cref="Seal"/> fsyncs it
/// (and its folder) at prepare. Reading stops, with an error, at a record cut short — which a sealed file never has.
/// </summary>
internal sealed partial class StagingFile : IDisposable
{
    private readonly FileStream _stream;

    public StagingFile(string path)
    {
        Path = path;
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        _stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.Read, 1 << 16);
    }

    public string Path { get; }

    public long Count { get; private set; }

    public void Append(string id, ReadOnlySpan<byte> payload)
    {
        byte[] idBytes = Encoding.UTF8.GetBytes(id);
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(length, idBytes.Length);
        _stream.Write(length);
        _stream.Write(idBytes);
        BinaryPrimitives.WriteInt32LittleEndian(length, payload.Length);
        _stream.Write(length);
        _stream.Write(payload);
        Count++;
    }

    /// <summary>Makes the file durable: its bytes and its name in the folder.</summary>
    public void Seal()
    {
        _stream.Flush(flushToDisk: true);
        _stream.Dispose();
        SyncFolder(System.IO.Path.GetDirectoryName(Path)!);
    }

    public void Dispose() => _stream.Dispose();

    /// <summary>The messages of a sealed file, in the order they were staged.</summary>
    public static IEnumerable<(string Id, byte[] Payload)> Read(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        var length = new byte[4];
        while (true)
        {
            int got = stream.ReadAtLeast(length, 4, throwOnEndOfStream: false);
            if (got == 0)
            {
                yield break;
            }
            string id = Encoding.UTF8.GetString(Chunk(stream, length, got, path));
            got = stream.ReadAtLeast(length, 4, throwOnEndOfStream: false);
            yield return (id, Chunk(stream, length, got, path));
        }
    }

    private static byte[] Chunk(FileStream stream, byte[] length, int got, string path)
    {
        int size = got == 4 ? BinaryPrimitives.ReadInt32LittleEndian(length) : -1;
        if (size < 0 || size > stream.Length - stream.Position)
        {
            throw new InvalidDataException($"staged messages {path} are cut short at byte {stream.Position}: the file was damaged after it was prepared");
        }
        var bytes = new byte[size];
        stream.ReadExactly(bytes);
        return bytes;
    }

    /// <summary>fsyncs the folder, so that the file's name survives a power loss. .NET refuses to open a directory,
    /// so it is opened with libc's <c>open(path, O_RDONLY)</c> (as the engine's part-file sinks do); Windows journals
    /// names and has no directory fsync.</summary>
    private static void SyncFolder(string folder)
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
