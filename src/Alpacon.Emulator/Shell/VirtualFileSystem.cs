using System.Text;

namespace Alpacon.Emulator.Shell;

/// <summary>
/// One simulated host's files, in memory. Paths are resolved lexically from the root (see <see cref="VfsPath"/>);
/// every operation takes the acting <see cref="Account"/> (null means root) and applies the Unix owner/group/other
/// bits, the search bit on every ancestor and the sticky bit on /tmp. A capacity bounds the bytes stored, so no
/// upload or shell loop can exhaust the emulator's memory. All operations are atomic under one lock.
/// </summary>
public sealed partial class VirtualFileSystem
{
    public const int StickyBit = 0b1_000_000_000;
    public const long DefaultCapacity = 64L << 20;

    private const int Read = 4, Write = 2, Search = 1;

    private readonly Lock gate = new();
    private readonly Node root;
    private readonly TimeProvider time;
    private long used;

    public VirtualFileSystem(TimeProvider? time = null, long capacity = DefaultCapacity)
    {
        this.time = time ?? TimeProvider.System;
        Capacity = capacity;
        root = Node.Directory("root", "root", 0b111_101_101, this.time.GetUtcNow());
    }

    /// <summary>The most file bytes the filesystem holds before writes fail with "No space left on device".</summary>
    public long Capacity { get; }

    public long UsedBytes
    {
        get
        {
            lock (gate)
                return used;
        }
    }

    public bool Exists(string path, Account? user = null) => Stat(path, user) is not null;

    public bool IsDirectory(string path, Account? user = null) => Stat(path, user)?.IsDirectory == true;

    /// <summary>The entry at <paramref name="path"/>, or null where it is missing or hidden behind a directory the user cannot search.</summary>
    public VfsEntry? Stat(string path, Account? user = null)
    {
        var full = VfsPath.Normalize(path);
        lock (gate)
            return TryFind(full, user, out var node) ? node.ToEntry(full) : null;
    }

    /// <summary>The entry at <paramref name="path"/>; unlike <see cref="Stat"/> it says why one is missing.</summary>
    public VfsEntry GetEntry(string path, Account? user = null)
    {
        var full = VfsPath.Normalize(path);
        lock (gate)
            return Find(full, user).ToEntry(full);
    }

    public byte[] ReadFile(string path, Account? user = null)
    {
        var full = VfsPath.Normalize(path);
        lock (gate)
        {
            var node = Find(full, user);
            if (node.IsDirectory)
                throw new VfsException(VfsError.IsADirectory, full);
            Demand(node, user, Read, full);
            return node.Content.ToArray();
        }
    }

    public string ReadText(string path, Account? user = null) => Encoding.UTF8.GetString(ReadFile(path, user));

    /// <summary>Creates or replaces (or, with <paramref name="append"/>, extends) a file; a new file is owned by the user.</summary>
    public void WriteFile(string path, ReadOnlySpan<byte> content, Account? user = null, bool createParents = false, bool append = false)
    {
        var full = VfsPath.Normalize(path);
        lock (gate)
        {
            if (full == "/")
                throw new VfsException(VfsError.IsADirectory, full);
            var parent = createParents ? MakeDirectories(VfsPath.Parent(full), user) : FindDirectory(VfsPath.Parent(full), user);
            var name = VfsPath.Name(full);
            if (parent.Entries.TryGetValue(name, out var node))
            {
                if (node.IsDirectory)
                    throw new VfsException(VfsError.IsADirectory, full);
                Demand(node, user, Write, full);
            }
            else
            {
                Demand(parent, user, Write, VfsPath.Parent(full));
            }
            var kept = append && node is not null ? node.Content.Length : 0;
            Reserve(kept + content.Length - (node?.Content.Length ?? 0), full);
            var bytes = new byte[kept + content.Length];
            node?.Content.AsSpan(0, kept).CopyTo(bytes);
            content.CopyTo(bytes.AsSpan(kept));
            var now = time.GetUtcNow();
            if (node is null)
            {
                node = Node.File(Owner(user), OwnerGroup(user), 0b110_100_100, now);
                parent.Entries[name] = node;
                parent.Modified = now;
            }
            node.Content = bytes;
            node.Modified = now;
        }
    }

    public void WriteText(string path, string content, Account? user = null, bool createParents = false, bool append = false) =>
        WriteFile(path, Encoding.UTF8.GetBytes(content), user, createParents, append);

    /// <summary>The entries of a directory, sorted by name (ordinal), without "." and "..".</summary>
    public IReadOnlyList<VfsEntry> List(string path, Account? user = null)
    {
        var full = VfsPath.Normalize(path);
        lock (gate)
        {
            var directory = FindDirectory(full, user);
            Demand(directory, user, Read, full);
            return [.. directory.Entries.Select(c => c.Value.ToEntry(VfsPath.Combine(full, c.Key)))];
        }
    }

    public void MakeDirectory(string path, Account? user = null, bool parents = false)
    {
        var full = VfsPath.Normalize(path);
        lock (gate)
        {
            if (parents)
            {
                MakeDirectories(full, user);
                return;
            }
            var parent = FindDirectory(VfsPath.Parent(full), user);
            if (full == "/" || parent.Entries.ContainsKey(VfsPath.Name(full)))
                throw new VfsException(VfsError.AlreadyExists, full);
            Demand(parent, user, Write, VfsPath.Parent(full));
            AddDirectory(parent, VfsPath.Name(full), user);
        }
    }

    /// <summary>Removes a file, an empty directory, or with <paramref name="recursive"/> a whole tree.</summary>
    public void Delete(string path, Account? user = null, bool recursive = false)
    {
        var full = VfsPath.Normalize(path);
        lock (gate)
        {
            if (full == "/")
                throw new VfsException(VfsError.PermissionDenied, full);
            var parent = FindDirectory(VfsPath.Parent(full), user);
            var node = parent.Entries.GetValueOrDefault(VfsPath.Name(full)) ?? throw new VfsException(VfsError.NotFound, full);
            if (node.IsDirectory && node.Entries.Count > 0 && !recursive)
                throw new VfsException(VfsError.NotEmpty, full);
            DemandUnlink(parent, node, user, full);
            if (node.IsDirectory && recursive)
                DemandTreeWritable(node, user, full);
            parent.Entries.Remove(VfsPath.Name(full));
            parent.Modified = time.GetUtcNow();
            used -= node.TotalBytes();
        }
    }

    /// <summary>Copies a file, or with <paramref name="recursive"/> a tree; the copy belongs to the user.</summary>
    public void Copy(string source, string destination, Account? user = null, bool recursive = false)
    {
        var from = VfsPath.Normalize(source);
        var to = VfsPath.Normalize(destination);
        lock (gate)
        {
            var node = Find(from, user);
            if (node.IsDirectory && !recursive)
                throw new VfsException(VfsError.IsADirectory, from);
            if (node.IsDirectory && (to == from || to.StartsWith(from + "/", StringComparison.Ordinal)))
                throw new VfsException(VfsError.InvalidArgument, to);
            DemandTreeReadable(node, user, from);
            var parent = FindDirectory(VfsPath.Parent(to), user);
            var name = VfsPath.Name(to);
            if (parent.Entries.TryGetValue(name, out var existing))
            {
                if (existing.IsDirectory != node.IsDirectory)
                    throw new VfsException(existing.IsDirectory ? VfsError.IsADirectory : VfsError.NotADirectory, to);
                if (node.IsDirectory)
                    throw new VfsException(VfsError.AlreadyExists, to);
                Demand(existing, user, Write, to);
            }
            else
            {
                Demand(parent, user, Write, VfsPath.Parent(to));
            }
            Reserve(node.TotalBytes() - (existing?.TotalBytes() ?? 0), to);
            parent.Entries[name] = node.Clone(Owner(user), OwnerGroup(user), time.GetUtcNow());
            parent.Modified = time.GetUtcNow();
        }
    }

    /// <summary>Renames a file or directory; an existing file at the destination is replaced, as rename(2) does.</summary>
    public void Move(string source, string destination, Account? user = null)
    {
        var from = VfsPath.Normalize(source);
        var to = VfsPath.Normalize(destination);
        lock (gate)
        {
            var fromParent = FindDirectory(VfsPath.Parent(from), user);
            var node = fromParent.Entries.GetValueOrDefault(VfsPath.Name(from)) ?? throw new VfsException(VfsError.NotFound, from);
            if (from == to)
                return;
            if (node.IsDirectory && to.StartsWith(from + "/", StringComparison.Ordinal))
                throw new VfsException(VfsError.InvalidArgument, to);
            var toParent = FindDirectory(VfsPath.Parent(to), user);
            DemandUnlink(fromParent, node, user, from);
            Demand(toParent, user, Write, VfsPath.Parent(to));
            if (toParent.Entries.TryGetValue(VfsPath.Name(to), out var existing))
            {
                if (existing.IsDirectory)
                    throw new VfsException(VfsError.IsADirectory, to);
                if (node.IsDirectory)
                    throw new VfsException(VfsError.NotADirectory, to);
                used -= existing.TotalBytes();
            }
            fromParent.Entries.Remove(VfsPath.Name(from));
            toParent.Entries[VfsPath.Name(to)] = node;
            fromParent.Modified = toParent.Modified = time.GetUtcNow();
        }
    }

    /// <summary>Creates an empty file or updates the modification time of an existing entry.</summary>
    public void Touch(string path, Account? user = null)
    {
        var full = VfsPath.Normalize(path);
        lock (gate)
        {
            if (TryFind(full, user, out var node))
            {
                Demand(node, user, Write, full);
                node.Modified = time.GetUtcNow();
                return;
            }
        }
        WriteFile(full, [], user, append: true);
    }

    /// <summary>chmod: only the owner or root may change the mode bits.</summary>
    public void SetMode(string path, int mode, Account? user = null)
    {
        var full = VfsPath.Normalize(path);
        lock (gate)
        {
            var node = Find(full, user);
            if (user is { IsRoot: false } && node.Owner != user.Name)
                throw new VfsException(VfsError.PermissionDenied, full);
            node.Mode = mode & 0b1_111_111_111;
        }
    }

    /// <summary>chown: only root may give files away.</summary>
    public void SetOwner(string path, string owner, string group, Account? user = null)
    {
        var full = VfsPath.Normalize(path);
        lock (gate)
        {
            var node = Find(full, user);
            if (user is { IsRoot: false })
                throw new VfsException(VfsError.PermissionDenied, full);
            node.Owner = owner;
            node.Group = group;
        }
    }

    /// <summary>Writes seed content with an explicit owner, mode and time; used to build a host's initial tree.</summary>
    internal void Put(string path, string? content, string owner = "root", string group = "root", int? mode = null, DateTimeOffset? modified = null)
    {
        var full = VfsPath.Normalize(path);
        lock (gate)
        {
            var parent = MakeDirectories(VfsPath.Parent(full), null);
            var at = modified ?? time.GetUtcNow();
            if (content is null)
            {
                var directory = parent.Entries.GetValueOrDefault(VfsPath.Name(full)) ?? AddDirectory(parent, VfsPath.Name(full), null);
                (directory.Owner, directory.Group, directory.Mode, directory.Modified) = (owner, group, mode ?? 0b111_101_101, at);
                return;
            }
            var bytes = Encoding.UTF8.GetBytes(content);
            var previous = parent.Entries.GetValueOrDefault(VfsPath.Name(full))?.TotalBytes() ?? 0;
            Reserve(bytes.Length - previous, full);
            parent.Entries[VfsPath.Name(full)] = new Node { Owner = owner, Group = group, Mode = mode ?? 0b110_100_100, Modified = at, Content = bytes };
        }
    }

    private Node Find(string full, Account? user) =>
        TryFind(full, user, out var node, out var error) ? node : throw new VfsException(error, full);

    private Node FindDirectory(string full, Account? user)
    {
        var node = Find(full, user);
        return node.IsDirectory ? node : throw new VfsException(VfsError.NotADirectory, full);
    }

    private bool TryFind(string full, Account? user, out Node node) => TryFind(full, user, out node, out _);

    private bool TryFind(string full, Account? user, out Node node, out VfsError error)
    {
        node = root;
        error = VfsError.NotFound;
        foreach (var segment in VfsPath.Segments(full))
        {
            if (!node.IsDirectory)
            {
                error = VfsError.NotADirectory;
                return false;
            }
            if (!Allows(node, user, Search))
            {
                error = VfsError.PermissionDenied;
                return false;
            }
            if (!node.Entries.TryGetValue(segment, out var next))
                return false;
            node = next;
        }
        return true;
    }

    private Node MakeDirectories(string full, Account? user)
    {
        var node = root;
        var path = "";
        foreach (var segment in VfsPath.Segments(full))
        {
            path += "/" + segment;
            if (!Allows(node, user, Search))
                throw new VfsException(VfsError.PermissionDenied, path);
            if (!node.Entries.TryGetValue(segment, out var next))
            {
                Demand(node, user, Write, VfsPath.Parent(path));
                next = AddDirectory(node, segment, user);
            }
            node = next.IsDirectory ? next : throw new VfsException(VfsError.NotADirectory, path);
        }
        return node;
    }

    private Node AddDirectory(Node parent, string name, Account? user)
    {
        var now = time.GetUtcNow();
        var directory = Node.Directory(Owner(user), OwnerGroup(user), 0b111_101_101, now);
        parent.Entries[name] = directory;
        parent.Modified = now;
        return directory;
    }

    private void Reserve(long delta, string full)
    {
        if (delta > 0 && used + delta > Capacity)
            throw new VfsException(VfsError.NoSpace, full);
        used += delta;
    }

    private static string Owner(Account? user) => user?.Name ?? "root";

    private static string OwnerGroup(Account? user) => user?.Group ?? "root";

    private static bool Allows(Node node, Account? user, int access) => VfsEntry.Allows(node.Mode, node.Owner, node.Group, user, access);

    private static void Demand(Node node, Account? user, int access, string full)
    {
        if (!Allows(node, user, access))
            throw new VfsException(VfsError.PermissionDenied, full);
    }

    /// <summary>Unlinking needs write on the directory and, where it is sticky (/tmp), ownership of the entry.</summary>
    private static void DemandUnlink(Node parent, Node node, Account? user, string full)
    {
        Demand(parent, user, Write | Search, full);
        if ((parent.Mode & StickyBit) != 0 && user is { IsRoot: false } && node.Owner != user.Name && parent.Owner != user.Name)
            throw new VfsException(VfsError.PermissionDenied, full);
    }

    private static void DemandTreeWritable(Node directory, Account? user, string full)
    {
        Demand(directory, user, Write | Search, full);
        foreach (var (name, child) in directory.Entries)
        {
            if (child.IsDirectory)
                DemandTreeWritable(child, user, VfsPath.Combine(full, name));
        }
    }

    private static void DemandTreeReadable(Node node, Account? user, string full)
    {
        Demand(node, user, node.IsDirectory ? Read | Search : Read, full);
        if (!node.IsDirectory)
            return;
        foreach (var (name, child) in node.Entries)
            DemandTreeReadable(child, user, VfsPath.Combine(full, name));
    }

    private sealed class Node
    {
        public byte[] Content { get; set; } = [];
        public SortedDictionary<string, Node>? Children { get; init; }
        public int Mode { get; set; }
        public required string Owner { get; set; }
        public required string Group { get; set; }
        public DateTimeOffset Modified { get; set; }

        public bool IsDirectory => Children is not null;

        public SortedDictionary<string, Node> Entries => Children ?? throw new InvalidOperationException("not a directory");

        public static Node Directory(string owner, string group, int mode, DateTimeOffset at) =>
            new() { Owner = owner, Group = group, Mode = mode, Modified = at, Children = new(StringComparer.Ordinal) };

        public static Node File(string owner, string group, int mode, DateTimeOffset at) =>
            new() { Owner = owner, Group = group, Mode = mode, Modified = at };

        public long TotalBytes() => IsDirectory ? Children!.Values.Sum(c => c.TotalBytes()) : Content.Length;

        public Node Clone(string owner, string group, DateTimeOffset at)
        {
            var copy = IsDirectory ? Directory(owner, group, Mode, at) : File(owner, group, Mode, at);
            copy.Content = Content;
            foreach (var (name, child) in Children ?? [])
                copy.Entries[name] = child.Clone(owner, group, at);
            return copy;
        }

        public VfsEntry ToEntry(string full) => new(
            full,
            IsDirectory,
            IsDirectory ? 4096 : Content.Length,
            Mode,
            Owner,
            Group,
            Modified,
            IsDirectory ? 2 + Children!.Values.Count(c => c.IsDirectory) : 1);
    }
}
