using System.Globalization;
using System.Text;

namespace Alpacon.Emulator.Shell.Commands;

/// <summary>
/// systemctl over the host's <see cref="ServiceUnit"/>s: status, is-active, is-enabled, start, stop, restart,
/// reload, list-units. Exit codes follow systemctl: 3 for an inactive unit, 4 for an unknown one.
/// </summary>
internal static class SystemctlCommand
{
    public static ValueTask<int> Run(CommandContext c)
    {
        var args = c.Args.Where(a => !a.StartsWith('-')).ToList();
        var verb = args.FirstOrDefault() ?? "list-units";
        var names = args.Skip(1).ToList();
        return CommandContext.Status(verb switch
        {
            "status" when names.Count == 0 => SystemStatus(c),
            "status" => Each(c, names, unit => Status(c, unit)),
            "is-active" => Each(c, names, unit =>
            {
                c.Out.WriteLine(unit.Active ? "active" : unit.Failed ? "failed" : "inactive");
                return unit.Active ? 0 : 3;
            }, quietMissing: "inactive"),
            "is-enabled" => Each(c, names, unit =>
            {
                c.Out.WriteLine("enabled");
                return 0;
            }),
            "start" or "stop" or "restart" or "reload" or "enable" or "disable" => Change(c, verb, names),
            "list-units" or "list-unit-files" => List(c),
            "daemon-reload" => c.User.IsRoot ? 0 : Denied(c, "reload daemon"),
            _ => c.Fail($"Unknown command verb '{verb}'."),
        });
    }

    private static int Each(CommandContext c, List<string> names, Func<ServiceUnit, int> act, string? quietMissing = null)
    {
        if (names.Count == 0)
            return c.Fail("Too few arguments.");
        var status = 0;
        foreach (var name in names)
        {
            if (c.Host.Facts.FindService(name) is { } unit)
            {
                status = Math.Max(status, act(unit));
                continue;
            }
            if (quietMissing is not null)
            {
                c.Out.WriteLine(quietMissing);
                status = Math.Max(status, 3);
                continue;
            }
            c.Err.WriteLine($"Unit {Unit(name)} could not be found.");
            status = 4;
        }
        return status;
    }

    private static int Change(CommandContext c, string verb, List<string> names)
    {
        if (names.Count == 0)
            return c.Fail("Too few arguments.");
        if (!c.User.IsRoot)
            return Denied(c, verb, names[0]);
        foreach (var name in names)
        {
            if (c.Host.Facts.FindService(name) is not { } unit)
            {
                c.Err.WriteLine($"Failed to {verb} {Unit(name)}: Unit {Unit(name)} not found.");
                return 5;
            }
            if (verb is "enable" or "disable" || (verb == "reload" && unit.Active) || (verb == "start" && unit.Active) || (verb == "stop" && !unit.Active))
                continue;
            unit.ChangedAfterBoot = c.Now - c.Host.Server.BootTime;
            unit.Active = verb != "stop";
            unit.Failed = false;
            var (doing, done) = verb == "stop" ? ("Stopping", "Stopped") : verb == "reload" ? ("Reloading", "Reloaded") : ("Starting", "Started");
            c.Host.Log("systemd[1]", $"{doing} {unit.Name}.service - {unit.Description}...");
            c.Host.Log("systemd[1]", $"{done} {unit.Name}.service - {unit.Description}.");
        }
        return 0;
    }

    private static int Denied(CommandContext c, string verb, string? name = null)
    {
        c.Err.WriteLine(name is null ? $"Failed to {verb}: Interactive authentication required." : $"Failed to {verb} {Unit(name)}: Interactive authentication required.");
        c.Err.WriteLine($"See system logs and 'systemctl status {(name is null ? "" : Unit(name))}' for details.");
        return 1;
    }

    private static int Status(CommandContext c, ServiceUnit unit)
    {
        var facts = c.Host.Facts;
        var since = c.Host.Server.BootTime + unit.ChangedAfterBoot;
        var unitPath = unit.Name is "app" or "alpamon" ? $"/etc/systemd/system/{unit.Name}.service" : $"{(facts.IsRedHat || facts.Platform == "ubuntu" ? "/usr/lib" : "/lib")}/systemd/system/{unit.Name}.service";
        var text = new StringBuilder();
        var bullet = unit.Active ? "●" : unit.Failed ? "×" : "○";
        text.Append(CultureInfo.InvariantCulture, $"{bullet} {unit.Name}.service - {unit.Description}\n");
        text.Append(CultureInfo.InvariantCulture, $"     Loaded: loaded ({unitPath}; enabled; preset: enabled)\n");
        var state = unit.Active ? "active (running)" : unit.Failed ? "failed (Result: exit-code)" : "inactive (dead)";
        text.Append(CultureInfo.InvariantCulture, $"     Active: {state} since {since:ddd yyyy-MM-dd HH:mm:ss} UTC; {Ago(c.Now - since)}\n");
        text.Append(CultureInfo.InvariantCulture, $"       Docs: {unit.Docs}\n");
        if (unit.Active && unit.Processes.Count > 0)
        {
            var main = unit.Processes[0];
            text.Append(CultureInfo.InvariantCulture, $"   Main PID: {main.Pid} ({VfsPath.Name(main.Command.Split(' ')[0]).TrimEnd(':')})\n");
            text.Append(CultureInfo.InvariantCulture, $"      Tasks: {unit.Processes.Count} (limit: {facts.MemTotalKb / 1700})\n");
            text.Append(CultureInfo.InvariantCulture, $"     Memory: {Units.Human(unit.MemoryKb * 1024)}\n");
            text.Append(CultureInfo.InvariantCulture, $"        CPU: {CpuTime(unit.Processes.Sum(p => p.Cpu) / 100 * Math.Max(0, (c.Now - since).TotalSeconds))}\n");
            text.Append(CultureInfo.InvariantCulture, $"     CGroup: /system.slice/{unit.Name}.service\n");
            for (var i = 0; i < unit.Processes.Count; i++)
                text.Append(CultureInfo.InvariantCulture, $"             {(i == unit.Processes.Count - 1 ? "└─" : "├─")}{unit.Processes[i].Pid} \"{unit.Processes[i].Command}\"\n");
        }
        else if (unit.Failed)
        {
            text.Append(CultureInfo.InvariantCulture, $"    Process: {unit.MainPid} ExecStart={unit.Processes.FirstOrDefault()?.Command ?? "/usr/sbin/" + unit.Name} (code=exited, status=1/FAILURE)\n");
            text.Append(CultureInfo.InvariantCulture, $"   Main PID: {unit.MainPid} (code=exited, status=1/FAILURE)\n");
        }
        c.Out.Write(text.ToString());
        return unit.Active ? 0 : 3;
    }

    private static int SystemStatus(CommandContext c)
    {
        var failed = c.Host.Facts.Services.Count(s => s.Failed);
        c.Out.WriteLine($"● {c.Host.Hostname}");
        c.Out.WriteLine($"    State: {(failed > 0 ? "degraded" : "running")}");
        c.Out.WriteLine($"    Units: {180 + c.Host.Facts.Services.Count} loaded (incl. loaded aliases)");
        c.Out.WriteLine($"     Jobs: 0 queued");
        c.Out.WriteLine($"   Failed: {failed} units");
        c.Out.WriteLine($"    Since: {c.Host.Server.BootTime:ddd yyyy-MM-dd HH:mm:ss} UTC; {Ago(c.Now - c.Host.Server.BootTime)}");
        return 0;
    }

    private static int List(CommandContext c)
    {
        var units = c.Host.Facts.Services;
        var width = units.Max(u => u.Name.Length) + 10;
        c.Out.WriteLine($"  {"UNIT".PadRight(width)} LOAD   ACTIVE   SUB     DESCRIPTION");
        foreach (var unit in units)
        {
            var (active, sub) = unit.Active ? ("active", "running") : unit.Failed ? ("failed", "failed") : ("inactive", "dead");
            c.Out.WriteLine($"{(unit.Failed ? "●" : " ")} {(unit.Name + ".service").PadRight(width)} loaded {active,-8} {sub,-7} {unit.Description}");
        }
        c.Out.WriteLine("");
        c.Out.WriteLine("LOAD   = Reflects whether the unit definition was properly loaded.");
        c.Out.WriteLine("ACTIVE = The high-level unit activation state, i.e. generalization of SUB.");
        c.Out.WriteLine("SUB    = The low-level unit activation state, values depend on unit type.");
        c.Out.WriteLine($"{units.Count} loaded units listed.");
        return 0;
    }

    private static string Unit(string name) => name.Contains('.') ? name : name + ".service";

    /// <summary>systemd's relative time: "3 months 2 days ago", "1 day 4h ago", "12min ago".</summary>
    internal static string Ago(TimeSpan span)
    {
        if (span < TimeSpan.Zero)
            span = TimeSpan.Zero;
        static string Plural(int n, string unit) => $"{n} {unit}{(n == 1 ? "" : "s")}";
        var days = span.Days;
        var text = days switch
        {
            >= 365 => $"{Plural(days / 365, "year")} {Plural(days % 365 / 30, "month")}",
            >= 30 => $"{Plural(days / 30, "month")} {Plural(days % 30, "day")}",
            >= 7 => $"{Plural(days / 7, "week")} {Plural(days % 7, "day")}",
            >= 2 => Plural(days, "day"),
            1 => $"1 day {span.Hours}h",
            _ when span.Hours > 0 => $"{span.Hours}h {span.Minutes}min",
            _ when span.Minutes > 0 => $"{span.Minutes}min {span.Seconds}s",
            _ => $"{span.Seconds}s",
        };
        return text + " ago";
    }

    private static string CpuTime(double seconds)
    {
        var span = TimeSpan.FromSeconds(seconds);
        return span.TotalHours >= 1
            ? string.Create(CultureInfo.InvariantCulture, $"{(int)span.TotalHours}h {span.Minutes}min {span.Seconds}.{span.Milliseconds:000}s")
            : span.TotalMinutes >= 1
                ? string.Create(CultureInfo.InvariantCulture, $"{span.Minutes}min {span.Seconds}.{span.Milliseconds:000}s")
                : string.Create(CultureInfo.InvariantCulture, $"{seconds:0.000}s");
    }
}
