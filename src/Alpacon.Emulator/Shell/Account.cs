namespace Alpacon.Emulator.Shell;

/// <summary>A Linux account on a simulated host, as /etc/passwd and /etc/group describe it.</summary>
/// <param name="Name">The login name.</param>
/// <param name="Uid">The numeric user id.</param>
/// <param name="Gid">The primary group id.</param>
/// <param name="Group">The primary group's name.</param>
/// <param name="Home">The home directory.</param>
/// <param name="Shell">The login shell.</param>
/// <param name="Groups">Supplementary groups as (gid, name), the primary group excluded.</param>
public sealed record Account(string Name, int Uid, int Gid, string Group, string Home, string Shell, IReadOnlyList<(int Gid, string Name)> Groups)
{
    /// <summary>The superuser, which every permission check lets through.</summary>
    public static Account Root { get; } = new("root", 0, 0, "root", "/root", "/bin/bash", []);

    public bool IsRoot => Uid == 0;

    public bool InGroup(string group) => Group == group || Groups.Any(g => g.Name == group);
}
