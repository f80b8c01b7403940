using System.Text.Json.Nodes;

namespace Alpacon.Api.Configuration;

/// <summary>Persistent storage of tokens per region and workspace.</summary>
public interface ITokenStore
{
    /// <summary>The file behind the store, or null for an in-memory store.</summary>
    string? FilePath { get; }

    /// <summary>Every stored entry. Throws <see cref="ConfigurationException"/> when the file is malformed.</summary>
    IReadOnlyList<TokenEntry> Load();

    void Set(string region, string workspace, string token, string? url);

    /// <summary>Removes an entry; false when there was none.</summary>
    bool Remove(string region, string workspace);

    /// <summary>Where <paramref name="entry"/>, one of <see cref="Load"/>'s, comes from.</summary>
    TokenSource SourceOf(TokenEntry entry) => FilePath is null ? TokenSource.Sandbox : TokenSource.File;
}

/// <summary>Tokens held in memory only: the sandbox, and tests.</summary>
public sealed class MemoryTokenStore(IEnumerable<TokenEntry>? seed = null) : ITokenStore
{
    private readonly Lock _gate = new();
    private readonly List<TokenEntry> _entries = [.. seed ?? []];

    public string? FilePath => null;

    public IReadOnlyList<TokenEntry> Load()
    {
        lock (_gate)
            return [.. _entries];
    }

    public void Set(string region, string workspace, string token, string? url)
    {
        lock (_gate)
        {
            var pinned = url ?? _entries.FirstOrDefault(e => e.Region == region && e.Workspace == workspace)?.Url;
            _entries.RemoveAll(e => e.Region == region && e.Workspace == workspace);
            _entries.Add(new TokenEntry(region, workspace, token, pinned));
        }
    }

    public bool Remove(string region, string workspace)
    {
        lock (_gate)
            return _entries.RemoveAll(e => e.Region == region && e.Workspace == workspace) > 0;
    }
}

/// <summary>
/// Some workspaces in memory, every other one in another store: what a server that fell back to the sandbox
/// serves, so the sandbox stays in memory while a token the assistant stores for a real workspace is kept in the
/// token file rather than lost when the server stops.
/// </summary>
public sealed class LayeredTokenStore : ITokenStore
{
    private readonly MemoryTokenStore _memory;
    private readonly ITokenStore _persistent;
    private readonly HashSet<(string Region, string Workspace)> _inMemory;

    public LayeredTokenStore(MemoryTokenStore memory, ITokenStore persistent)
    {
        _memory = memory;
        _persistent = persistent;
        _inMemory = [.. memory.Load().Select(e => (e.Region, e.Workspace))];
    }

    public string? FilePath => _persistent.FilePath;

    public IReadOnlyList<TokenEntry> Load() => [.. _memory.Load(), .. _persistent.Load().Where(e => !InMemory(e.Region, e.Workspace))];

    public void Set(string region, string workspace, string token, string? url)
    {
        if (InMemory(region, workspace))
            _memory.Set(region, workspace, token, url);
        else
            _persistent.Set(region, workspace, token, url);
    }

    public bool Remove(string region, string workspace) =>
        InMemory(region, workspace) ? _memory.Remove(region, workspace) : _persistent.Remove(region, workspace);

    public TokenSource SourceOf(TokenEntry entry) =>
        InMemory(entry.Region, entry.Workspace) ? ((ITokenStore)_memory).SourceOf(entry) : _persistent.SourceOf(entry);

    private bool InMemory(string region, string workspace) => _inMemory.Contains((region, workspace));
}

/// <summary>
/// The token file. Every change is a read-modify-write under an exclusive lock on a sibling
/// <c>.lock</c> file, written to a temporary file with mode 0600 and renamed over the original,
/// so a reader never sees half a file and two writing processes lose nothing.
/// </summary>
public sealed class FileTokenStore(string path) : ITokenStore
{
    private static readonly TimeSpan LockTimeout = TimeSpan.FromSeconds(10);
    private readonly Lock _cacheGate = new();
    private (DateTime Stamp, long Length, IReadOnlyList<TokenEntry> Entries)? _cache;

    public string? FilePath { get; } = Path.GetFullPath(path);

    public IReadOnlyList<TokenEntry> Load()
    {
        var file = new FileInfo(FilePath!);
        if (!file.Exists)
            return [];
        lock (_cacheGate)
        {
            if (_cache is { } c && c.Stamp == file.LastWriteTimeUtc && c.Length == file.Length)
                return c.Entries;
        }
        string text;
        try
        {
            text = File.ReadAllText(FilePath!);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ConfigurationException($"Token file {FilePath} cannot be read: {e.Message}", e);
        }
        var entries = TokenFile.Parse(text, FilePath!);
        lock (_cacheGate)
            _cache = (file.LastWriteTimeUtc, file.Length, entries);
        return entries;
    }

    public void Set(string region, string workspace, string token, string? url) =>
        Update(root =>
        {
            TokenFile.SetEntry(root, region, workspace, token, url);
            return true;
        });

    public bool Remove(string region, string workspace) => Update(root => TokenFile.RemoveEntry(root, region, workspace));

    private bool Update(Func<JsonObject, bool> change)
    {
        var path = FilePath!;
        var directory = Path.GetDirectoryName(path)!;
        if (!Directory.Exists(path: directory))
        {
            if (OperatingSystem.IsWindows())
                Directory.CreateDirectory(directory);
            else
                Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        using var fileLock = AcquireLock(path + ".lock");
        // Parsing refuses a malformed file rather than rewriting it, which would lose its entries.
        var root = File.Exists(path) ? TokenFile.ParseRoot(File.ReadAllText(path), path) : [];
        if (!change(root))
            return false;

        var temp = $"{path}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp";
        try
        {
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
            if (!OperatingSystem.IsWindows())
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            using (var stream = new FileStream(temp, options))
            using (var writer = new StreamWriter(stream))
            {
                writer.Write(TokenFile.Serialize(root));
                writer.Flush();
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, path, overwrite: true);
        }
        finally
        {
            File.Delete(temp);
        }
        lock (_cacheGate)
            _cache = null;
        return true;
    }

    // An exclusive FileShare.None handle is an advisory flock on Unix, honoured by every process of ours.
    private static FileStream AcquireLock(string lockPath)
    {
        var deadline = DateTime.UtcNow + LockTimeout;
        var delay = 5;
        while (true)
        {
            try
            {
                var options = new FileStreamOptions { Mode = FileMode.OpenOrCreate, Access = FileAccess.ReadWrite, Share = FileShare.None };
                if (!OperatingSystem.IsWindows())
                    options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
                return new FileStream(lockPath, options);
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                Thread.Sleep(delay);
                delay = Math.Min(delay * 2, 100);
            }
            catch (IOException e)
            {
                throw new ConfigurationException($"Token file {lockPath[..^5]} is locked by another process; try again.", e);
            }
        }
    }
}
