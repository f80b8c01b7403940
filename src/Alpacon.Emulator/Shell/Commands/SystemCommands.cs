using System.Globalization;
using System.Text;

namespace Alpacon.Emulator.Shell.Commands;

/// <summary>
/// Commands that describe the machine: hostname, whoami, id, uname, uptime, date, df, free, ps, nproc. Their
/// numbers come from <see cref="HostFacts"/>, so they agree with each other and with the server's REST view.
/// </summary>
internal static class SystemCommands
{
    public static ValueTask<int> Hostname(CommandContext c)
    {
        var facts = c.Host.Facts;
        c.Out.WriteLine(c.Args.FirstOrDefault() switch
        {
            "-I" or "--all-ip-addresses" => facts.PrivateIp + " ",
            "-i" or "--ip-address" => facts.PrivateIp,
            "-f" or "--fqdn" or "-A" => $"{facts.Hostname}.ec2.internal",
            "-d" or "--domain" => "ec2.internal",
            _ => facts.Hostname,
        });
        return CommandContext.Status(0);
    }

    public static ValueTask<int> Whoami(CommandContext c)
    {
        c.Out.WriteLine(c.User.Name);
        return CommandContext.Status(0);
    }

    public static ValueTask<int> Id(CommandContext c)
    {
        var user = c.User;
        if (c.Args.FirstOrDefault(a => !a.StartsWith('-')) is { } name)
        {
            if (c.Host.FindAccount(name) is not { } other)
                return CommandContext.Status(c.Fail($"'{name}': no such user"));
            user = other;
        }
        var flags = string.Concat(c.Args.Where(a => a.StartsWith('-')).Select(a => a.TrimStart('-')));
        var byName = flags.Contains('n');
        if (flags.Contains('u'))
            c.Out.WriteLine(byName ? user.Name : user.Uid.ToString(CultureInfo.InvariantCulture));
        else if (flags.Contains('G'))
            c.Out.WriteLine(string.Join(' ', new[] { (user.Gid, user.Group) }.Concat(user.Groups).Select(g => byName ? g.Item2 : g.Item1.ToString(CultureInfo.InvariantCulture))));
        else if (flags.Contains('g'))
            c.Out.WriteLine(byName ? user.Group : user.Gid.ToString(CultureInfo.InvariantCulture));
        else
            c.Out.WriteLine($"uid={user.Uid}({user.Name}) gid={user.Gid}({user.Group}) groups={string.Join(',', new[] { (user.Gid, user.Group) }.Concat(user.Groups).Select(g => $"{g.Item1}({g.Item2})"))}");
        return CommandContext.Status(0);
    }

    public static ValueTask<int> Groups(CommandContext c)
    {
        var user = c.Args.Count > 0 ? c.Host.FindAccount(c.Args[0]) : c.User;
        if (user is null)
            return CommandContext.Status(c.Fail($"'{c.Args[0]}': no such user"));
        var names = string.Join(' ', new[] { user.Group }.Concat(user.Groups.Select(g => g.Name)));
        c.Out.WriteLine(c.Args.Count > 0 ? $"{user.Name} : {names}" : names);
        return CommandContext.Status(0);
    }

    public static ValueTask<int> Uname(CommandContext c)
    {
        if (Flags.Parse(c, "asnrvmpio", longNames: new Dictionary<string, char> { ["all"] = 'a', ["kernel-name"] = 's', ["nodename"] = 'n', ["kernel-release"] = 'r', ["machine"] = 'm' }) is not { } flags)
            return CommandContext.Status(1);
        var facts = c.Host.Facts;
        var fields = new List<string>();
        void Field(char flag, string value)
        {
            if (flags.Has(flag) || flags.Has('a'))
                fields.Add(value);
        }
        Field('s', "Linux");
        Field('n', facts.Hostname);
        Field('r', facts.Kernel);
        Field('v', facts.KernelBuild);
        Field('m', "x86_64");
        if (!flags.Has('a'))
        {
            Field('p', "x86_64");
            Field('i', "x86_64");
        }
        else
        {
            fields.Add("x86_64");
            fields.Add("x86_64");
        }
        Field('o', "GNU/Linux");
        c.Out.WriteLine(fields.Count == 0 ? "Linux" : string.Join(' ', fields));
        return CommandContext.Status(0);
    }

    public static ValueTask<int> Uptime(CommandContext c)
    {
        var now = c.Now;
        var boot = c.Host.Server.BootTime;
        var up = now > boot ? now - boot : TimeSpan.Zero;
        var flag = c.Args.FirstOrDefault();
        if (flag is "-s" or "--since")
        {
            c.Out.WriteLine(boot.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture));
            return CommandContext.Status(0);
        }
        if (flag is "-p" or "--pretty")
        {
            var parts = new List<string>();
            void Part(int value, string unit)
            {
                if (value > 0)
                    parts.Add($"{value} {unit}{(value == 1 ? "" : "s")}");
            }
            Part(up.Days / 7, "week");
            Part(up.Days % 7, "day");
            Part(up.Hours, "hour");
            Part(up.Minutes, "minute");
            c.Out.WriteLine("up " + (parts.Count == 0 ? "0 minutes" : string.Join(", ", parts)));
            return CommandContext.Status(0);
        }
        c.Out.WriteLine(" " + UptimeSummary(c));
        return CommandContext.Status(0);
    }

    /// <summary>The line uptime, w and top share: <c>09:12:01 up 17 days,  3:04,  1 user,  load average: …</c>.</summary>
    internal static string UptimeSummary(CommandContext c, string separator = "")
    {
        var now = c.Now;
        var up = now > c.Host.Server.BootTime ? now - c.Host.Server.BootTime : TimeSpan.Zero;
        var text = new StringBuilder().Append(CultureInfo.InvariantCulture, $"{now:HH:mm:ss} up ");
        if (up.Days > 0)
            text.Append(CultureInfo.InvariantCulture, $"{up.Days} day{(up.Days == 1 ? "" : "s")}, ");
        text.Append(up.Hours > 0 ? string.Create(CultureInfo.InvariantCulture, $"{up.Hours,2}:{up.Minutes:00}") : string.Create(CultureInfo.InvariantCulture, $"{up.Minutes} min"));
        var users = c.Session.HasTerminal ? 1 : 0;
        text.Append(CultureInfo.InvariantCulture, $",  {users} user{(users == 1 ? "" : "s")},  load average{separator}: {LoadAverage(c.Host)}");
        return text.ToString();
    }

    internal static string LoadAverage(SimulatedHost host)
    {
        var load = host.Server.Load;
        return string.Create(CultureInfo.InvariantCulture, $"{load:0.00}, {load * 0.9:0.00}, {load * 0.8:0.00}");
    }

    /// <summary>date, date -u, date -I, date -R, date +FORMAT, date -d @EPOCH|ISO. The hosts keep UTC.</summary>
    public static ValueTask<int> Date(CommandContext c)
    {
        var time = c.Now;
        string format = "%a %b %e %H:%M:%S %Z %Y";
        for (var i = 0; i < c.Args.Count; i++)
        {
            var arg = c.Args[i];
            if (arg.StartsWith('+'))
            {
                format = arg[1..];
            }
            else if (arg is "-I" or "--iso-8601" or "-Idate")
            {
                format = "%F";
            }
            else if (arg is "-Iseconds" or "--iso-8601=seconds")
            {
                format = "%FT%T%:z";
            }
            else if (arg is "-R" or "--rfc-email")
            {
                format = "%a, %d %b %Y %H:%M:%S %z";
            }
            else if (arg is "-d" or "--date" && i + 1 < c.Args.Count)
            {
                var text = c.Args[++i];
                if (text.StartsWith('@') && long.TryParse(text[1..], CultureInfo.InvariantCulture, out var epoch))
                    time = DateTimeOffset.FromUnixTimeSeconds(epoch);
                else if (text is "yesterday" or "tomorrow" or "now")
                    time = time.AddDays(text == "yesterday" ? -1 : text == "tomorrow" ? 1 : 0);
                else if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed))
                    time = parsed.ToUniversalTime();
                else
                    return CommandContext.Status(c.Fail($"invalid date '{text}'"));
            }
        }
        c.Out.WriteLine(Strftime(format, time.ToUniversalTime()));
        return CommandContext.Status(0);
    }

    internal static string Strftime(string format, DateTimeOffset t)
    {
        var text = new StringBuilder();
        for (var i = 0; i < format.Length; i++)
        {
            if (format[i] != '%' || i + 1 == format.Length)
            {
                text.Append(format[i]);
                continue;
            }
            var spec = format[++i];
            if (spec == ':' && i + 1 < format.Length && format[i + 1] == 'z')
            {
                i++;
                text.Append("+00:00");
                continue;
            }
            text.Append(spec switch
            {
                'Y' => t.ToString("yyyy", CultureInfo.InvariantCulture),
                'y' => t.ToString("yy", CultureInfo.InvariantCulture),
                'm' => t.ToString("MM", CultureInfo.InvariantCulture),
                'd' => t.ToString("dd", CultureInfo.InvariantCulture),
                'e' => t.Day.ToString(CultureInfo.InvariantCulture).PadLeft(2),
                'H' => t.ToString("HH", CultureInfo.InvariantCulture),
                'I' => t.ToString("hh", CultureInfo.InvariantCulture),
                'k' => t.Hour.ToString(CultureInfo.InvariantCulture).PadLeft(2),
                'M' => t.ToString("mm", CultureInfo.InvariantCulture),
                'S' => t.ToString("ss", CultureInfo.InvariantCulture),
                'N' => (t.Ticks % TimeSpan.TicksPerSecond * 100).ToString("000000000", CultureInfo.InvariantCulture),
                'p' => t.Hour < 12 ? "AM" : "PM",
                'a' => t.ToString("ddd", CultureInfo.InvariantCulture),
                'A' => t.ToString("dddd", CultureInfo.InvariantCulture),
                'b' or 'h' => t.ToString("MMM", CultureInfo.InvariantCulture),
                'B' => t.ToString("MMMM", CultureInfo.InvariantCulture),
                'j' => t.DayOfYear.ToString("000", CultureInfo.InvariantCulture),
                'u' => (t.DayOfWeek == DayOfWeek.Sunday ? 7 : (int)t.DayOfWeek).ToString(CultureInfo.InvariantCulture),
                'w' => ((int)t.DayOfWeek).ToString(CultureInfo.InvariantCulture),
                's' => t.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture),
                'F' => t.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                'T' => t.ToString("HH:mm:ss", CultureInfo.InvariantCulture),
                'R' => t.ToString("HH:mm", CultureInfo.InvariantCulture),
                'D' => t.ToString("MM/dd/yy", CultureInfo.InvariantCulture),
                'c' => Strftime("%a %b %e %H:%M:%S %Y", t),
                'Z' => "UTC",
                'z' => "+0000",
                'n' => "\n",
                't' => "\t",
                '%' => "%",
                _ => "%" + spec,
            });
        }
        return text.ToString();
    }

    /// <summary>df [-h|-m|-k] [-T] [PATH…]: the root volume and the tmpfs mounts of a cloud VM.</summary>
    public static ValueTask<int> Df(CommandContext c)
    {
        if (Flags.Parse(c, "hkmTaHPlx", longNames: new Dictionary<string, char> { ["human-readable"] = 'h' }) is not { } flags)
            return CommandContext.Status(1);
        var facts = c.Host.Facts;
        var mounts = new List<(string Device, string Type, long Total, long Used, string Mount)>
        {
            (facts.RootDevice, facts.IsRedHat ? "xfs" : "ext4", facts.DiskTotalKb, facts.DiskUsedKb, "/"),
            ("tmpfs", "tmpfs", facts.MemTotalKb / 2, 0, "/dev/shm"),
            ("tmpfs", "tmpfs", facts.MemTotalKb / 5, 1100 + facts.Seed % 300, "/run"),
            ("tmpfs", "tmpfs", 5120, 0, "/run/lock"),
        };
        if (!facts.IsRedHat)
            mounts.Add(("/dev/nvme0n1p15", "vfat", 106_832, 6_186, "/boot/efi"));
        var status = 0;
        if (flags.Operands.Count > 0)
        {
            var selected = new List<(string, string, long, long, string)>();
            foreach (var operand in flags.Operands)
            {
                var path = c.Resolve(operand);
                if (!c.Fs.Exists(path, c.User))
                {
                    status = c.Fail($"{operand}: No such file or directory");
                    continue;
                }
                selected.Add(mounts.Where(m => path == m.Mount || path.StartsWith(m.Mount.TrimEnd('/') + "/", StringComparison.Ordinal)).MaxBy(m => m.Mount.Length));
            }
            mounts = selected;
        }
        string Size(long kb) => flags.Has('h') ? (kb == 0 ? "0" : Units.Human(kb * 1024)) : (flags.Has('m') ? (kb + 1023) / 1024 : kb).ToString(CultureInfo.InvariantCulture);
        var header = new List<string> { "Filesystem" };
        if (flags.Has('T'))
            header.Add("Type");
        header.AddRange(flags.Has('h') ? ["Size", "Used", "Avail", "Use%", "Mounted on"] : [flags.Has('m') ? "1M-blocks" : "1K-blocks", "Used", "Available", "Use%", "Mounted on"]);
        var rows = new List<List<string>> { header };
        foreach (var (device, type, total, used, mount) in mounts)
        {
            var available = mount == "/" ? facts.DiskAvailableKb : total - used;
            var percent = used == 0 ? 0 : (int)Math.Ceiling(used * 100.0 / (used + available));
            var row = new List<string> { device };
            if (flags.Has('T'))
                row.Add(type);
            row.AddRange([Size(total), Size(used), Size(available), $"{percent}%", mount]);
            rows.Add(row);
        }
        var sizes = flags.Has('T') ? new[] { 2, 3, 4 } : [1, 2, 3];
        Table(c, rows, leftAligned: flags.Has('T') ? [0, 1, 6] : [0, 5], padded: flags.Has('h') ? sizes : []);
        return CommandContext.Status(status);
    }

    /// <summary>GNU df's layout: the device column at least 14 wide, numbers right-aligned, <paramref name="padded"/> columns at least 5 wide.</summary>
    private static void Table(CommandContext c, List<List<string>> rows, int[] leftAligned, int[] padded)
    {
        var widths = Enumerable.Range(0, rows[0].Count).Select(i => Math.Max(i == 0 ? 14 : padded.Contains(i) ? 5 : 0, rows.Max(r => r[i].Length))).ToArray();
        foreach (var row in rows)
        {
            var cells = row.Select((cell, i) => i == row.Count - 1 ? cell : leftAligned.Contains(i) ? cell.PadRight(widths[i]) : cell.PadLeft(widths[i]));
            c.Out.WriteLine(string.Join(' ', cells));
        }
    }

    /// <summary>free [-h|-m|-g|-k|-b]: memory figures consistent with /proc/meminfo and the server's physical memory.</summary>
    public static ValueTask<int> Free(CommandContext c)
    {
        if (Flags.Parse(c, "hmgkbtw", longNames: new Dictionary<string, char> { ["human"] = 'h', ["mega"] = 'm', ["giga"] = 'g' }) is not { } flags)
            return CommandContext.Status(1);
        var f = c.Host.Facts;
        string Value(long kb) =>
            flags.Has('h') ? Units.Human(kb * 1024, "i")
            : flags.Has('m') ? (kb / 1024).ToString(CultureInfo.InvariantCulture)
            : flags.Has('g') ? (kb / 1024 / 1024).ToString(CultureInfo.InvariantCulture)
            : flags.Has('b') ? (kb * 1024).ToString(CultureInfo.InvariantCulture)
            : kb.ToString(CultureInfo.InvariantCulture);
        c.Out.WriteLine($"{"",8}{"total",12}{"used",12}{"free",12}{"shared",12}{"buff/cache",12}{"available",12}");
        c.Out.WriteLine($"{"Mem:",-8}{Value(f.MemTotalKb),12}{Value(f.MemUsedKb),12}{Value(f.MemFreeKb),12}{Value(f.SharedKb),12}{Value(f.BuffCacheKb),12}{Value(f.MemAvailableKb),12}");
        c.Out.WriteLine($"{"Swap:",-8}{Value(0),12}{Value(0),12}{Value(0),12}");
        if (flags.Has('t'))
            c.Out.WriteLine($"{"Total:",-8}{Value(f.MemTotalKb),12}{Value(f.MemUsedKb),12}{Value(f.MemFreeKb),12}");
        return CommandContext.Status(0);
    }

    public static ValueTask<int> Hostnamectl(CommandContext c)
    {
        var facts = c.Host.Facts;
        c.Out.WriteLine($" Static hostname: {facts.Hostname}");
        c.Out.WriteLine($"       Icon name: computer-vm");
        c.Out.WriteLine($"         Chassis: vm");
        c.Out.WriteLine($"      Machine ID: {Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(facts.Hostname)))[..32]}");
        c.Out.WriteLine($"  Virtualization: amazon");
        c.Out.WriteLine($"Operating System: {facts.PrettyName}");
        c.Out.WriteLine($"          Kernel: Linux {facts.Kernel}");
        c.Out.WriteLine($"    Architecture: x86-64");
        c.Out.WriteLine($" Hardware Vendor: Amazon EC2");
        return CommandContext.Status(0);
    }

    public static ValueTask<int> Nproc(CommandContext c)
    {
        c.Out.WriteLine(c.Host.Facts.LogicalCores.ToString(CultureInfo.InvariantCulture));
        return CommandContext.Status(0);
    }

    public static ValueTask<int> LsbRelease(CommandContext c)
    {
        var server = c.Host.Server;
        var all = c.Args.Count == 0 || c.Args.Any(a => a.Contains('a', StringComparison.Ordinal));
        if (all)
            c.Err.WriteLine("No LSB modules are available.");
        var codename = c.Host.Facts.VersionCodename;
        (char Flag, string Label, string Value)[] fields =
        [
            ('i', "Distributor ID", server.OsName.Split(' ')[0]),
            ('d', "Description", c.Host.Facts.PrettyName),
            ('r', "Release", server.OsVersion),
            ('c', "Codename", codename.Length > 0 ? codename : "n/a"),
        ];
        var shortForm = c.Args.Contains("-s") || c.Args.Any(a => a.StartsWith('-') && a.Contains('s', StringComparison.Ordinal));
        foreach (var (flag, label, value) in fields)
        {
            if (all || c.Args.Any(a => a.StartsWith('-') && a.Contains(flag, StringComparison.Ordinal)))
                c.Out.WriteLine(shortForm ? value : $"{label + ":",-16}{value}");
        }
        return CommandContext.Status(0);
    }
}
