using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Alpacon.Emulator.Core;

namespace Alpacon.Emulator.SystemInfo;

/// <summary>A network interface of a simulated host (<c>/api/proc/interfaces/</c>); <see cref="LinkSpeed"/> is in Mbit/s, 0 when unknown.</summary>
public sealed record Nic(string Name, string Mac, int Type, int Flags, int Mtu, int LinkSpeed, string? Address, bool IsUp, bool IsRunning, bool IsLoopback)
{
    /// <summary>Whether the agent reports traffic for it: a running, non-loopback interface.</summary>
    public bool HasTraffic => IsUp && IsRunning && !IsLoopback;
}

/// <summary>A mounted partition; <see cref="Size"/> in bytes. Virtual ones (snap loop devices) have no disk metrics.</summary>
public sealed record Partition(string Name, string DiskName, string MountPoint, string FsType, bool IsVirtual, long Size);

/// <summary>A local account; <see cref="IamUser"/> is the Alpacon user id it is mapped to.</summary>
public sealed record Account(int Uid, int Gid, string Username, string Description, string Directory, string Shell, string Group, string? IamUser = null);

public sealed record LocalGroup(int Gid, string Name, bool IamGroup = false);

public sealed record Package(string Name, string Version, string Source, string Arch);

/// <summary>
/// What the agent of a simulated host reports: hardware, disks, partitions, interfaces, accounts, groups and packages.
/// Everything is derived from the server's name, OS and role (the name's prefix), so every start sees the same hosts.
/// </summary>
public static class HostInventory
{
    private const long GiB = 1L << 30;
    private const long MiB = 1L << 20;

    /// <summary>How often the agent reports; series points and inventory syncs fall on this grid.</summary>
    public static readonly TimeSpan ReportInterval = TimeSpan.FromMinutes(5);

    /// <summary>How long ago a disconnected server's agent last reported: recent windows have no data for it.</summary>
    public static readonly TimeSpan DisconnectedFor = TimeSpan.FromDays(2);

    /// <summary>The agent's last report: the latest grid point, or <see cref="DisconnectedFor"/> earlier when disconnected.</summary>
    public static DateTimeOffset LastReport(Server s, DateTimeOffset now)
    {
        var at = s.IsConnected ? now : now - DisconnectedFor;
        return new DateTimeOffset(at.UtcTicks - at.UtcTicks % ReportInterval.Ticks, TimeSpan.Zero);
    }

    /// <summary>legacy-01 runs an agent too old to sync partitions: its list is empty, so clients must fall back to devices.</summary>
    public static bool ReportsPartitions(Server s) => s.Name != "legacy-01";

    public static string Role(Server s) => s.Name.Split('-')[0];

    public static bool IsRpm(Server s) => s.Platform is "rocky" or "centos" or "amzn";

    /// <summary>monitor-01 is the one bare-metal host (Dell, onboard NICs); legacy-01 a VMware guest; the rest EC2.</summary>
    public static string Vendor(Server s) => s.Name switch
    {
        "monitor-01" => "Dell Inc.",
        "legacy-01" => "VMware, Inc.",
        _ => "Amazon EC2",
    };

    public static string TimeZone(Server s) => s.Name.StartsWith("legacy", StringComparison.Ordinal) || s.Name == "bastion-01" ? "Etc/UTC" : "Asia/Seoul";

    public static TimeSpan UtcOffset(Server s) => TimeZone(s) == "Asia/Seoul" ? TimeSpan.FromHours(9) : TimeSpan.Zero;

    public static string PrivateIp(Server s) => $"10.0.{Octet(s, "subnet", 1, 8)}.{Octet(s, "host", 10, 250)}";

    public static IReadOnlyList<Nic> Interfaces(Server s)
    {
        var role = Role(s);
        var nics = new List<Nic> { new("lo", "", 772, 73, 65536, 0, "127.0.0.1", true, true, true) };
        var speed = role is "db" or "build" ? 10000 : s.Name == "legacy-01" ? 0 : 1000;
        var mtu = Vendor(s) == "Amazon EC2" ? 9001 : 1500;
        if (s.Name == "monitor-01")
        {
            // The first onboard port has no cable: up-and-running must be checked, not just "not loopback".
            nics.Add(new("eno1", Mac(s, "eno1"), 1, 4098, 1500, 0, null, false, false, false));
            nics.Add(new("eno2", Mac(s, "eno2"), 1, 4163, 1500, 1000, PrivateIp(s), true, true, false));
            return nics;
        }
        var primary = s.Platform is "ubuntu" or "amzn" ? "ens5" : "eth0";
        nics.Add(new(primary, Mac(s, primary), 1, 4163, mtu, speed, PrivateIp(s), true, true, false));
        if (role == "db")
            nics.Add(new("eth1", Mac(s, "eth1"), 1, 4163, mtu, speed, $"10.1.0.{Octet(s, "repl", 10, 250)}", true, true, false));
        if (role is "build" or "worker")
            nics.Add(new("docker0", Mac(s, "docker0"), 1, 4099, 1500, 0, "172.17.0.1", true, false, false));
        return nics;
    }

    public static IReadOnlyList<(string Name, string Serial, string Label)> Disks(Server s) =>
        [(RootDisk(s), s.Name == "legacy-01" ? "6000c29a" + Hex(s, "disk", 12) : "vol0" + Hex(s, "disk", 13), "")];

    /// <summary>Every mounted partition, root included; the proc endpoint hides them for an agent that does not report them.</summary>
    public static IReadOnlyList<Partition> Partitions(Server s)
    {
        var disk = RootDisk(s);
        var root = RootSize(s);
        return s.Platform switch
        {
            "centos" => [new("/dev/sda1", disk, "/", "xfs", false, root)],
            "rocky" =>
            [
                new($"{disk}p2", disk, "/boot/efi", "vfat", false, 200 * MiB),
                new($"{disk}p3", disk, "/boot", "xfs", false, 1 * GiB),
                new($"{disk}p4", disk, "/", "xfs", false, root),
            ],
            "amzn" =>
            [
                new($"{disk}p1", disk, "/", "xfs", false, root),
                new($"{disk}p128", disk, "/boot/efi", "vfat", false, 10 * MiB),
            ],
            "ubuntu" =>
            [
                new($"{disk}p1", disk, "/", "ext4", false, root),
                new($"{disk}p15", disk, "/boot/efi", "vfat", false, 105 * MiB),
                new("/dev/loop0", "/dev/loop0", "/snap/core22/1380", "squashfs", true, 74 * MiB),
            ],
            _ =>
            [
                new($"{disk}p1", disk, "/", "ext4", false, root),
                new($"{disk}p15", disk, "/boot/efi", "vfat", false, 124 * MiB),
            ],
        };
    }

    public static JsonObject InfoJson(Server s, DateTimeOffset reportedAt)
    {
        var ec2 = Vendor(s) == "Amazon EC2";
        return new JsonObject
        {
            ["uuid"] = (ec2 ? "ec2" + Ids.For("hardware", s.Id)[3..] : Ids.For("hardware", s.Id)).ToUpperInvariant(),
            ["cpu_type"] = s.CpuType,
            ["cpu_subtype"] = "",
            ["cpu_brand"] = s.CpuBrand,
            ["cpu_physical_cores"] = s.PhysicalCores,
            ["cpu_logical_cores"] = s.LogicalCores,
            ["physical_memory"] = s.PhysicalMemory,
            ["hardware_vendor"] = Vendor(s),
            ["hardware_model"] = s.Name switch { "monitor-01" => "PowerEdge R650xs", "legacy-01" => "VMware7,1", _ => InstanceType(s) },
            ["hardware_version"] = "",
            ["hardware_serial"] = ec2 ? "ec2" + Hex(s, "serial", 17) : "SN" + Hex(s, "serial", 10).ToUpperInvariant(),
            ["computer_name"] = s.Name,
            ["hostname"] = s.Name,
            ["local_hostname"] = ec2 ? $"ip-{PrivateIp(s).Replace('.', '-')}" : s.Name,
            ["added_at"] = Api.Iso(reportedAt),
        };
    }

    public static JsonObject OsJson(Server s, DateTimeOffset reportedAt)
    {
        var parts = s.OsVersion.Split('.');
        int Part(int i) => i < parts.Length && int.TryParse(parts[i], NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : 0;
        return new JsonObject
        {
            ["name"] = s.OsName,
            ["version"] = s.OsVersion,
            ["major"] = Part(0),
            ["minor"] = Part(1),
            ["patch"] = Part(2),
            ["build"] = s.Platform == "centos" ? "2009" : "",
            ["platform"] = s.Platform,
            ["platform_like"] = s.PlatformLike,
            ["added_at"] = Api.Iso(reportedAt),
        };
    }

    /// <summary>The clock as last reported: the report time in the host's zone, and the uptime then.</summary>
    public static JsonObject TimeJson(Server s, DateTimeOffset reportedAt) => new()
    {
        ["datetime"] = reportedAt.ToOffset(UtcOffset(s)).ToString("yyyy-MM-dd'T'HH:mm:ss.ffffffzzz", CultureInfo.InvariantCulture),
        ["uptime"] = (long)(reportedAt - s.BootTime).TotalSeconds,
        ["timezone"] = TimeZone(s),
        ["boot_time"] = Api.Iso(s.BootTime),
        ["added_at"] = Api.Iso(reportedAt),
    };

    public static IEnumerable<JsonObject> InterfaceJson(Server s) => Interfaces(s).Select(n => new JsonObject
    {
        ["id"] = Ids.For("interface", $"{s.Id}/{n.Name}"),
        ["name"] = n.Name,
        ["mac"] = n.Mac,
        ["type"] = n.Type,
        ["flags"] = n.Flags,
        ["mtu"] = n.Mtu,
        ["link_speed"] = n.LinkSpeed,
        ["addresses"] = n.Address is null ? new JsonArray() : new JsonArray(new JsonObject
        {
            ["address"] = n.Address,
            ["mask"] = n.IsLoopback ? "255.0.0.0" : n.Name == "docker0" ? "255.255.0.0" : "255.255.255.0",
            ["broadcast"] = n.IsLoopback ? "" : n.Name == "docker0" ? "172.17.255.255" : n.Address[..n.Address.LastIndexOf('.')] + ".255",
        }),
        ["is_up"] = n.IsUp,
        ["is_running"] = n.IsRunning,
        ["is_loopback"] = n.IsLoopback,
        ["is_p2p"] = false,
    });

    public static IEnumerable<JsonObject> DiskJson(Server s) => Disks(s).Select(d => new JsonObject
    {
        ["id"] = Ids.For("disk", $"{s.Id}/{d.Name}"),
        ["name"] = d.Name,
        ["serial_number"] = d.Serial,
        ["label"] = d.Label,
    });

    public static IEnumerable<JsonObject> PartitionJson(Server s) => (ReportsPartitions(s) ? Partitions(s) : []).Select(p => new JsonObject
    {
        ["id"] = Ids.For("partition", $"{s.Id}/{p.Name}"),
        ["name"] = p.Name,
        ["disk_name"] = p.DiskName,
        ["mount_points"] = new JsonArray(p.MountPoint),
        ["fs_type"] = p.FsType,
        ["is_virtual"] = p.IsVirtual,
    });

    /// <summary>System accounts of the OS family, the cloud image's default user, role accounts and the Alpacon users.</summary>
    public static IReadOnlyList<Account> Users(Server s, IEnumerable<User> iamUsers)
    {
        var rpm = IsRpm(s);
        var nologin = rpm ? "/sbin/nologin" : "/usr/sbin/nologin";
        var accounts = new List<Account> { new(0, 0, "root", "root", "/root", "/bin/bash", "root") };
        if (rpm)
        {
            accounts.AddRange(
            [
                new(1, 1, "bin", "bin", "/bin", nologin, "bin"),
                new(2, 2, "daemon", "daemon", "/sbin", nologin, "daemon"),
                new(3, 4, "adm", "adm", "/var/adm", nologin, "adm"),
                new(4, 7, "lp", "lp", "/var/spool/lpd", nologin, "lp"),
                new(5, 0, "sync", "sync", "/sbin", "/bin/sync", "root"),
                new(6, 0, "shutdown", "shutdown", "/sbin", "/sbin/shutdown", "root"),
                new(7, 0, "halt", "halt", "/sbin", "/sbin/halt", "root"),
                new(8, 12, "mail", "mail", "/var/spool/mail", nologin, "mail"),
                new(11, 0, "operator", "operator", "/root", nologin, "root"),
                new(12, 100, "games", "games", "/usr/games", nologin, "users"),
                new(14, 50, "ftp", "FTP User", "/var/ftp", nologin, "ftp"),
                new(65534, 65534, "nobody", "Kernel Overflow User", "/", nologin, "nobody"),
                new(81, 81, "dbus", "System message bus", "/", nologin, "dbus"),
                new(999, 997, "systemd-coredump", "systemd Core Dumper", "/", nologin, "systemd-coredump"),
                new(998, 996, "polkitd", "User for polkitd", "/", nologin, "polkitd"),
                new(74, 74, "sshd", "Privilege-separated SSH", "/usr/share/empty.sshd", nologin, "sshd"),
                new(997, 995, "chrony", "chrony system user", "/var/lib/chrony", nologin, "chrony"),
            ]);
        }
        else
        {
            accounts.AddRange(
            [
                new(1, 1, "daemon", "daemon", "/usr/sbin", nologin, "daemon"),
                new(2, 2, "bin", "bin", "/bin", nologin, "bin"),
                new(3, 3, "sys", "sys", "/dev", nologin, "sys"),
                new(4, 65534, "sync", "sync", "/bin", "/bin/sync", "nogroup"),
                new(5, 60, "games", "games", "/usr/games", nologin, "games"),
                new(6, 12, "man", "man", "/var/cache/man", nologin, "man"),
                new(7, 7, "lp", "lp", "/var/spool/lpd", nologin, "lp"),
                new(8, 8, "mail", "mail", "/var/mail", nologin, "mail"),
                new(9, 9, "news", "news", "/var/spool/news", nologin, "news"),
                new(10, 10, "uucp", "uucp", "/var/spool/uucp", nologin, "uucp"),
                new(13, 13, "proxy", "proxy", "/bin", nologin, "proxy"),
                new(33, 33, "www-data", "www-data", "/var/www", nologin, "www-data"),
                new(34, 34, "backup", "backup", "/var/backups", nologin, "backup"),
                new(38, 38, "list", "Mailing List Manager", "/var/list", nologin, "list"),
                new(39, 39, "irc", "ircd", "/run/ircd", nologin, "irc"),
                new(42, 65534, "_apt", "", "/nonexistent", nologin, "nogroup"),
                new(65534, 65534, "nobody", "nobody", "/nonexistent", nologin, "nogroup"),
                new(998, 998, "systemd-network", "systemd Network Management", "/", nologin, "systemd-network"),
                new(996, 996, "systemd-timesync", "systemd Time Synchronization", "/", nologin, "systemd-timesync"),
                new(100, 102, "messagebus", "", "/nonexistent", nologin, "messagebus"),
                new(101, 65534, "sshd", "", "/run/sshd", nologin, "nogroup"),
            ]);
        }
        accounts.Add(new(995, 994, "alpamon", "Alpacon agent", "/var/lib/alpamon", nologin, "alpamon"));
        var cloudUser = DefaultUser(s);
        accounts.Add(new(1000, 1000, cloudUser, s.Name == "monitor-01" ? "Site admin" : "Cloud image user", $"/home/{cloudUser}", "/bin/bash", cloudUser));
        switch (Role(s))
        {
            case "db":
                accounts.Add(new(26, 26, "postgres", "PostgreSQL Server", "/var/lib/pgsql", "/bin/bash", "postgres"));
                break;
            case "cache":
                accounts.Add(new(110, 113, "redis", "", "/var/lib/redis", nologin, "redis"));
                break;
            case "lb":
                accounts.Add(new(111, 114, "haproxy", "", "/var/lib/haproxy", nologin, "haproxy"));
                break;
            case "monitor":
                accounts.Add(new(112, 115, "prometheus", "Prometheus daemon", "/var/lib/prometheus", nologin, "prometheus"));
                break;
            case "api" or "web" or "worker" or "staging":
                accounts.Add(new(1001, 1001, "app", "Application runtime", "/srv/app", "/bin/false", "app"));
                break;
            case "build":
                accounts.Add(new(1001, 1001, "builder", "CI runner", "/home/builder", "/bin/bash", "builder"));
                break;
        }
        // Alpacon creates an account for every workspace user allowed on the host.
        accounts.AddRange(iamUsers.Where(u => u.IsActive && u.Uid > 0)
            .Select(u => new Account(u.Uid, u.Uid, u.Username, u.FullName, $"/home/{u.Username}", u.Shell, u.Username, u.Id)));
        return accounts;
    }

    public static IReadOnlyList<LocalGroup> Groups(Server s, IEnumerable<User> iamUsers)
    {
        string[] names = IsRpm(s)
            ? ["root:0", "bin:1", "daemon:2", "sys:3", "adm:4", "tty:5", "disk:6", "lp:7", "mem:8", "kmem:9", "wheel:10", "cdrom:11", "mail:12", "man:15", "dialout:18", "floppy:19", "games:20", "tape:33", "video:39", "ftp:50", "lock:54", "audio:63", "users:100", "nobody:65534", "utmp:22", "input:999", "kvm:36", "render:998", "systemd-journal:190", "ssh_keys:101", "sshd:74", "dbus:81", "chrony:995", "polkitd:996", "systemd-coredump:997"]
            : ["root:0", "daemon:1", "bin:2", "sys:3", "adm:4", "tty:5", "disk:6", "lp:7", "mail:8", "news:9", "uucp:10", "man:12", "proxy:13", "kmem:15", "dialout:20", "fax:21", "voice:22", "cdrom:24", "floppy:25", "tape:26", "sudo:27", "audio:29", "dip:30", "www-data:33", "backup:34", "operator:37", "list:38", "irc:39", "src:40", "shadow:42", "utmp:43", "video:44", "sasl:45", "plugdev:46", "staff:50", "games:60", "users:100", "nogroup:65534", "systemd-journal:999", "systemd-network:998", "systemd-timesync:996", "messagebus:102", "_ssh:101"];
        var groups = names.Select(n => n.Split(':')).Select(p => new LocalGroup(int.Parse(p[1], CultureInfo.InvariantCulture), p[0])).ToList();
        groups.Add(new(994, "alpamon"));
        groups.Add(new(2000, "alpacon", IamGroup: true));
        var cloudUser = DefaultUser(s);
        groups.Add(new(1000, cloudUser));
        foreach (var account in Users(s, []).Where(a => a.Gid is > 20 and < 1000 or 1001 && groups.All(g => g.Gid != a.Gid)))
            groups.Add(new(account.Gid, account.Group));
        if (Role(s) is "build" or "worker")
            groups.Add(new(993, "docker"));
        groups.AddRange(iamUsers.Where(u => u.IsActive && u.Uid > 0).Select(u => new LocalGroup(u.Uid, u.Username)));
        return groups;
    }

    /// <summary>
    /// Installed packages: the family's core set plus libraries and modules up to the role's count (hundreds on most
    /// hosts, under a hundred on the minimal lb-02), sorted by name.
    /// </summary>
    public static IReadOnlyList<Package> Packages(Server s)
    {
        var rpm = IsRpm(s);
        var target = Role(s) switch
        {
            _ when s.Name == "lb-02" => 86,
            "build" => 912,
            "monitor" => 705,
            "api" or "web" or "worker" or "staging" => 560 + Octet(s, "pkg", 0, 120),
            "db" => 471,
            "cache" => 402,
            "bastion" => 377,
            "legacy" => 518,
            _ => 430,
        };
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var packages = new List<Package>();
        void Add(string name, string source, bool portable)
        {
            if (packages.Count < target && seen.Add(name))
                packages.Add(new Package(name, Version(s, name), source, portable ? (rpm ? "noarch" : "all") : (rpm ? "x86_64" : "amd64")));
        }
        foreach (var name in rpm ? RpmCore : DebCore)
            Add(name, name, name.StartsWith("python3-", StringComparison.Ordinal) || name.EndsWith("-data", StringComparison.Ordinal));
        foreach (var name in RolePackages(Role(s)))
            Add(name, name, false);
        foreach (var stem in Stems)
        {
            if (rpm)
            {
                Add($"{stem}-libs", stem, false);
                Add($"python3-{stem}", $"python-{stem}", true);
                Add($"{stem}-devel", stem, false);
                Add($"{stem}-doc", stem, true);
                Add($"perl-{stem}", $"perl-{stem}", false);
                Add($"golang-{stem}-devel", $"golang-{stem}", true);
            }
            else
            {
                Add($"lib{stem}{Octet(s, stem, 0, 3)}", stem, false);
                Add($"python3-{stem}", $"python-{stem}", true);
                Add($"lib{stem}-dev", stem, false);
                Add($"{stem}-doc", stem, true);
                Add($"node-{stem}", $"node-{stem}", true);
                Add($"golang-{stem}-dev", $"golang-{stem}", true);
            }
        }
        packages.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        return packages;
    }

    public static JsonObject PackageJson(Server s, Package p) => new()
    {
        ["id"] = Ids.For("package", $"{s.Id}/{p.Name}"),
        ["name"] = p.Name,
        ["version"] = p.Version,
        ["source"] = p.Source,
        ["arch"] = p.Arch,
    };

    private static string DefaultUser(Server s) => s.Platform switch
    {
        "ubuntu" when s.Name == "monitor-01" => "ops",
        "ubuntu" => "ubuntu",
        "debian" => "admin",
        "rocky" => "rocky",
        "amzn" => "ec2-user",
        "centos" => "centos",
        _ => "admin",
    };

    private static string RootDisk(Server s) => s.Name == "legacy-01" ? "/dev/sda" : "/dev/nvme0n1";

    private static long RootSize(Server s) => Role(s) switch
    {
        "db" => 500 * GiB,
        "build" => 200 * GiB,
        "bastion" => 20 * GiB,
        "monitor" => 960 * GiB,
        _ => (Octet(s, "root", 0, 2) switch { 0 => 50, 1 => 80, _ => 100 }) * GiB,
    };

    private static string InstanceType(Server s)
    {
        var gibPerCore = (s.PhysicalMemory / GiB) / Math.Max(1, s.LogicalCores);
        var family = gibPerCore >= 8 ? "r6i" : gibPerCore >= 4 ? "m6i" : "c6i";
        var size = s.LogicalCores switch { <= 1 => "medium", 2 => "large", 4 => "xlarge", 8 => "2xlarge", _ => "4xlarge" };
        return s.LogicalCores <= 1 ? "t3.small" : $"{family}.{size}";
    }

    private static string Version(Server s, string package)
    {
        var h = Ids.For("version", package);
        int N(int at, int mod) => Convert.ToInt32(h.Substring(at, 2), 16) % mod;
        var upstream = $"{N(0, 4)}.{N(2, 20)}.{N(4, 10)}";
        return s.Platform switch
        {
            "ubuntu" => $"{upstream}-{1 + N(6, 4)}ubuntu{N(9, 3)}.{N(11, 4)}",
            "debian" => $"{upstream}-{1 + N(6, 4)}+deb12u{1 + N(9, 3)}",
            "rocky" => $"{upstream}-{1 + N(6, 9)}.el9",
            "amzn" => $"{upstream}-{1 + N(6, 9)}.amzn2023",
            _ => $"{upstream}-{1 + N(6, 9)}.el7",
        };
    }

    private static IEnumerable<string> RolePackages(string role) => role switch
    {
        "db" => ["postgresql16-server", "postgresql16", "postgresql16-contrib", "pgbackrest", "pg_repack_16"],
        "cache" => ["redis", "redis-tools"],
        "lb" => ["haproxy", "keepalived"],
        "web" or "staging" => ["nginx", "nginx-common", "certbot", "nodejs"],
        "api" or "worker" => ["python3.12", "python3.12-venv", "gunicorn", "supervisor"],
        "build" => ["docker-ce", "docker-ce-cli", "containerd.io", "docker-buildx-plugin", "build-essential", "gcc-13", "g++-13", "make", "cmake", "golang-go", "openjdk-21-jdk-headless", "maven"],
        "monitor" => ["prometheus", "prometheus-node-exporter", "grafana", "alertmanager"],
        _ => [],
    };

    private static readonly string[] DebCore =
    [
        "adduser", "alpamon", "apt", "apt-utils", "base-files", "base-passwd", "bash", "bash-completion", "bsdutils", "ca-certificates", "coreutils", "cron",
        "curl", "dash", "dbus", "debconf", "debianutils", "diffutils", "dpkg", "e2fsprogs", "findutils", "gpgv", "grep", "gzip", "hostname", "init-system-helpers",
        "iproute2", "iputils-ping", "less", "libc-bin", "libc6", "libssl3", "login", "logrotate", "lsb-release", "mawk", "mount", "ncurses-base", "netbase",
        "openssh-client", "openssh-server", "openssl", "passwd", "perl-base", "procps", "python3", "python3-apt", "rsyslog", "sed", "sudo", "systemd",
        "systemd-sysv", "sysvinit-utils", "tar", "tzdata", "udev", "unattended-upgrades", "util-linux", "vim-tiny", "wget", "zlib1g",
    ];

    private static readonly string[] RpmCore =
    [
        "alpamon", "audit", "basesystem", "bash", "bzip2-libs", "ca-certificates", "chrony", "coreutils", "cronie", "crypto-policies", "curl", "dbus",
        "dnf", "dnf-plugins-core", "e2fsprogs", "filesystem", "findutils", "gawk", "glibc", "glibc-common", "gnupg2", "grep", "gzip", "hostname",
        "iproute", "iputils", "kernel", "kernel-core", "less", "logrotate", "ncurses", "openssh", "openssh-clients", "openssh-server", "openssl",
        "openssl-libs", "pam", "passwd", "policycoreutils", "procps-ng", "python3", "python3-dnf", "rpm", "rsyslog", "sed", "selinux-policy",
        "setup", "shadow-utils", "sudo", "systemd", "tar", "tzdata", "util-linux", "vim-minimal", "xfsprogs", "yum", "zlib",
    ];

    private static readonly string[] Stems =
    [
        "yaml", "json-c", "xml2", "curl", "zstd", "lz4", "bz2", "gmp", "mpfr", "ffi", "pcre2", "uuid", "cap", "acl", "attr", "audit", "blkid", "mount",
        "selinux", "seccomp", "systemd", "udev", "dbus", "glib", "gnutls", "idn2", "krb5", "ldap", "nghttp2", "psl", "rtmp", "ssh", "sasl2", "sqlite3",
        "tasn1", "unistring", "p11-kit", "expat", "readline", "ncursesw", "tinfo", "edit", "bsd", "md", "xxhash", "lzma", "elf", "dw", "nl-3", "mnl",
        "nftnl", "nfnetlink", "netfilter-conntrack", "iptc", "pam", "crypt", "gcrypt", "gpg-error", "assuan", "ksba", "npth", "sodium", "argon2",
        "cryptsetup", "devmapper", "kmod", "apparmor", "bpf", "cbor", "fido2", "jansson", "jq", "onig", "magic", "pci", "usb", "sensors", "snmp",
        "wrap", "event", "ev", "uv", "http-parser", "brotli", "png", "jpeg", "tiff", "webp", "freetype", "fontconfig", "harfbuzz", "pango", "cairo",
        "pixman", "x11", "xcb", "xau", "xdmcp", "xext", "xrender", "icu", "boost-system", "protobuf", "grpc", "re2", "absl", "fmt", "spdlog", "tbb",
        "gomp", "gfortran", "quadmath", "stdc++", "gcc-s", "atomic", "asan", "ubsan", "lsan", "tsan", "itm", "cc1", "ssl", "nss", "nspr", "sqlite",
        "mariadb", "pq", "hiredis", "memcached", "zmq", "yajl", "lua", "luajit", "ruby", "perl", "tcl", "tk", "gdbm", "db5", "lmdb", "leveldb", "snappy",
        "rocksdb", "arrow", "parquet", "thrift", "avro", "orc", "geos", "proj", "gdal", "netcdf", "hdf5", "blas", "lapack", "openblas", "fftw3", "gsl",
    ];

    /// <summary>A number in [min, max] derived from the server id and a label.</summary>
    public static int Octet(Server s, string label, int min, int max) =>
        min + Convert.ToInt32(Ids.For(label, s.Id)[..4], 16) % (max - min + 1);

    private static string Hex(Server s, string label, int length) => Ids.For(label, s.Id).Replace("-", "", StringComparison.Ordinal)[..length];

    private static string Mac(Server s, string nic)
    {
        var h = Hex(s, "mac/" + nic, 10);
        var sb = new StringBuilder("02");
        for (var i = 0; i < 10; i += 2)
            sb.Append(':').Append(h, i, 2);
        return sb.ToString();
    }
}
