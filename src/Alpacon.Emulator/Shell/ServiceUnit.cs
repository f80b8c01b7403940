namespace Alpacon.Emulator.Shell;

/// <summary>A process of a simulated host as ps shows it.</summary>
internal sealed record SimulatedProcess(int Pid, string User, string Command, long RssKb, double Cpu, string Tty = "?", string Stat = "Ss");

/// <summary>
/// A systemd unit of a simulated host. Which units exist follows the host's role (web and lb hosts run nginx,
/// db hosts PostgreSQL...). Whether one is active can change at run time (systemctl stop/start as root).
/// </summary>
internal sealed class ServiceUnit
{
    /// <summary>The sockets each daemon listens on, for ss and netstat.</summary>
    private static readonly Dictionary<string, string[]> Sockets = new(StringComparer.Ordinal)
    {
        ["ssh"] = ["0.0.0.0:22", "[::]:22"],
        ["sshd"] = ["0.0.0.0:22", "[::]:22"],
        ["nginx"] = ["0.0.0.0:80", "[::]:80"],
        ["app"] = ["0.0.0.0:8080"],
        ["postgresql"] = ["0.0.0.0:5432", "[::]:5432"],
        ["redis-server"] = ["127.0.0.1:6379"],
        ["prometheus"] = ["*:9090"],
        ["grafana-server"] = ["*:3000"],
    };

    private ServiceUnit(string name, string description, string[] aliases, string docs, bool active, IReadOnlyList<SimulatedProcess> processes)
    {
        Name = name;
        Description = description;
        Aliases = aliases;
        Docs = docs;
        Active = active;
        Processes = processes;
    }

    public string Name { get; }

    public string Description { get; }

    public IReadOnlyList<string> Aliases { get; }

    public string Docs { get; }

    public bool Active { get; set; }

    /// <summary>Inactive because its process failed (at boot); a unit stopped with systemctl is merely dead.</summary>
    public bool Failed { get; set; }

    public bool Enabled => true;

    /// <summary>When, after boot, the unit last started or stopped: systemctl's "since".</summary>
    public TimeSpan ChangedAfterBoot { get; set; } = TimeSpan.FromSeconds(7);

    public IReadOnlyList<SimulatedProcess> Processes { get; }

    public IReadOnlyList<string> Listen => Sockets.GetValueOrDefault(Name) ?? [];

    public int MainPid => Processes.Count > 0 ? Processes[0].Pid : 0;

    public long MemoryKb => Processes.Sum(p => p.RssKb);

    public static IReadOnlyList<ServiceUnit> For(HostFacts host)
    {
        var pid = 600 + host.Seed % 300;
        var units = new List<ServiceUnit>();
        void Add(string name, string description, string[] aliases, string docs, bool active, params (string User, string Command, long RssKb, double Cpu)[] processes)
        {
            pid += 11 + pid % 7;
            var list = new List<SimulatedProcess>();
            foreach (var p in processes)
                list.Add(new SimulatedProcess(pid++, p.User, p.Command, p.RssKb, p.Cpu, Stat: list.Count == 0 ? "Ss" : "S"));
            units.Add(new ServiceUnit(name, description, aliases, docs, active, list) { Failed = !active });
        }

        Add(host.IsRedHat ? "crond" : "cron", "Command Scheduler", host.IsRedHat ? ["cron"] : ["crond"], "man:cron(8)", true,
            ("root", host.IsRedHat ? "/usr/sbin/crond -n" : "/usr/sbin/cron -f -P", 2740, 0.0));
        Add(host.IsRedHat ? "sshd" : "ssh", "OpenBSD Secure Shell server", host.IsRedHat ? ["ssh"] : ["sshd"], "man:sshd(8) man:sshd_config(5)", true,
            ("root", "sshd: /usr/sbin/sshd -D [listener] 0 of 10-100 startups", 7912, 0.0));
        Add("rsyslog", "System Logging Service", ["syslog"], "man:rsyslogd(8)", true,
            (host.Platform == "ubuntu" ? "syslog" : "root", "/usr/sbin/rsyslogd -n -iNONE", 5020, 0.0));
        Add("alpamon", "Alpacon agent (alpamon)", [], "https://github.com/alpacax/alpamon", true,
            ("root", "/usr/local/bin/alpamon", 24576, 0.2));
        var web = host.Role is "web" or "lb" or "api" or "staging";
        if (web)
        {
            Add("nginx", "A high performance web server and a reverse proxy server", [], "man:nginx(8)", true,
                ("root", "nginx: master process /usr/sbin/nginx -g daemon on; master_process on;", 1600, 0.0),
                (host.WebUser, "nginx: worker process", 5900, 0.1),
                (host.WebUser, "nginx: worker process", 5800, 0.1));
        }
        if (host.Role is "web" or "api" or "worker" or "staging")
        {
            Add("app", "Example application (/opt/app)", [], "file:/opt/app/config.yaml", host.Role != "staging",
                ("app", "/opt/app/bin/app --config /opt/app/config.yaml", 182_400, 1.3));
        }
        if (host.Role == "db")
        {
            Add("postgresql", "PostgreSQL database server", ["postgres"], "man:postgres(1)", true,
                ("postgres", "/usr/bin/postgres -D /var/lib/pgsql/data", 31_200, 0.4),
                ("postgres", "postgres: logger", 6100, 0.0),
                ("postgres", "postgres: checkpointer", 13_600, 0.0),
                ("postgres", "postgres: background writer", 8200, 0.0),
                ("postgres", "postgres: walwriter", 10_300, 0.0));
        }
        if (host.Role == "cache")
        {
            Add("redis-server", "Advanced key-value store", ["redis"], "http://redis.io/documentation, man:redis-server(1)", true,
                ("redis", "/usr/bin/redis-server 127.0.0.1:6379", 1_482_000, 0.6));
        }
        if (host.Role is "build" or "worker")
        {
            Add("docker", "Docker Application Container Engine", [], "https://docs.docker.com", true,
                ("root", "/usr/bin/dockerd -H fd:// --containerd=/run/containerd/containerd.sock", 98_300, 0.3));
            Add("containerd", "containerd container runtime", [], "https://containerd.io", true,
                ("root", "/usr/bin/containerd", 51_200, 0.2));
        }
        if (host.Role == "monitor")
        {
            Add("prometheus", "Prometheus", [], "https://prometheus.io/docs/introduction/overview/", true,
                ("prometheus", "/usr/local/bin/prometheus --config.file=/etc/prometheus/prometheus.yml --storage.tsdb.path=/var/lib/prometheus", 412_000, 2.1));
            Add("grafana-server", "Grafana instance", ["grafana"], "http://docs.grafana.org", true,
                ("grafana", "/usr/share/grafana/bin/grafana server --config=/etc/grafana/grafana.ini", 121_000, 0.4));
        }
        if (host.Role == "legacy")
        {
            Add("httpd", "The Apache HTTP Server", ["apache2"], "man:httpd(8) man:apachectl(8)", false);
        }
        return units;
    }
}
