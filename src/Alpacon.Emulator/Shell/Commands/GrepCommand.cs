using System.Text;
using System.Text.RegularExpressions;

namespace Alpacon.Emulator.Shell.Commands;

/// <summary>
/// grep with the options people pipe logs through: -i -v -c -n -l -q -s -o -w -x -h -H -r -E -F -e and -A/-B/-C.
/// Basic regular expressions are translated to .NET syntax; every match has a timeout, so no pattern can hang the emulator.
/// </summary>
internal static class GrepCommand
{
    private static readonly Dictionary<string, char> LongNames = new()
    {
        ["ignore-case"] = 'i',
        ["invert-match"] = 'v',
        ["count"] = 'c',
        ["line-number"] = 'n',
        ["recursive"] = 'r',
        ["quiet"] = 'q',
        ["extended-regexp"] = 'E',
        ["fixed-strings"] = 'F',
        ["regexp"] = 'e',
    };

    public static ValueTask<int> Run(CommandContext c)
    {
        var args = c.Name switch { "egrep" => ["-E", .. c.Args], "fgrep" => ["-F", .. c.Args], _ => c.Args.ToList() };
        if (Flags.Parse(c, "ivcnlLqsowxhHrREFIa", "eABCm", LongNames, args) is not { } flags)
            return CommandContext.Status(2);
        var operands = flags.Operands;
        var pattern = flags.Value('e');
        if (pattern is null)
        {
            if (operands.Count == 0)
            {
                c.Err.WriteLine("Usage: grep [OPTION]... PATTERNS [FILE]...");
                c.Err.WriteLine("Try 'grep --help' for more information.");
                return CommandContext.Status(2);
            }
            pattern = operands[0];
            operands = operands[1..];
        }
        Regex regex;
        try
        {
            regex = Compile(pattern, flags);
        }
        catch (ArgumentException e)
        {
            return CommandContext.Status(c.Fail(e.Message, 2));
        }
        var recursive = flags.Has('r') || flags.Has('R');
        if (operands.Count == 0 && recursive)
            operands = ["."];
        var files = Files(c, operands, recursive, flags.Has('s'), out var error);
        var prefix = flags.Has('H') || (!flags.Has('h') && (files.Count > 1 || recursive));
        var matched = false;
        var context = (After: Number(flags.Value('A') ?? flags.Value('C')), Before: Number(flags.Value('B') ?? flags.Value('C')));
        var maxCount = flags.Value('m') is { } m ? Number(m) : int.MaxValue;
        try
        {
            foreach (var (name, text) in files)
            {
                var found = Search(c, regex, flags, name, text, prefix, context, maxCount);
                matched |= found;
                if (found && flags.Has('q'))
                    return CommandContext.Status(0);
            }
        }
        catch (RegexMatchTimeoutException)
        {
            return CommandContext.Status(c.Fail("pattern too complex", 2));
        }
        return CommandContext.Status(error && !(flags.Has('q') && matched) ? 2 : matched ? 0 : 1);
    }

    private static bool Search(CommandContext c, Regex regex, Flags flags, string name, string text, bool prefix, (int After, int Before) context, int maxCount)
    {
        var lines = CommandContext.Lines(text);
        var invert = flags.Has('v');
        var selected = 0;
        var lastPrinted = -1;
        var afterLeft = 0;
        var quiet = flags.Has('q') || flags.Has('l') || flags.Has('L') || flags.Has('c');
        for (var i = 0; i < lines.Count && selected < maxCount; i++)
        {
            var line = lines[i];
            if (regex.IsMatch(line) == invert)
            {
                if (afterLeft-- > 0 && !quiet)
                    Print(c, flags, name, prefix, i, line, '-', ref lastPrinted, context);
                continue;
            }
            selected++;
            if (quiet)
                continue;
            for (var j = Math.Max(lastPrinted + 1, i - context.Before); j < i; j++)
                Print(c, flags, name, prefix, j, lines[j], '-', ref lastPrinted, context);
            if (flags.Has('o') && !invert)
            {
                foreach (Match match in regex.Matches(line))
                    c.Out.WriteLine(Prefix(flags, name, prefix, i, ':') + match.Value);
                lastPrinted = i;
            }
            else
            {
                Print(c, flags, name, prefix, i, line, ':', ref lastPrinted, context);
            }
            afterLeft = context.After;
        }
        if (flags.Has('c'))
            c.Out.WriteLine(prefix ? $"{name}:{selected}" : $"{selected}");
        else if (flags.Has('l') && selected > 0)
            c.Out.WriteLine(name == "-" ? "(standard input)" : name);
        else if (flags.Has('L') && selected == 0)
            c.Out.WriteLine(name == "-" ? "(standard input)" : name);
        return selected > 0;
    }

    private static void Print(CommandContext c, Flags flags, string name, bool prefix, int index, string line, char separator, ref int lastPrinted, (int After, int Before) context)
    {
        if ((context.After > 0 || context.Before > 0) && lastPrinted >= 0 && index > lastPrinted + 1)
            c.Out.WriteLine("--");
        c.Out.WriteLine(Prefix(flags, name, prefix, index, separator) + line);
        lastPrinted = index;
    }

    private static string Prefix(Flags flags, string name, bool prefix, int index, char separator)
    {
        var text = new StringBuilder();
        if (prefix)
            text.Append(name == "-" ? "(standard input)" : name).Append(separator);
        if (flags.Has('n'))
            text.Append(index + 1).Append(separator);
        return text.ToString();
    }

    private static List<(string Name, string Text)> Files(CommandContext c, List<string> operands, bool recursive, bool silent, out bool error)
    {
        error = false;
        var files = new List<(string, string)>();
        foreach (var operand in operands.Count == 0 ? ["-"] : operands)
        {
            if (operand != "-" && c.Fs.Stat(c.Resolve(operand), c.User) is { IsDirectory: true })
            {
                if (recursive)
                    Walk(c, operand, files, ref error, silent);
                else if (!silent)
                    c.Err.WriteLine($"grep: {operand}: Is a directory");
                continue;
            }
            try
            {
                files.Add((operand, operand == "-" ? c.ReadInput() : Devices.ReadText(c.Fs, c.Resolve(operand), c.User)));
            }
            catch (VfsException e)
            {
                error = true;
                if (!silent)
                    c.Err.WriteLine($"grep: {operand}: {e.Reason}");
            }
        }
        return files;
    }

    private static void Walk(CommandContext c, string directory, List<(string, string)> files, ref bool error, bool silent)
    {
        try
        {
            foreach (var entry in c.Fs.List(c.Resolve(directory), c.User))
            {
                var name = directory == "." ? entry.Name : VfsPath.Combine(directory, entry.Name);
                if (entry.IsDirectory)
                    Walk(c, name, files, ref error, silent);
                else if (!entry.Path.StartsWith("/dev/", StringComparison.Ordinal) && !entry.Path.StartsWith("/proc/", StringComparison.Ordinal))
                    files.Add((name, c.Fs.ReadText(entry.Path, c.User)));
            }
        }
        catch (VfsException e)
        {
            error = true;
            if (!silent)
                c.Err.WriteLine($"grep: {directory}: {e.Reason}");
        }
    }

    private static Regex Compile(string pattern, Flags flags)
    {
        var expression = flags.Has('F') ? Regex.Escape(pattern) : flags.Has('E') ? pattern : PosixRegex.FromBasic(pattern);
        if (flags.Has('w'))
            expression = $@"(?<![\w])(?:{expression})(?![\w])";
        if (flags.Has('x'))
            expression = $"^(?:{expression})$";
        return PosixRegex.Create(expression, flags.Has('i'));
    }

    private static int Number(string? text) => int.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, out var n) ? Math.Max(0, n) : 0;
}
