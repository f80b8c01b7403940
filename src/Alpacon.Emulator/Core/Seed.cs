namespace Alpacon.Emulator.Core;

/// <summary>
/// The demo workspace every emulator starts with: 24 servers of a small company, a handful of users and
/// tokens with different rights. Everything is deterministic: ids, names and the telemetry derived from them.
/// </summary>
public static class Seed
{
    /// <summary>The sandbox workspace's name.</summary>
    public const string Workspace = "sandbox";

    /// <summary>Staff and superuser: may do everything.</summary>
    public const string AdminToken = "alpat-sandbox-admin-7Qm2x9Lk4Rt8Vb3N";

    /// <summary>A regular member: reads everything, runs what its ACL allows, gets 403 on IAM changes.</summary>
    public const string OperatorToken = "alpat-sandbox-operator-Zp5Hw2Jc8Ty1Ue6D";

    /// <summary>Read-only: every write answers 403.</summary>
    public const string ViewerToken = "alpat-sandbox-viewer-Kd4Rm9Xs1Ga7Lq2W";

    /// <summary>The operator token's command ACL: read-only look-arounds; anything else answers 403 api_token_acl_not_allowed.</summary>
    public static readonly IReadOnlyList<string> OperatorCommands =
        ["uptime", "hostname", "whoami", "id", "date", "df", "df *", "free", "free *", "cat *", "ls", "ls *", "systemctl status *", "journalctl *", "uname *", "ps *", "tail *", "head *"];

    /// <summary>A fixed point in time the seeded history hangs from.</summary>
    public static readonly DateTimeOffset Epoch = new(2026, 1, 5, 9, 0, 0, TimeSpan.Zero);

    /// <summary>The key a simulated agent authenticates with (<c>id="server", key="…"</c>).</summary>
    public static string AgentKey(string serverId) => "agent-" + Ids.For("agent-key", serverId)[..18];

    private static readonly (string Name, string Os, string Version, string Platform, string Like, int Cores, int Gib, HostProfile Profile, bool Connected)[] Hosts =
    [
        ("api-01", "Ubuntu", "24.04", "ubuntu", "debian", 4, 16, HostProfile.Normal, true),
        ("api-02", "Ubuntu", "24.04", "ubuntu", "debian", 4, 16, HostProfile.Normal, true),
        ("api-03", "Ubuntu", "24.04", "ubuntu", "debian", 4, 16, HostProfile.Normal, true),
        ("bastion-01", "Amazon Linux", "2023", "amzn", "fedora", 1, 2, HostProfile.Normal, true),
        ("build-01", "Ubuntu", "24.04", "ubuntu", "debian", 8, 32, HostProfile.CpuSpike, true),
        ("cache-01", "Debian GNU/Linux", "12", "debian", "", 2, 32, HostProfile.Normal, true),
        ("cache-02", "Debian GNU/Linux", "12", "debian", "", 2, 32, HostProfile.Normal, true),
        ("db-01", "Rocky Linux", "9.4", "rocky", "rhel centos fedora", 8, 64, HostProfile.DiskNearlyFull, true),
        ("db-02", "Rocky Linux", "9.4", "rocky", "rhel centos fedora", 8, 64, HostProfile.Normal, true),
        ("db-03", "Rocky Linux", "9.4", "rocky", "rhel centos fedora", 8, 64, HostProfile.Normal, true),
        ("lb-01", "Debian GNU/Linux", "12", "debian", "", 2, 4, HostProfile.Normal, true),
        ("lb-02", "Debian GNU/Linux", "12", "debian", "", 2, 4, HostProfile.Idle, true),
        ("legacy-01", "CentOS Linux", "7", "centos", "rhel fedora", 2, 8, HostProfile.Idle, false),
        ("monitor-01", "Ubuntu", "22.04", "ubuntu", "debian", 2, 8, HostProfile.Normal, true),
        ("staging-01", "Debian GNU/Linux", "12", "debian", "", 2, 8, HostProfile.Normal, false),
        ("web-01", "Ubuntu", "22.04", "ubuntu", "debian", 2, 8, HostProfile.Normal, true),
        ("web-02", "Ubuntu", "22.04", "ubuntu", "debian", 2, 8, HostProfile.Normal, true),
        ("web-03", "Ubuntu", "22.04", "ubuntu", "debian", 2, 8, HostProfile.Normal, true),
        ("web-04", "Ubuntu", "22.04", "ubuntu", "debian", 2, 8, HostProfile.Normal, true),
        ("web-05", "Ubuntu", "24.04", "ubuntu", "debian", 2, 8, HostProfile.Normal, true),
        ("worker-01", "Ubuntu", "22.04", "ubuntu", "debian", 4, 16, HostProfile.Normal, true),
        ("worker-02", "Ubuntu", "22.04", "ubuntu", "debian", 4, 16, HostProfile.Normal, true),
        ("worker-03", "Ubuntu", "22.04", "ubuntu", "debian", 4, 16, HostProfile.Normal, true),
        ("worker-04", "Ubuntu", "22.04", "ubuntu", "debian", 4, 16, HostProfile.Normal, false),
    ];

    /// <summary>The seeded id of a server by name, e.g. <c>ServerId("web-01")</c>.</summary>
    public static string ServerId(string name) => Ids.For("server", name);

    public static string UserId(string username) => Ids.For("user", username);

    internal static void Populate(World world)
    {
        User NewUser(string username, string first, string last, int uid, bool staff = false, bool super = false) => new()
        {
            Id = UserId(username),
            Username = username,
            FirstName = first,
            LastName = last,
            Email = $"{username}@example.com",
            Uid = uid,
            IsStaff = staff,
            IsSuperuser = super,
            DateJoined = Epoch.AddDays(uid - 2000),
        };
        var jane = NewUser("jane", "Jane", "Kim", 2001, staff: true, super: true);
        var bo = NewUser("bo", "Bo", "Park", 2002);
        var mina = NewUser("mina", "Mina", "Lee", 2003);
        var alex = NewUser("alex", "Alex", "Chen", 2004);
        var sam = NewUser("sam", "Sam", "Ortiz", 2005, staff: true);
        var deploy = NewUser("deploy-bot", "Deploy", "Bot", 2006);
        deploy.Description = "CI/CD service account";
        world.Users.AddRange([jane, bo, mina, alex, sam, deploy]);

        world.Tokens[AdminToken] = new TokenGrant(AdminToken, "jane", Name: "sandbox-admin");
        world.Tokens[OperatorToken] = new TokenGrant(OperatorToken, "bo", Name: "sandbox-operator", CommandAcl: OperatorCommands);
        world.Tokens[ViewerToken] = new TokenGrant(ViewerToken, "mina", ReadOnly: true, Name: "sandbox-viewer");

        var index = 0;
        foreach (var h in Hosts)
        {
            index++;
            world.Servers.Add(new Server
            {
                Id = ServerId(h.Name),
                Name = h.Name,
                RemoteIp = $"203.0.113.{10 + index}",
                IsConnected = h.Connected,
                Commissioned = h.Name != "legacy-01",
                OsName = h.Os,
                OsVersion = h.Version,
                Platform = h.Platform,
                PlatformLike = h.Like,
                PhysicalCores = Math.Max(1, h.Cores / 2),
                LogicalCores = h.Cores,
                PhysicalMemory = (long)h.Gib << 30,
                Load = h.Profile switch { HostProfile.CpuSpike => 7.4, HostProfile.Idle => 0.01, _ => Math.Round(0.2 + index % 5 * 0.17, 2) },
                BootTime = Epoch.AddDays(60 + index),
                Owner = h.Name.StartsWith("db", StringComparison.Ordinal) ? sam : jane,
                Profile = h.Profile,
                AddedAt = Epoch.AddDays(index),
            });
        }

        Server S(string name) => world.Servers.Single(s => s.Name == name);
        world.Notes.AddRange(
        [
            new Note { Id = Ids.For("note", "web-01/patch"), Server = S("web-01"), Author = jane, Content = "**Patch window**\n\nSundays 02:00-04:00 KST. Drain from lb-01 first.", Pinned = true, AddedAt = Epoch.AddDays(90), UpdatedAt = Epoch.AddDays(90) },
            new Note { Id = Ids.For("note", "db-01/disk"), Server = S("db-01"), Author = sam, Content = "/var/lib/pgsql grows ~2 GiB a day; archive WAL before it fills.", Pinned = true, AddedAt = Epoch.AddDays(95), UpdatedAt = Epoch.AddDays(95) },
            new Note { Id = Ids.For("note", "db-01/replica"), Server = S("db-01"), Author = sam, Content = "Primary. Replicas: db-02, db-03.", AddedAt = Epoch.AddDays(40), UpdatedAt = Epoch.AddDays(40) },
            new Note { Id = Ids.For("note", "legacy-01/retire"), Server = S("legacy-01"), Author = jane, Content = "CentOS 7 is end of life: retire after the billing migration.", AddedAt = Epoch.AddDays(70), UpdatedAt = Epoch.AddDays(70) },
        ]);
    }
}
