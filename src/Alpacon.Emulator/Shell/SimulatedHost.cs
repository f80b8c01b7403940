using System.Globalization;
using Alpacon.Emulator.Core;

namespace Alpacon.Emulator.Shell;

/// <summary>
/// The machine behind a <see cref="Server"/>: its files, accounts, services and processes. The Command API's
/// simulated agent, Websh and WebFTP all act on the same host, so a file uploaded by WebFTP can be read by a command.
/// </summary>
public sealed class SimulatedHost
{
    /// <summary>
    /// Environment variable: each host's disk in MiB instead of <see cref="VirtualFileSystem.DefaultCapacity"/> (the
    /// benchmark moves 64 MiB files, which a 64 MiB disk with its seeded files cannot hold).
    /// </summary>
    public const string DiskVariable = "ALPACON_EMULATOR_HOST_DISK_MIB";

    private static readonly long DiskBytes =
        long.TryParse(Environment.GetEnvironmentVariable(DiskVariable), NumberStyles.None, CultureInfo.InvariantCulture, out var mib) && mib is > 0 and <= 4096
            ? mib << 20
            : VirtualFileSystem.DefaultCapacity;

    private int nextPid;

    internal SimulatedHost(Server server, IReadOnlyList<HostSeed.Member> members, TimeProvider time)
    {
        Server = server;
        Time = time;
        Facts = new HostFacts(server);
        FileSystem = new VirtualFileSystem(time, DiskBytes);
        HostSeed.Populate(FileSystem, server, Facts, members);
        nextPid = 3000 + Facts.Seed % 2000;
    }

    public Server Server { get; }

    public string Hostname => Facts.Hostname;

    public VirtualFileSystem FileSystem { get; }

    public TimeProvider Time { get; }

    internal HostFacts Facts { get; }

    /// <summary>The message of the day a terminal shows on login (/etc/motd; empty when there is none).</summary>
    public string Motd => FileSystem.Stat("/etc/motd") is { IsDirectory: false } ? FileSystem.ReadText("/etc/motd") : "";

    /// <summary>The account named <paramref name="username"/> as /etc/passwd and /etc/group say now, or null.</summary>
    public Account? FindAccount(string username)
    {
        if (username == "root")
            return Account.Root;
        var passwd = Table("/etc/passwd").FirstOrDefault(f => f.Length >= 7 && f[0] == username);
        if (passwd is null || !int.TryParse(passwd[2], CultureInfo.InvariantCulture, out var uid) || !int.TryParse(passwd[3], CultureInfo.InvariantCulture, out var gid))
            return null;
        var primary = username;
        var groups = new List<(int, string)>();
        foreach (var fields in Table("/etc/group").Where(f => f.Length >= 4))
        {
            if (!int.TryParse(fields[2], CultureInfo.InvariantCulture, out var id))
                continue;
            if (id == gid)
                primary = fields[0];
            else if (fields[3].Split(',').Contains(username))
                groups.Add((id, fields[0]));
        }
        return new Account(username, uid, gid, primary, passwd[5], passwd[6], groups);
    }

    /// <summary>The colon-separated rows of an account database; none when root has deleted it.</summary>
    private IEnumerable<string[]> Table(string path)
    {
        try
        {
            return FileSystem.ReadText(path).Split('\n').Select(line => line.Split(':'));
        }
        catch (VfsException)
        {
            return [];
        }
    }

    /// <summary>
    /// A shell for <paramref name="username"/> (null or empty: root, as the agent runs commands without a user),
    /// starting in the account's home directory with a login environment plus <paramref name="environment"/>.
    /// </summary>
    /// <exception cref="ArgumentException">The account does not exist on this host.</exception>
    public ShellSession OpenSession(string? username = null, IReadOnlyDictionary<string, string>? environment = null, bool interactive = false)
    {
        var account = FindAccount(string.IsNullOrEmpty(username) ? "root" : username)
            ?? throw new ArgumentException($"user {username} does not exist on {Hostname}", nameof(username));
        return new ShellSession(this, account, environment, interactive);
    }

    /// <summary>Runs one command line in a fresh session and returns its combined output: the simplest use, for tests and tools.</summary>
    public async Task<ShellResult> RunAsync(string line, string? username = null, string? stdin = null, IReadOnlyDictionary<string, string>? environment = null, CancellationToken cancellationToken = default)
    {
        var session = OpenSession(username, environment);
        return await session.RunAsync(line, stdin, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Appends to the host's system log as rsyslog would, so journalctl and tail show what systemctl did.</summary>
    internal void Log(string source, string message)
    {
        try
        {
            FileSystem.WriteText(Facts.SystemLog, Facts.SyslogLine(Time.GetUtcNow(), source, message), append: true);
        }
        catch (VfsException)
        {
            // A full disk loses log lines on a real host too.
        }
    }

    internal int NextPid() => Interlocked.Add(ref nextPid, 1 + (nextPid & 3));
}
