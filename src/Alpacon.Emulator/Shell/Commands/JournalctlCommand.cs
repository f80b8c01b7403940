using System.Globalization;

namespace Alpacon.Emulator.Shell.Commands;

/// <summary>
/// journalctl [-u UNIT]… [-n N] [-k] [-r] [--no-pager]: the host's system log, filtered by unit. Like the real
/// journal it is readable by root and the adm, wheel and systemd-journal groups only.
/// </summary>
internal static class JournalctlCommand
{
    public static ValueTask<int> Run(CommandContext c)
    {
        var units = new List<ServiceUnit>();
        int? lines = null;
        bool kernel = false, reverse = false;
        for (var i = 0; i < c.Args.Count; i++)
        {
            var arg = c.Args[i];
            var value = arg.Contains('=', StringComparison.Ordinal) ? arg[(arg.IndexOf('=', StringComparison.Ordinal) + 1)..] : i + 1 < c.Args.Count ? c.Args[i + 1] : null;
            var consumes = !arg.Contains('=', StringComparison.Ordinal);
            switch (arg.Split('=')[0])
            {
                case "-u" or "--unit" when value is not null:
                    if (c.Host.Facts.FindService(value) is not { } unit)
                    {
                        c.Out.WriteLine("-- No entries --");
                        return CommandContext.Status(0);
                    }
                    units.Add(unit);
                    i += consumes ? 1 : 0;
                    break;
                case "-n" or "--lines" when value is not null:
                    lines = int.TryParse(value, CultureInfo.InvariantCulture, out var n) ? n : 10;
                    i += consumes ? 1 : 0;
                    break;
                case "-k" or "--dmesg":
                    kernel = true;
                    break;
                case "-r" or "--reverse":
                    reverse = true;
                    break;
                case "-p" or "--priority" or "-S" or "--since" or "-U" or "--until" or "-o" or "--output" when consumes:
                    i++;
                    break;
            }
        }
        var facts = c.Host.Facts;
        if (!c.User.IsRoot && !c.User.InGroup("adm") && !c.User.InGroup("wheel") && !c.User.InGroup("systemd-journal"))
        {
            c.Out.WriteLine("Hint: You are currently not seeing messages from other users and the system.");
            c.Out.WriteLine("      Users in groups 'adm', 'systemd-journal', 'wheel' can see all messages.");
            c.Out.WriteLine("      Pass -q to turn off this notice.");
            c.Out.WriteLine("-- No entries --");
            return CommandContext.Status(0);
        }
        var log = c.Fs.Exists(facts.SystemLog) ? CommandContext.Lines(c.Fs.ReadText(facts.SystemLog)) : [];
        var selected = log.Where(line => (!kernel || Source(line).StartsWith("kernel", StringComparison.Ordinal)) && (units.Count == 0 || units.Exists(u => Mentions(line, u)))).ToList();
        if (lines is { } count)
            selected = selected.TakeLast(count).ToList();
        if (reverse)
            selected.Reverse();
        if (selected.Count == 0)
            c.Out.WriteLine("-- No entries --");
        c.WriteLines(selected);
        return CommandContext.Status(0);
    }

    /// <summary>The syslog tag of a line: what stands between the hostname and the colon.</summary>
    private static string Source(string line)
    {
        var parts = line.Split(' ', 5, StringSplitOptions.RemoveEmptyEntries);
        return parts.Length == 5 ? parts[4].Split(':')[0] : "";
    }

    private static bool Mentions(string line, ServiceUnit unit)
    {
        var source = Source(line);
        return source.StartsWith(unit.Name + "[", StringComparison.Ordinal)
            || unit.Aliases.Any(a => source.StartsWith(a + "[", StringComparison.OrdinalIgnoreCase))
            || (source.StartsWith("systemd[", StringComparison.Ordinal) && line.Contains($" {unit.Name}.service", StringComparison.Ordinal));
    }
}
