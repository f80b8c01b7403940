using System.Globalization;
using System.Text;
using Alpacon.Emulator.Core;

namespace Alpacon.Emulator.Shell;

/// <summary>
/// The initial files of a simulated host: what a freshly provisioned cloud VM of its distribution and role
/// holds, kept small (a few hundred KB). Every timestamp hangs from the server's boot time and every number from
/// its name, so two emulators build identical trees.
/// </summary>
internal static class HostSeed
{
    /// <summary>The workspace users who get accounts on every host, as the Alpacon agent provisions them.</summary>
    internal sealed record Member(string Username, int Uid, string FullName);

    public static void Populate(VirtualFileSystem fs, Server server, HostFacts host, IReadOnlyList<Member> members)
    {
        var boot = server.BootTime;
        var installed = boot.AddDays(-30);
        void Dir(string path, int mode = 0b111_101_101, string owner = "root", string group = "root") => fs.Put(path, null, owner, group, mode, installed);
        void File(string path, string content, int mode = 0b110_100_100, string owner = "root", string group = "root", DateTimeOffset? at = null) =>
            fs.Put(path, content, owner, group, mode, at ?? installed);

        foreach (var path in new[] { "/boot", "/etc", "/home", "/mnt", "/opt", "/proc", "/run", "/srv", "/sys", "/usr/local/bin", "/usr/sbin", "/usr/share", "/var/lib", "/var/log", "/var/www" })
            Dir(path);
        Dir("/root", 0b111_000_000);
        Dir("/tmp", VirtualFileSystem.StickyBit | 0b111_111_111);
        Dir("/var/tmp", VirtualFileSystem.StickyBit | 0b111_111_111);
        foreach (var device in new[] { "null", "zero", "random", "urandom" })
            File("/dev/" + device, "", 0b110_110_110);
        foreach (var program in CommandTable.Programs.Keys)
        {
            File("/usr/bin/" + program, "\u007fELF", 0b111_101_101);
            File("/bin/" + program, "\u007fELF", 0b111_101_101);
        }

        File("/etc/hostname", host.Hostname + "\n");
        File("/etc/hosts", $"127.0.0.1 localhost\n{host.PrivateIp} {host.Hostname}\n\n# The following lines are desirable for IPv6 capable hosts\n::1 ip6-localhost ip6-loopback\nff02::1 ip6-allnodes\nff02::2 ip6-allrouters\n");
        File("/etc/os-release", OsRelease(server, host));
        File("/etc/motd", Motd(server, host));
        File("/etc/resolv.conf", "nameserver 127.0.0.53\noptions edns0 trust-ad\nsearch ec2.internal\n");
        File("/etc/timezone", "Etc/UTC\n");
        if (host.IsRedHat)
            File("/etc/redhat-release", host.PrettyName.Replace(" (", " release " + server.OsVersion + " (", StringComparison.Ordinal) + "\n");
        else if (host.Platform == "debian")
            File("/etc/debian_version", "12.8\n");
        else
            File("/etc/lsb-release", $"DISTRIB_ID=Ubuntu\nDISTRIB_RELEASE={server.OsVersion}\nDISTRIB_CODENAME={host.VersionCodename}\nDISTRIB_DESCRIPTION=\"{host.PrettyName}\"\n");

        var accounts = Accounts(host, members);
        File("/etc/passwd", string.Concat(accounts.Select(a => $"{a.Name}:x:{a.Uid}:{a.Gid}:{a.Gecos}:{a.Home}:{a.Shell}\n")));
        File("/etc/group", Groups(host, accounts, members));
        File("/etc/shadow", string.Concat(accounts.Select(a => $"{a.Name}:{(a.Shell == "/bin/bash" ? "!" : "*")}:20000:0:99999:7:::\n")), host.IsRedHat ? 0 : 0b110_100_000, group: host.IsRedHat ? "root" : "shadow");
        File("/etc/ssh/sshd_config", "Include /etc/ssh/sshd_config.d/*.conf\nPermitRootLogin no\nPasswordAuthentication no\nKbdInteractiveAuthentication no\nUsePAM yes\nX11Forwarding no\nPrintMotd no\nAcceptEnv LANG LC_*\nSubsystem sftp /usr/lib/openssh/sftp-server\n");

        var shellRc = "# ~/.bashrc: executed by bash(1) for interactive shells.\n\nHISTCONTROL=ignoreboth\nHISTSIZE=1000\n\nalias ll='ls -alF'\nalias la='ls -A'\nalias l='ls -CF'\n";
        var profile = "# ~/.profile: executed by the command interpreter for login shells.\n\nif [ -n \"$BASH_VERSION\" ] && [ -f \"$HOME/.bashrc\" ]; then\n    . \"$HOME/.bashrc\"\nfi\n\nif [ -d \"$HOME/bin\" ] ; then\n    PATH=\"$HOME/bin:$PATH\"\nfi\n";
        File("/root/.bashrc", shellRc);
        File("/root/.profile", profile);
        foreach (var account in accounts.Where(a => a.Home.StartsWith("/home/", StringComparison.Ordinal)))
        {
            Dir(account.Home, 0b111_101_000, account.Name, account.Name);
            File(account.Home + "/.bashrc", shellRc, owner: account.Name, group: account.Name);
            File(account.Home + "/.profile", profile, owner: account.Name, group: account.Name);
        }

        var logGroup = host.IsRedHat ? "root" : "adm";
        var syslog = Syslog(server, host);
        File(host.SystemLog, syslog, host.IsRedHat ? 0b110_000_000 : 0b110_100_000, host.Platform == "ubuntu" ? "syslog" : "root", logGroup, boot.AddHours(6));
        Dir("/var/log/app", 0b111_101_101);
        File("/var/log/app/app.log", AppLog(host, boot), at: boot.AddHours(6));
        File("/opt/app/config.yaml", AppConfig(server, host));
        if (host.FindService("nginx") is not null)
        {
            File("/etc/nginx/nginx.conf", NginxConf(host));
            Dir("/var/log/nginx", 0b111_101_101, host.WebUser, logGroup);
            File("/var/log/nginx/access.log", AccessLog(host, boot), 0b110_100_000, host.WebUser, logGroup, boot.AddHours(6));
            File("/var/log/nginx/error.log", "", 0b110_100_000, host.WebUser, logGroup, boot.AddHours(6));
            File("/var/www/html/index.html", $"<!doctype html>\n<title>{host.Hostname}</title>\n<p>It works.</p>\n");
        }

        File("/proc/version", $"Linux version {host.Kernel} (buildd@lcy02-amd64-001) (gcc 13.2.0) {host.KernelBuild}\n", 0b100_100_100);
        File("/proc/loadavg", string.Create(CultureInfo.InvariantCulture, $"{server.Load:0.00} {server.Load * 0.9:0.00} {server.Load * 0.8:0.00} 1/{180 + host.Seed % 90} {4000 + host.Seed % 900}\n"), 0b100_100_100);
        File("/proc/meminfo", string.Create(CultureInfo.InvariantCulture, $"MemTotal:       {host.MemTotalKb,9} kB\nMemFree:        {host.MemFreeKb,9} kB\nMemAvailable:   {host.MemAvailableKb,9} kB\nBuffers:        {host.BuffCacheKb / 10,9} kB\nCached:         {host.BuffCacheKb * 9 / 10,9} kB\nSwapTotal:              0 kB\nSwapFree:               0 kB\nShmem:          {host.SharedKb,9} kB\n"), 0b100_100_100);
        File("/proc/cpuinfo", CpuInfo(host), 0b100_100_100);
    }

    private sealed record Entry(string Name, int Uid, int Gid, string Gecos, string Home, string Shell);

    private static List<Entry> Accounts(HostFacts host, IReadOnlyList<Member> members)
    {
        var nologin = host.NoLogin;
        var list = new List<Entry> { new("root", 0, 0, "root", "/root", "/bin/bash") };
        if (host.IsRedHat)
        {
            list.AddRange(
            [
                new("bin", 1, 1, "bin", "/bin", nologin),
                new("daemon", 2, 2, "daemon", "/sbin", nologin),
                new("adm", 3, 4, "adm", "/var/adm", nologin),
                new("sshd", 74, 74, "Privilege-separated SSH", "/usr/share/empty.sshd", nologin),
                new("nginx", 991, 991, "Nginx web server", "/var/lib/nginx", nologin),
                new("nobody", 65534, 65534, "Kernel Overflow User", "/", nologin),
            ]);
        }
        else
        {
            list.AddRange(
            [
                new("daemon", 1, 1, "daemon", "/usr/sbin", nologin),
                new("bin", 2, 2, "bin", "/bin", nologin),
                new("sys", 3, 3, "sys", "/dev", nologin),
                new("sync", 4, 65534, "sync", "/bin", "/bin/sync"),
                new("www-data", 33, 33, "www-data", "/var/www", nologin),
                new("nobody", 65534, 65534, "nobody", "/nonexistent", nologin),
                new("systemd-network", 998, 998, "systemd Network Management", "/", nologin),
                new("messagebus", 100, 102, "", "/nonexistent", nologin),
                new("sshd", 102, 65534, "", "/run/sshd", nologin),
            ]);
            if (host.Platform == "ubuntu")
                list.Add(new("syslog", 101, 103, "", "/nonexistent", nologin));
        }
        var serviceUsers = host.Services.SelectMany(s => s.Processes).Select(p => p.User).Distinct().Where(u => list.TrueForAll(a => a.Name != u));
        var uid = 990;
        foreach (var user in serviceUsers)
        {
            list.Add(user == "postgres"
                ? new(user, 26, 26, "PostgreSQL Server", "/var/lib/pgsql", "/bin/bash")
                : new(user, uid, uid, user, user == "app" ? "/opt/app" : "/var/lib/" + user, nologin));
            uid--;
        }
        var cloudName = host.CloudUser switch { "ubuntu" => "Ubuntu", "admin" => "Debian", "ec2-user" => "EC2 Default User", _ => "Cloud User" };
        list.Add(new(host.CloudUser, 1000, 1000, cloudName, "/home/" + host.CloudUser, "/bin/bash"));
        list.AddRange(members.Select(m => new Entry(m.Username, m.Uid, m.Uid, m.FullName, "/home/" + m.Username, "/bin/bash")));
        return list;
    }

    private static string Groups(HostFacts host, List<Entry> accounts, IReadOnlyList<Member> members)
    {
        var admins = string.Join(',', new[] { host.CloudUser }.Concat(members.Select(m => m.Username)));
        var text = new StringBuilder();
        var listed = new HashSet<int>();
        void Group(string name, int gid, string users = "")
        {
            if (listed.Add(gid))
                text.Append(CultureInfo.InvariantCulture, $"{name}:x:{gid}:{users}\n");
        }
        Group("root", 0);
        if (host.IsRedHat)
        {
            Group("bin", 1);
            Group("daemon", 2);
            Group("adm", 4);
            Group("wheel", 10, admins);
        }
        else
        {
            Group("daemon", 1);
            Group("bin", 2);
            Group("sys", 3);
            Group("adm", 4, (host.Platform == "ubuntu" ? "syslog," : "") + admins);
            Group("sudo", 27, admins);
            Group("www-data", 33);
            Group("shadow", 42);
            Group("users", 100);
        }
        if (host.FindService("docker") is not null)
            Group("docker", 989, admins);
        foreach (var account in accounts.Where(a => a.Uid == a.Gid))
            Group(account.Name, account.Gid);
        Group(host.IsRedHat ? "nobody" : "nogroup", 65534);
        return text.ToString();
    }

    /// <summary>What a login prints first: Ubuntu's and Debian's greetings; Red Hat-likes ship an empty motd.</summary>
    private static string Motd(Server server, HostFacts host) => host.Platform switch
    {
        "ubuntu" => $"Welcome to {host.PrettyName} (GNU/Linux {host.Kernel} x86_64)\n\n * Documentation:  https://help.ubuntu.com\n * Management:     https://landscape.canonical.com\n * Support:        https://ubuntu.com/pro\n\n",
        "debian" => $"Linux {host.Hostname} {host.Kernel} #1 SMP PREEMPT_DYNAMIC Debian x86_64\n\nThe programs included with the Debian GNU/Linux system are free software;\nthe exact distribution terms for each program are described in the\nindividual files in /usr/share/doc/*/copyright.\n\nDebian GNU/Linux comes with ABSOLUTELY NO WARRANTY, to the extent\npermitted by applicable law.\n",
        _ => server.Platform == "amzn" ? "   ,     #_\n   ~\\_  ####_        Amazon Linux 2023\n  ~~  \\_#####\\\n  ~~     \\###|\n  ~~       \\#/ ___   https://aws.amazon.com/linux/amazon-linux-2023\n   ~~       V~' '->\n    ~~~         /\n      ~~._.   _/\n         _/ _/\n       _/m/'\n" : "",
    };

    private static string OsRelease(Server server, HostFacts host)
    {
        var (version, homeUrl) = host.Platform switch
        {
            "ubuntu" => (host.PrettyName["Ubuntu ".Length..] + (server.OsVersion == "24.04" ? " (Noble Numbat)" : " (Jammy Jellyfish)"), "https://www.ubuntu.com/"),
            "debian" => ($"{server.OsVersion} (bookworm)", "https://www.debian.org/"),
            "rocky" => ($"{server.OsVersion} (Blue Onyx)", "https://rockylinux.org/"),
            "amzn" => (server.OsVersion, "https://aws.amazon.com/linux/amazon-linux-2023/"),
            "centos" => ($"{server.OsVersion} (Core)", "https://www.centos.org/"),
            _ => (server.OsVersion, ""),
        };
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"PRETTY_NAME=\"{host.PrettyName}\"\nNAME=\"{server.OsName}\"\nVERSION_ID=\"{server.OsVersion}\"\nVERSION=\"{version}\"\n");
        if (host.VersionCodename.Length > 0)
            text.Append(CultureInfo.InvariantCulture, $"VERSION_CODENAME={host.VersionCodename}\n");
        text.Append(CultureInfo.InvariantCulture, $"ID={server.Platform}\n");
        if (server.PlatformLike.Length > 0)
            text.Append(CultureInfo.InvariantCulture, $"ID_LIKE=\"{server.PlatformLike}\"\n");
        text.Append(CultureInfo.InvariantCulture, $"HOME_URL=\"{homeUrl}\"\n");
        if (host.Platform == "ubuntu")
            text.Append(CultureInfo.InvariantCulture, $"UBUNTU_CODENAME={host.VersionCodename}\nLOGO=ubuntu-logo\n");
        return text.ToString();
    }

    private static string Syslog(Server server, HostFacts host)
    {
        var text = new StringBuilder();
        void Line(double seconds, string source, string message)
        {
            text.Append(host.SyslogLine(server.BootTime.AddSeconds(seconds), source, message));
        }
        Line(0, "kernel", $"Linux version {host.Kernel} {host.KernelBuild}");
        Line(0, "kernel", $"Command line: BOOT_IMAGE=/vmlinuz-{host.Kernel} root=LABEL=cloudimg-rootfs ro console=tty1 console=ttyS0");
        Line(0.4, "kernel", $"smpboot: Allowing {host.LogicalCores} CPUs, 0 hotplug CPUs");
        Line(0.9, "kernel", $"Memory: {host.MemTotalKb}K/{host.MemTotalKb + 262_144}K available");
        Line(2.1, "kernel", "EXT4-fs (nvme0n1p1): mounted filesystem with ordered data mode. Quota mode: none.");
        var systemd = host.Platform switch { "ubuntu" => "255.4-1ubuntu8", "debian" => "252.31-1~deb12u1", "rocky" => "252-32.el9_4", "amzn" => "252.23-2.amzn2023", _ => "219" };
        Line(3.0, "systemd[1]", $"systemd {systemd} running in system mode (+PAM +AUDIT +SELINUX +APPARMOR +SECCOMP +GCRYPT +OPENSSL +ACL +BLKID +CURL +KMOD +PCRE2 +ZSTD default-hierarchy=unified)");
        Line(3.2, "systemd[1]", $"Hostname set to <{host.Hostname}>.");
        Line(4.5, "systemd-networkd[412]", $"ens5: Gained carrier");
        Line(4.8, "systemd-networkd[412]", $"ens5: DHCPv4 address {host.PrivateIp}/24, gateway {host.PrivateIp[..host.PrivateIp.LastIndexOf('.')]}.1 acquired from {host.PrivateIp[..host.PrivateIp.LastIndexOf('.')]}.1");
        var offset = 6.0;
        foreach (var unit in host.Services)
        {
            offset += 0.3;
            Line(offset, "systemd[1]", $"Starting {unit.Name}.service - {unit.Description}...");
            offset += 0.2;
            Line(offset, "systemd[1]", unit.Active ? $"Started {unit.Name}.service - {unit.Description}." : $"{unit.Name}.service: Main process exited, code=exited, status=1/FAILURE");
            if (!unit.Active)
                Line(offset, "systemd[1]", $"{unit.Name}.service: Failed with result 'exit-code'.");
        }
        Line(offset + 1, "alpamon[" + host.Services.First(s => s.Name == "alpamon").MainPid + "]", "Connected to the Alpacon server, waiting for commands.");
        Line(offset + 2, "systemd[1]", "Reached target multi-user.target - Multi-User System.");
        Line(offset + 2, "systemd[1]", "Startup finished in 2.113s (kernel) + 9.874s (userspace) = 11.987s.");
        var cron = host.Services[0];
        for (var hour = 0; hour < 6; hour++)
        {
            Line(hour * 3600 + 1020, $"{(host.IsRedHat ? "CROND" : "CRON")}[{cron.MainPid + 100 + hour}]", "(root) CMD (cd / && run-parts --report /etc/cron.hourly)");
            if (hour % 2 == 1)
                Line(hour * 3600 + 1500, "systemd[1]", host.IsRedHat ? "Starting dnf-makecache.service - dnf makecache..." : "Starting apt-daily.service - Daily apt download activities...");
            if (hour == 3)
                Line(hour * 3600 + 1800, "kernel", "TCP: request_sock_TCP: Possible SYN flooding on port 443. Sending cookies.  Check SNMP counters.");
            Line(hour * 3600 + 2400, "systemd[1]", "Started sysstat-collect.service - system activity accounting tool.");
        }
        return text.ToString();
    }

    private static string AppLog(HostFacts host, DateTimeOffset boot)
    {
        var text = new StringBuilder();
        string[] messages =
        [
            "INFO  [main] app: starting version 2.14.3 (build 8f3c2a1)",
            "INFO  [main] config: loaded /opt/app/config.yaml",
            "INFO  [main] db: connected to postgres://db-01.internal:5432/app (pool size 20)",
            "INFO  [main] http: listening on 0.0.0.0:8080",
            "INFO  [worker-1] jobs: processed 120 jobs in 4.2s",
            "WARN  [worker-2] cache: redis latency 212ms exceeds 200ms threshold",
            "INFO  [http-14] http: GET /healthz 200 1ms",
            "ERROR [http-22] http: POST /api/orders 500 31ms: upstream timeout after 30s",
            "INFO  [worker-1] jobs: processed 118 jobs in 4.0s",
            "WARN  [main] db: slow query (1.8s): SELECT * FROM orders WHERE status = $1",
            "ERROR [worker-3] jobs: job 88121 failed: connection reset by peer",
            "INFO  [http-3] http: GET /api/orders?page=2 200 12ms",
        ];
        for (var i = 0; i < 36; i++)
        {
            var at = boot.AddSeconds(20 + i * 587 + host.Seed % 60);
            text.Append(CultureInfo.InvariantCulture, $"{at:yyyy-MM-dd HH:mm:ss},{(host.Seed + i * 37) % 1000:000} {messages[i < 4 ? i : 4 + (host.Seed + i) % (messages.Length - 4)]}\n");
        }
        return text.ToString();
    }

    private static string AppConfig(Server server, HostFacts host) => $"""
        # Application settings for {host.Hostname} (managed by deploy-bot; local edits are overwritten)
        app:
          name: example-app
          environment: {(host.Role == "staging" ? "staging" : "production")}
          listen: 0.0.0.0:8080
          workers: {host.LogicalCores * 2}
        database:
          host: db-01.internal
          port: 5432
          name: app
          user: app
          password_file: /run/secrets/db_password
        cache:
          host: cache-01.internal
          port: 6379
        logging:
          level: info
          file: /var/log/app/app.log
        node:
          hostname: {host.Hostname}
          os: "{server.OsLabel}"

        """;

    private static string NginxConf(HostFacts host) => $$"""
        user {{host.WebUser}};
        worker_processes auto;
        pid /run/nginx.pid;

        events {
            worker_connections 768;
        }

        http {
            sendfile on;
            tcp_nopush on;
            types_hash_max_size 2048;
            include /etc/nginx/mime.types;
            default_type application/octet-stream;
            access_log /var/log/nginx/access.log;
            error_log /var/log/nginx/error.log;
            gzip on;

            upstream app {
                server 127.0.0.1:8080;
            }

            server {
                listen 80 default_server;
                server_name {{host.Hostname}};
                location / {
                    proxy_pass http://app;
                }
            }
        }

        """;

    private static string AccessLog(HostFacts host, DateTimeOffset boot)
    {
        var text = new StringBuilder();
        string[] requests = ["GET /healthz HTTP/1.1\" 200 2", "GET / HTTP/1.1\" 200 612", "GET /api/orders HTTP/1.1\" 200 5120", "POST /api/orders HTTP/1.1\" 201 88", "GET /favicon.ico HTTP/1.1\" 404 162", "POST /api/orders HTTP/1.1\" 502 166"];
        for (var i = 0; i < 24; i++)
        {
            var at = boot.AddSeconds(60 + i * 911);
            text.Append(CultureInfo.InvariantCulture, $"198.51.100.{(host.Seed + i * 13) % 200 + 2} - - [{at:dd/MMM/yyyy:HH:mm:ss} +0000] \"{requests[(host.Seed + i) % requests.Length]} \"-\" \"Mozilla/5.0 (X11; Linux x86_64)\"\n");
        }
        return text.ToString();
    }

    private static string CpuInfo(HostFacts host)
    {
        var text = new StringBuilder();
        for (var cpu = 0; cpu < host.LogicalCores; cpu++)
        {
            text.Append(CultureInfo.InvariantCulture, $"processor\t: {cpu}\nvendor_id\t: GenuineIntel\ncpu family\t: 6\nmodel\t\t: 106\nmodel name\t: {host.CpuBrand}\nstepping\t: 6\ncpu MHz\t\t: 2899.998\ncache size\t: 55296 KB\nphysical id\t: 0\nsiblings\t: {host.LogicalCores}\ncore id\t\t: {cpu / 2}\ncpu cores\t: {Math.Max(1, host.LogicalCores / 2)}\nflags\t\t: fpu vme de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat pse36 clflush mmx fxsr sse sse2 ss ht syscall nx pdpe1gb rdtscp lm constant_tsc rep_good nopl xtopology nonstop_tsc cpuid aperfmperf tsc_known_freq pni pclmulqdq ssse3 fma cx16 pcid sse4_1 sse4_2 x2apic movbe popcnt tsc_deadline_timer aes xsave avx f16c rdrand hypervisor lahf_lm abm 3dnowprefetch avx2 avx512f\n\n");
        }
        return text.ToString();
    }
}
