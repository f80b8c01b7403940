using System.IO.Compression;

namespace Alpacon.Emulator.Shell;

/// <summary>Zip archives for WebFTP: folder downloads are zips, and uploads with <c>allow_unzip</c> are extracted.</summary>
public sealed partial class VirtualFileSystem
{
    /// <summary>
    /// Zips a folder as <c>zip -r name.zip name</c> run in its parent would: entries are named
    /// <c>name/…</c>, so extracting into any directory recreates the folder there.
    /// </summary>
    public byte[] ZipFolder(string path, Account? user = null) => Zip([path], user);

    /// <summary>Zips files and folders that share a parent directory (a bulk download); entries are named relative to that parent.</summary>
    public byte[] Zip(IReadOnlyList<string> paths, Account? user = null)
    {
        using var buffer = new MemoryStream();
        using (var archive = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            lock (gate)
            {
                foreach (var path in paths)
                {
                    var full = VfsPath.Normalize(path);
                    var node = Find(full, user);
                    DemandTreeReadable(node, user, full);
                    AddToZip(archive, node, full == "/" ? "root" : VfsPath.Name(full));
                }
            }
        }
        return buffer.ToArray();
    }

    /// <summary>
    /// Extracts a zip into <paramref name="targetDirectory"/> as the user. Entries that would land outside the
    /// target ("zip slip") are refused, and bytes are counted while inflating, so a zip bomb stops at the capacity.
    /// </summary>
    /// <returns>The paths of the files written.</returns>
    public IReadOnlyList<string> Unzip(ReadOnlySpan<byte> zip, string targetDirectory, Account? user = null)
    {
        var target = VfsPath.Normalize(targetDirectory);
        var written = new List<string>();
        using var archive = new ZipArchive(new MemoryStream(zip.ToArray()), ZipArchiveMode.Read);
        foreach (var entry in archive.Entries)
        {
            var full = VfsPath.Normalize(entry.FullName.Replace('\\', '/'), target);
            if (!full.StartsWith(target == "/" ? "/" : target + "/", StringComparison.Ordinal))
                throw new VfsException(VfsError.InvalidArgument, full);
            if (entry.FullName.EndsWith('/'))
            {
                MakeDirectory(full, user, parents: true);
                continue;
            }
            WriteFile(full, Inflate(entry, full), user, createParents: true);
            written.Add(full);
        }
        return written;
    }

    private byte[] Inflate(ZipArchiveEntry entry, string full)
    {
        var room = Capacity - UsedBytes;
        using var input = entry.Open();
        using var output = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = input.Read(chunk)) > 0)
        {
            if (output.Length + read > room)
                throw new VfsException(VfsError.NoSpace, full);
            output.Write(chunk, 0, read);
        }
        return output.ToArray();
    }

    private static void AddToZip(ZipArchive archive, Node node, string name)
    {
        if (!node.IsDirectory)
        {
            var entry = archive.CreateEntry(name, CompressionLevel.Fastest);
            entry.LastWriteTime = node.Modified;
            using var stream = entry.Open();
            stream.Write(node.Content);
            return;
        }
        archive.CreateEntry(name + "/").LastWriteTime = node.Modified;
        foreach (var (childName, child) in node.Entries)
            AddToZip(archive, child, name + "/" + childName);
    }
}
