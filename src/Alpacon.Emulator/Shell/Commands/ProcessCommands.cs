using System.Globalization;

namespace Alpacon.Emulator.Shell.Commands;

/// <summary>ps and sleep: the process table of the host's role, and a wait that never holds a thread.</summary>
internal static class ProcessCommands
{
    public static ValueTask<int> Ps(CommandContext c)
    {
        var args = string.Concat(c.Args.Where(a => !a.StartsWith("--", StringComparison.Ordinal)));
        var processes = Table(c);
        var facts = c.Host.Facts;
        var boot = c.Host.Server.BootTime;
        var now = c.Now;
        var uptime = Math.Max(1, (now - boot).TotalSeconds);
        string Start(SimulatedProcess p) => p.Pid >= c.Session.ProcessId ? now.ToString("HH:mm", CultureInfo.InvariantCulture) : boot.ToString(now - boot < TimeSpan.FromDays(1) ? "HH:mm" : "MMMdd", CultureInfo.InvariantCulture);
        TimeSpan Cpu(SimulatedProcess p) => TimeSpan.FromSeconds(p.Pid >= c.Session.ProcessId ? 0 : p.Cpu / 100 * uptime);
        static string User(string name) => name.Length > 8 ? name[..7] + "+" : name;
        if (args.Contains('u') && !args.Contains('-') || args.Contains("aux", StringComparison.Ordinal))
        {
            c.Out.WriteLine("USER         PID %CPU %MEM    VSZ   RSS TTY      STAT START   TIME COMMAND");
            foreach (var p in processes)
            {
                var mem = p.RssKb * 100.0 / facts.MemTotalKb;
                var vsz = p.RssKb == 0 ? 0 : p.RssKb * 3 + 160_000;
                var time = Cpu(p);
                c.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{User(p.User),-8} {p.Pid,7} {p.Cpu,4:0.0} {mem,4:0.0} {vsz,6} {p.RssKb,5} {p.Tty,-8} {p.Stat,-4} {Start(p),5} {(int)time.TotalMinutes,3}:{time.Seconds:00} {p.Command}"));
            }
            return CommandContext.Status(0);
        }
        if (args.Contains('e') || args.Contains('A') || args.Contains('f'))
        {
            var full = args.Contains('f');
            c.Out.WriteLine(full ? "UID          PID    PPID  C STIME TTY          TIME CMD" : "    PID TTY          TIME CMD");
            foreach (var p in processes)
            {
                var time = Cpu(p);
                var clock = string.Create(CultureInfo.InvariantCulture, $"{(int)time.TotalHours:00}:{time.Minutes:00}:{time.Seconds:00}");
                var parent = p.Pid is 1 or 2 ? 0 : p.Command.StartsWith('[') ? 2 : p.Pid >= c.Session.ProcessId ? c.Session.ProcessId : 1;
                c.Out.WriteLine(full
                    ? string.Create(CultureInfo.InvariantCulture, $"{User(p.User),-8} {p.Pid,7} {parent,7} {(int)p.Cpu,2} {Start(p),5} {p.Tty,-8} {clock,8} {p.Command}")
                    : string.Create(CultureInfo.InvariantCulture, $"{p.Pid,7} {p.Tty,-8} {clock,8} {p.Command.Split(' ')[0].TrimStart('-')}"));
            }
            return CommandContext.Status(0);
        }
        c.Out.WriteLine("    PID TTY          TIME CMD");
        foreach (var p in processes.Where(p => p.Pid >= c.Session.ProcessId))
            c.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{p.Pid,7} {p.Tty,-8} 00:00:00 {VfsPath.Name(p.Command.Split(' ')[0].TrimStart('-'))}"));
        return CommandContext.Status(0);
    }

    /// <summary>top -b -n 1 (and plain top, which prints one screen): the summary lines and the busiest processes.</summary>
    public static ValueTask<int> Top(CommandContext c)
    {
        var facts = c.Host.Facts;
        var processes = Table(c);
        var mib = (double kb) => (kb / 1024).ToString("0.0", CultureInfo.InvariantCulture);
        var busy = Math.Min(99.0, c.Host.Server.Load * 100 / facts.LogicalCores);
        c.Out.WriteLine("top - " + SystemCommands.UptimeSummary(c));
        c.Out.WriteLine($"Tasks: {processes.Count,3} total,   1 running, {processes.Count - 1,3} sleeping,   0 stopped,   0 zombie");
        c.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"%Cpu(s): {busy * 0.7,4:0.0} us, {busy * 0.25,4:0.0} sy,  0.0 ni, {100 - busy,4:0.0} id, {busy * 0.05,4:0.0} wa,  0.0 hi,  0.0 si,  0.0 st"));
        c.Out.WriteLine($"MiB Mem : {mib(facts.MemTotalKb),8} total, {mib(facts.MemFreeKb),8} free, {mib(facts.MemUsedKb),8} used, {mib(facts.BuffCacheKb),8} buff/cache");
        c.Out.WriteLine($"MiB Swap: {"0.0",8} total, {"0.0",8} free, {"0.0",8} used. {mib(facts.MemAvailableKb),8} avail Mem");
        c.Out.WriteLine("");
        c.Out.WriteLine("    PID USER      PR  NI    VIRT    RES    SHR S  %CPU  %MEM     TIME+ COMMAND");
        var uptime = Math.Max(1, (c.Now - c.Host.Server.BootTime).TotalSeconds);
        foreach (var p in processes.OrderByDescending(p => p.Cpu).ThenByDescending(p => p.RssKb).Take(20))
        {
            var time = TimeSpan.FromSeconds(p.Pid >= c.Session.ProcessId ? 0 : p.Cpu / 100 * uptime);
            var name = VfsPath.Name(p.Command.Split(' ')[0].TrimStart('-').TrimEnd(':').Trim('[', ']'));
            c.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{p.Pid,7} {(p.User.Length > 8 ? p.User[..7] + "+" : p.User),-8}  20   0 {(p.RssKb == 0 ? 0 : p.RssKb * 3 + 160_000),7} {p.RssKb,6} {p.RssKb / 4,6} {p.Stat[0]} {p.Cpu,5:0.0} {p.RssKb * 100.0 / facts.MemTotalKb,5:0.0} {(int)time.TotalMinutes,6}:{time.Seconds:00}.{time.Milliseconds / 10:00} {name}"));
        }
        return CommandContext.Status(0);
    }

    /// <summary>kill [-SIGNAL] PID…: root may stop a service's process (the unit fails); others get EPERM.</summary>
    public static ValueTask<int> Kill(CommandContext c)
    {
        var status = 0;
        var processes = Table(c);
        foreach (var arg in c.Args.Where(a => !a.StartsWith('-')))
        {
            if (!int.TryParse(arg, CultureInfo.InvariantCulture, out var pid) || processes.Find(p => p.Pid == pid) is not { } process)
            {
                status = BuiltinCommands.Fail(c, $"({arg}) - No such process");
                continue;
            }
            if (!c.User.IsRoot && process.User != c.User.Name)
            {
                status = BuiltinCommands.Fail(c, $"({pid}) - Operation not permitted");
                continue;
            }
            if (c.Host.Facts.Services.FirstOrDefault(s => s.MainPid == pid && s.Active) is { } unit)
            {
                unit.Active = false;
                unit.Failed = true;
                unit.ChangedAfterBoot = c.Now - c.Host.Server.BootTime;
                c.Host.Log("systemd[1]", $"{unit.Name}.service: Main process exited, code=killed, status=15/TERM");
            }
        }
        return CommandContext.Status(status);
    }

    /// <summary>w and who: the interactive session is the one logged-in user; the agent's commands have no terminal.</summary>
    public static ValueTask<int> Who(CommandContext c)
    {
        var login = c.Session.HasTerminal ? c.Now.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) : null;
        if (c.Name == "w")
        {
            c.Out.WriteLine(" " + SystemCommands.UptimeSummary(c));
            c.Out.WriteLine("USER     TTY      FROM             LOGIN@   IDLE   JCPU   PCPU WHAT");
            if (login is not null)
                c.Out.WriteLine($"{c.User.Name,-8} pts/0    {c.Host.Facts.PrivateIp[..c.Host.Facts.PrivateIp.LastIndexOf('.')] + ".2",-16} {c.Now:HH:mm}    0.00s  0.02s  0.00s w");
        }
        else if (login is not null)
        {
            c.Out.WriteLine($"{c.User.Name,-8} pts/0        {login} ({c.Host.Facts.PrivateIp[..c.Host.Facts.PrivateIp.LastIndexOf('.')] + ".2"})");
        }
        return CommandContext.Status(0);
    }

    /// <summary>The kernel and system processes every host has, the role's services, then this shell and ps itself.</summary>
    private static List<SimulatedProcess> Table(CommandContext c)
    {
        var facts = c.Host.Facts;
        var systemd = facts.IsRedHat ? "/usr/lib/systemd/systemd --switched-root --system --deserialize 31" : "/sbin/init";
        var lib = facts.IsRedHat ? "/usr/lib/systemd" : "/lib/systemd";
        var list = new List<SimulatedProcess>
        {
            new(1, "root", systemd, 11_540, 0.0),
            new(2, "root", "[kthreadd]", 0, 0.0, Stat: "S"),
            new(3, "root", "[pool_workqueue_release]", 0, 0.0, Stat: "S"),
            new(4, "root", "[kworker/R-rcu_g]", 0, 0.0, Stat: "I<"),
            new(12, "root", "[ksoftirqd/0]", 0, 0.0, Stat: "S"),
            new(13, "root", "[rcu_sched]", 0, 0.0, Stat: "I"),
            new(14, "root", "[migration/0]", 0, 0.0, Stat: "S"),
            new(88, "root", "[kswapd0]", 0, 0.0, Stat: "S"),
            new(301 + facts.Seed % 40, "root", $"{lib}/systemd-journald", 18_200, 0.0),
            new(352 + facts.Seed % 40, "root", $"{lib}/systemd-udevd", 7_600, 0.0),
            new(412, facts.IsRedHat ? "root" : "systemd-network", $"{lib}/systemd-networkd", 8_400, 0.0),
            new(438 + facts.Seed % 30, facts.IsRedHat ? "dbus" : "messagebus", "@dbus-daemon --system --address=systemd: --nofork --nopidfile --systemd-activation --syslog-only", 5_100, 0.0),
        };
        list.AddRange(facts.Services.Where(s => s.Active).SelectMany(s => s.Processes));
        var tty = c.Session.HasTerminal ? "pts/0" : "?";
        list.Add(new(c.Session.ProcessId, c.User.Name, c.Session.HasTerminal ? "-bash" : "bash", 5_300, 0.0, tty, c.Session.HasTerminal ? "Ss" : "S"));
        list.Add(new(c.Host.NextPid(), c.User.Name, string.Join(' ', new[] { c.Name }.Concat(c.Args)), 4_200, 0.0, tty, c.Session.HasTerminal ? "R+" : "R"));
        return [.. list.OrderBy(p => p.Pid)];
    }

    /// <summary>sleep N[smhd]…: waits on the host's clock without blocking a thread, and stops at once when cancelled.</summary>
    public static async ValueTask<int> Sleep(CommandContext c)
    {
        if (c.Args.Count == 0)
            return c.Fail("missing operand");
        var total = TimeSpan.Zero;
        foreach (var arg in c.Args)
        {
            if (arg == "infinity")
            {
                total = Timeout.InfiniteTimeSpan;
                break;
            }
            var unit = arg.Length > 0 && char.IsAsciiLetter(arg[^1]) ? arg[^1] : 's';
            var number = char.IsAsciiLetter(unit) && arg.Length > 0 && char.IsAsciiLetter(arg[^1]) ? arg[..^1] : arg;
            var scale = unit switch { 's' => 1.0, 'm' => 60.0, 'h' => 3600.0, 'd' => 86400.0, _ => -1 };
            if (scale < 0 || !double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || value < 0 || double.IsNaN(value))
                return c.Fail($"invalid time interval '{arg}'");
            total += TimeSpan.FromSeconds(Math.Min(value * scale, TimeSpan.FromDays(30).TotalSeconds));
        }
        // Output printed before the wait reaches the caller now, not when the line ends.
        await c.FlushAsync().ConfigureAwait(false);
        await Task.Delay(total, c.Host.Time, c.Token).ConfigureAwait(false);
        return 0;
    }
}
