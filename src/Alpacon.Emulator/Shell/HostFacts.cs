using Alpacon.Emulator.Core;

namespace Alpacon.Emulator.Shell;

/// <summary>
/// What a simulated host looks like from inside: distribution details, kernel, disk and memory figures, the
/// services its role runs. Everything derives from the <see cref="Server"/> and a hash of its name, so df, free,
/// ps and uname agree with each other, with the REST API, and from one start to the next.
/// </summary>
internal sealed class HostFacts
{
    public HostFacts(Server server)
    {
        Hostname = server.Name;
        Role = server.Name.Split('-')[0];
        Seed = StableHash(server.Name);
        Platform = server.Platform;
        IsRedHat = server.Platform is "rocky" or "centos" or "amzn";
        (Kernel, KernelBuild, CloudUser, PrettyName, VersionId, VersionCodename) = Distribution(server);
        LogicalCores = server.LogicalCores;
        CpuBrand = server.CpuBrand;
        PrivateIp = $"10.0.{1 + Seed % 4}.{10 + Seed / 7 % 240}";
        MemTotalKb = server.PhysicalMemory / 1024 * 97 / 100;
        var busy = server.Profile switch { HostProfile.CpuSpike => 0.71, HostProfile.Idle => 0.08, _ => 0.18 + Seed % 17 / 100.0 };
        MemUsedKb = (long)(MemTotalKb * busy);
        BuffCacheKb = (long)(MemTotalKb * (0.12 + Seed % 11 / 100.0));
        SharedKb = 1024 + Seed % 4096;
        // A volume of N GiB shows about 97.5% of it in df once ext4/xfs metadata is taken.
        DiskTotalKb = (Role switch { "db" => 500L, "build" => 200L, "cache" => 40L, "bastion" => 8L, _ => 80L }) * 1024 * 1024 * 975 / 1000;
        var diskUse = server.Profile switch { HostProfile.DiskNearlyFull => 0.94, HostProfile.Idle => 0.21, _ => 0.32 + Seed % 29 / 100.0 };
        // Use% in df is used / (used + available), and ext4 keeps 5% for root: scale so df shows the profile.
        DiskUsedKb = (long)(DiskTotalKb * 95 / 100 * diskUse);
        Services = ServiceUnit.For(this);
    }

    public string Hostname { get; }

    /// <summary>The name's prefix ("web", "db", "cache"...), which decides the services.</summary>
    public string Role { get; }

    /// <summary>A stable per-host number (string hashes differ between processes; this does not).</summary>
    public int Seed { get; }

    /// <summary>The os-release ID: ubuntu, debian, rocky, amzn, centos.</summary>
    public string Platform { get; }

    public bool IsRedHat { get; }

    public string Kernel { get; }

    public string KernelBuild { get; }

    /// <summary>The cloud image's default login (ubuntu, admin, rocky, ec2-user, centos).</summary>
    public string CloudUser { get; }

    public string PrettyName { get; }

    public string VersionId { get; }

    public string VersionCodename { get; }

    public int LogicalCores { get; }

    public string CpuBrand { get; }

    public string PrivateIp { get; }

    public long MemTotalKb { get; }

    public long MemUsedKb { get; }

    public long BuffCacheKb { get; }

    public long SharedKb { get; }

    public long MemFreeKb => MemTotalKb - MemUsedKb - BuffCacheKb;

    public long MemAvailableKb => MemFreeKb + BuffCacheKb * 9 / 10;

    public long DiskTotalKb { get; }

    public long DiskUsedKb { get; }

    public long DiskAvailableKb => Math.Max(0, DiskTotalKb * 95 / 100 - DiskUsedKb);

    public string NoLogin => IsRedHat ? "/sbin/nologin" : "/usr/sbin/nologin";

    /// <summary>The group whose members may sudo.</summary>
    public string AdminGroup => IsRedHat ? "wheel" : "sudo";

    public string WebUser => IsRedHat ? "nginx" : "www-data";

    /// <summary>Where rsyslog writes: Debian-likes keep syslog, Red Hat-likes messages.</summary>
    public string SystemLog => IsRedHat ? "/var/log/messages" : "/var/log/syslog";

    public string RootDevice => IsRedHat ? "/dev/nvme0n1p1" : "/dev/root";

    public IReadOnlyList<ServiceUnit> Services { get; }

    public ServiceUnit? FindService(string name)
    {
        var unit = name.EndsWith(".service", StringComparison.Ordinal) ? name[..^8] : name;
        return Services.FirstOrDefault(s => s.Name == unit || s.Aliases.Contains(unit));
    }

    /// <summary>A traditional syslog line: <c>Mar  7 09:00:01 web-01 systemd[1]: message</c>.</summary>
    public string SyslogLine(DateTimeOffset at, string source, string message) =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{at:MMM} {at.Day,2} {at:HH:mm:ss} {Hostname} {source}: {message}\n");

    public static int StableHash(string text)
    {
        var hash = 2166136261u;
        foreach (var c in text)
            hash = (hash ^ c) * 16777619u;
        return (int)(hash & 0x7FFFFFFF);
    }

    private static (string Kernel, string Build, string CloudUser, string Pretty, string VersionId, string Codename) Distribution(Server s) => (s.Platform, s.OsVersion) switch
    {
        ("ubuntu", "24.04") => ("6.8.0-1021-aws", "#23-Ubuntu SMP Mon Dec  9 23:59:34 UTC 2024", "ubuntu", "Ubuntu 24.04.1 LTS", "24.04", "noble"),
        ("ubuntu", _) => ("5.15.0-1075-aws", "#82-Ubuntu SMP Tue Nov 26 01:45:23 UTC 2024", "ubuntu", $"Ubuntu {s.OsVersion}.5 LTS", s.OsVersion, "jammy"),
        ("debian", _) => ("6.1.0-28-cloud-amd64", "#1 SMP PREEMPT_DYNAMIC Debian 6.1.119-1 (2024-11-22)", "admin", $"Debian GNU/Linux {s.OsVersion} (bookworm)", s.OsVersion, "bookworm"),
        ("rocky", _) => ("5.14.0-427.42.1.el9_4.x86_64", "#1 SMP PREEMPT_DYNAMIC Fri Nov 1 14:58:04 UTC 2024", "rocky", $"Rocky Linux {s.OsVersion} (Blue Onyx)", s.OsVersion, "blueonyx"),
        ("amzn", _) => ("6.1.115-126.197.amzn2023.x86_64", "#1 SMP PREEMPT_DYNAMIC Tue Nov  5 17:36:57 UTC 2024", "ec2-user", $"Amazon Linux {s.OsVersion}", s.OsVersion, ""),
        ("centos", _) => ("3.10.0-1160.119.1.el7.x86_64", "#1 SMP Tue Jun 4 14:43:51 UTC 2024", "centos", $"CentOS Linux {s.OsVersion} (Core)", s.OsVersion, ""),
        _ => ("6.1.0-28-amd64", "#1 SMP PREEMPT_DYNAMIC", "admin", s.OsLabel, s.OsVersion, ""),
    };
}
