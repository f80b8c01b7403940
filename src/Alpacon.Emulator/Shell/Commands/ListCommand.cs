using System.Globalization;
using System.Text;

namespace Alpacon.Emulator.Shell.Commands;

/// <summary>ls: -l -a -A -h -1 -d -t -S -r -R -F. One name a line when not on a terminal, columns in Websh.</summary>
internal static class ListCommand
{
    private static readonly Dictionary<string, char> LongNames = new() { ["all"] = 'a', ["almost-all"] = 'A', ["human-readable"] = 'h', ["recursive"] = 'R', ["directory"] = 'd', ["reverse"] = 'r' };

    public static ValueTask<int> Run(CommandContext c)
    {
        if (Flags.Parse(c, "laAh1dtSrRFn", longNames: LongNames) is not { } flags)
            return CommandContext.Status(2);
        var operands = flags.Operands.Count == 0 ? ["."] : flags.Operands;
        var status = 0;
        var files = new List<(string Display, VfsEntry Entry)>();
        var directories = new List<(string Display, VfsEntry Entry)>();
        foreach (var operand in operands)
        {
            try
            {
                var entry = c.Fs.GetEntry(c.Resolve(operand), c.User);
                (entry.IsDirectory && !flags.Has('d') ? directories : files).Add((operand, entry));
            }
            catch (VfsException e)
            {
                status = 2;
                c.Err.WriteLine($"ls: cannot access '{operand}': {e.Reason}");
            }
        }
        var first = true;
        if (files.Count > 0)
        {
            Print(c, flags, Sort(files, flags));
            first = false;
        }
        var headers = operands.Count > 1 || flags.Has('R');
        var queue = new Queue<(string Display, VfsEntry Entry)>(Sort(directories, flags));
        while (queue.Count > 0)
        {
            var (display, directory) = queue.Dequeue();
            if (!first)
                c.Out.Write("\n");
            first = false;
            if (headers)
                c.Out.WriteLine(display + ":");
            IReadOnlyList<VfsEntry> children;
            try
            {
                children = c.Fs.List(directory.Path, c.User);
            }
            catch (VfsException e)
            {
                status = 2;
                c.Err.WriteLine($"ls: cannot open directory '{display}': {e.Reason}");
                continue;
            }
            var shown = children.Where(e => !e.IsHidden || flags.Has('a') || flags.Has('A')).Select(e => (e.Name, Entry: e)).ToList();
            if (flags.Has('a'))
            {
                shown.Add((".", directory));
                shown.Add(("..", c.Fs.Stat(VfsPath.Parent(directory.Path), c.User) ?? directory));
            }
            var sorted = Sort(shown, flags);
            if (flags.Has('l'))
                c.Out.WriteLine($"total {sorted.Sum(e => Units.Blocks(e.Entry))}");
            Print(c, flags, sorted);
            if (flags.Has('R'))
            {
                foreach (var (name, entry) in sorted.Where(e => e.Entry.IsDirectory && e.Display is not ("." or "..")))
                    queue.Enqueue((VfsPath.Combine(display, name), entry));
            }
        }
        return CommandContext.Status(status);
    }

    private static List<(string Display, VfsEntry Entry)> Sort(List<(string Display, VfsEntry Entry)> entries, Flags flags)
    {
        IEnumerable<(string Display, VfsEntry Entry)> sorted = flags.Has('t')
            ? entries.OrderByDescending(e => e.Entry.Modified).ThenBy(e => e.Display, StringComparer.Ordinal)
            : flags.Has('S')
                ? entries.OrderByDescending(e => e.Entry.Size).ThenBy(e => e.Display, StringComparer.Ordinal)
                : entries.OrderBy(e => e.Display, StringComparer.Ordinal);
        var list = sorted.ToList();
        if (flags.Has('r'))
            list.Reverse();
        return list;
    }

    private static void Print(CommandContext c, Flags flags, List<(string Display, VfsEntry Entry)> entries)
    {
        string Name((string Display, VfsEntry Entry) e) => e.Display + (flags.Has('F') ? e.Entry.IsDirectory ? "/" : e.Entry.IsExecutable ? "*" : "" : "");
        if (flags.Has('l') || flags.Has('n'))
        {
            var rows = entries.Select(e => (
                e.Entry.ModeString,
                Links: e.Entry.Links.ToString(CultureInfo.InvariantCulture),
                Owner: flags.Has('n') ? Id(c, e.Entry.Owner, group: false) : e.Entry.Owner,
                Group: flags.Has('n') ? Id(c, e.Entry.Group, group: true) : e.Entry.Group,
                Size: flags.Has('h') ? Units.Human(e.Entry.Size) : e.Entry.Size.ToString(CultureInfo.InvariantCulture),
                Time: Units.LsTime(e.Entry.Modified, c.Now),
                Name: Name(e))).ToList();
            if (rows.Count == 0)
                return;
            var (links, owner, group, size) = (rows.Max(r => r.Links.Length), rows.Max(r => r.Owner.Length), rows.Max(r => r.Group.Length), rows.Max(r => r.Size.Length));
            foreach (var r in rows)
                c.Out.WriteLine($"{r.ModeString} {r.Links.PadLeft(links)} {r.Owner.PadRight(owner)} {r.Group.PadRight(group)} {r.Size.PadLeft(size)} {r.Time} {r.Name}");
            return;
        }
        var names = entries.Select(Name).ToList();
        if (!c.Session.IsInteractive || flags.Has('1'))
            c.WriteLines(names);
        else if (names.Count > 0)
            c.Out.Write(Columns(names, 80));
    }

    /// <summary>Column-major layout in as few rows as fit the width, as ls does on a terminal.</summary>
    private static string Columns(List<string> names, int width)
    {
        for (var rows = 1; ; rows++)
        {
            var columns = (names.Count + rows - 1) / rows;
            var widths = Enumerable.Range(0, columns).Select(col => names.Skip(col * rows).Take(rows).Max(n => n.Length) + 2).ToList();
            if (widths.Sum() - 2 > width && rows < names.Count)
                continue;
            var text = new StringBuilder();
            for (var row = 0; row < rows; row++)
            {
                for (var col = 0; col < columns; col++)
                {
                    var index = col * rows + row;
                    if (index >= names.Count)
                        continue;
                    var last = col == columns - 1 || index + rows >= names.Count;
                    text.Append(last ? names[index] : names[index].PadRight(widths[col]));
                }
                text.Append('\n');
            }
            return text.ToString();
        }
    }

    private static string Id(CommandContext c, string name, bool group)
    {
        var account = c.Host.FindAccount(name);
        return (group ? account?.Gid : account?.Uid)?.ToString(CultureInfo.InvariantCulture) ?? name;
    }
}
