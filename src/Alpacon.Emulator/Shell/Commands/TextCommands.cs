using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Alpacon.Emulator.Shell.Commands;

/// <summary>The text filters of coreutils: cat, head, tail, wc, sort, uniq, seq, tee, cut, tr and friends.</summary>
internal static class TextCommands
{
    private static readonly Dictionary<string, char> LinesOption = new() { ["lines"] = 'n', ["bytes"] = 'c', ["quiet"] = 'q' };

    public static ValueTask<int> Cat(CommandContext c)
    {
        if (Flags.Parse(c, "nuAvE") is not { } flags)
            return CommandContext.Status(1);
        var inputs = c.ReadInputs(flags.Operands, out var failed);
        var number = 0;
        foreach (var (name, text) in inputs)
        {
            if (flags.Has('n'))
                c.WriteLines(CommandContext.Lines(text).Select(l => $"{++number,6}\t{l}"));
            else
                c.Out.Write(text);
        }
        return CommandContext.Status(failed ? 1 : 0);
    }

    public static ValueTask<int> Head(CommandContext c) => Ends(c, head: true);

    public static ValueTask<int> Tail(CommandContext c) => Ends(c, head: false);

    /// <summary>head and tail: <c>-n N</c>, <c>-N</c>, <c>-c N</c>, tail's <c>-n +N</c>; with several files, <c>==&gt; f &lt;==</c> headers.</summary>
    private static ValueTask<int> Ends(CommandContext c, bool head)
    {
        // "-20" is the historical spelling of "-n 20".
        var args = c.Args.Select(a => a.Length > 1 && a[0] == '-' && a.Skip(1).All(char.IsAsciiDigit) ? "-n" + a[1..] : a).ToList();
        if (Flags.Parse(c, "qvfF", "nc", LinesOption, args) is not { } flags)
            return CommandContext.Status(1);
        var bytes = flags.Value('c') is not null;
        var count = flags.Value('c') ?? flags.Value('n') ?? "10";
        var fromStart = !head && count.StartsWith('+');
        if (!long.TryParse(count.TrimStart('+'), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n))
            return CommandContext.Status(c.Fail($"invalid number of {(bytes ? "bytes" : "lines")}: '{count}'"));
        var inputs = c.ReadInputs(flags.Operands, out var failed);
        for (var i = 0; i < inputs.Count; i++)
        {
            var (name, text) = inputs[i];
            if (inputs.Count > 1 && !flags.Has('q'))
                c.Out.Write($"{(i > 0 ? "\n" : "")}==> {(name == "-" ? "standard input" : name)} <==\n");
            if (bytes)
            {
                var length = (int)Math.Clamp(n, 0, text.Length);
                c.Out.Write(head ? text[..length] : fromStart ? text[(int)Math.Clamp(n - 1, 0, text.Length)..] : text[(text.Length - length)..]);
                continue;
            }
            // Slicing instead of splitting: head of an 8 MB pipe must not build a million strings.
            if (text.Length > 0 && !text.EndsWith('\n'))
                text += "\n";
            c.Out.Write(head
                ? (n >= 0 ? text[..AfterLines(text, n)] : text[..LastLines(text, -n)])
                : (fromStart ? text[AfterLines(text, n - 1)..] : text[LastLines(text, Math.Abs(n))..]));
        }
        return CommandContext.Status(failed ? 1 : 0);
    }

    /// <summary>The index just after the first <paramref name="count"/> lines of newline-terminated text.</summary>
    private static int AfterLines(string text, long count)
    {
        var index = 0;
        for (var i = 0L; i < count && index < text.Length; i++)
            index = text.IndexOf('\n', index) + 1;
        return index;
    }

    /// <summary>The index where the last <paramref name="count"/> lines of newline-terminated text begin.</summary>
    private static int LastLines(string text, long count)
    {
        var index = text.Length;
        for (var i = 0L; i < count && index > 0; i++)
            index = index <= 1 ? 0 : text.LastIndexOf('\n', index - 2) + 1;
        return index;
    }

    /// <summary>wc: lines, words, bytes; one count alone from stdin prints no padding, as GNU wc does.</summary>
    public static ValueTask<int> Wc(CommandContext c)
    {
        if (Flags.Parse(c, "lwcmL", longNames: new Dictionary<string, char> { ["lines"] = 'l', ["words"] = 'w', ["bytes"] = 'c', ["chars"] = 'm' }) is not { } flags)
            return CommandContext.Status(1);
        var show = "lwcm".Where(flags.Has).ToList();
        if (show.Count == 0)
            show = ['l', 'w', 'c'];
        var rows = new List<(long[] Counts, string Name)>();
        var inputs = c.ReadInputs(flags.Operands, out var failed);
        foreach (var (name, text) in inputs)
        {
            var counts = show.Select(f => f switch
            {
                'l' => text.AsSpan().Count('\n'),
                'w' => (long)text.Split([' ', '\t', '\n', '\r', '\v', '\f'], StringSplitOptions.RemoveEmptyEntries).Length,
                'm' => text.Length,
                _ => Encoding.UTF8.GetByteCount(text),
            }).ToArray();
            rows.Add((counts, name == "-" && flags.Operands.Count == 0 ? "" : name));
        }
        if (rows.Count > 1)
            rows.Add((Enumerable.Range(0, show.Count).Select(i => rows.Sum(r => r.Counts[i])).ToArray(), "total"));
        var fromStdin = flags.Operands.Count == 0;
        var width = show.Count == 1 && rows.Count == 1 ? 0 : fromStdin ? 7 : rows.Max(r => r.Counts.Max()).ToString(CultureInfo.InvariantCulture).Length;
        foreach (var (counts, name) in rows)
        {
            var line = string.Join(' ', counts.Select(n => n.ToString(CultureInfo.InvariantCulture).PadLeft(width)));
            c.Out.WriteLine(name.Length > 0 ? $"{line} {name}" : line);
        }
        return CommandContext.Status(failed ? 1 : 0);
    }

    public static ValueTask<int> Sort(CommandContext c)
    {
        if (Flags.Parse(c, "rnufhb", "kt") is not { } flags)
            return CommandContext.Status(2);
        var inputs = c.ReadInputs(flags.Operands, out var failed);
        var lines = inputs.SelectMany(i => CommandContext.Lines(i.Text)).ToList();
        var separator = flags.Value('t');
        var field = int.TryParse(flags.Value('k')?.Split(',', '.')[0], CultureInfo.InvariantCulture, out var k) ? k : 0;
        string Key(string line)
        {
            if (field <= 0)
                return line;
            var fields = separator is { Length: > 0 } ? line.Split(separator[0]) : line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            return field <= fields.Length ? fields[field - 1] : "";
        }
        Comparison<string> compare = flags.Has('n') || flags.Has('h')
            ? (a, b) => LeadingNumber(Key(a), flags.Has('h')).CompareTo(LeadingNumber(Key(b), flags.Has('h'))) is var order and not 0 ? order : string.CompareOrdinal(a, b)
            : flags.Has('f')
                ? (a, b) => string.Compare(Key(a), Key(b), StringComparison.OrdinalIgnoreCase)
                : (a, b) => string.CompareOrdinal(Key(a), Key(b));
        var sorted = lines.Order(Comparer<string>.Create(compare)).ToList();
        if (flags.Has('r'))
            sorted.Reverse();
        if (flags.Has('u'))
            sorted = [.. sorted.Where((line, i) => i == 0 || compare(sorted[i - 1], line) != 0)];
        c.WriteLines(sorted);
        return CommandContext.Status(failed ? 2 : 0);
    }

    private static double LeadingNumber(string text, bool human)
    {
        var trimmed = text.TrimStart();
        var length = 0;
        while (length < trimmed.Length && (char.IsAsciiDigit(trimmed[length]) || trimmed[length] is '.' || (length == 0 && trimmed[0] == '-')))
            length++;
        var value = double.TryParse(trimmed.AsSpan(0, length), NumberStyles.Float, CultureInfo.InvariantCulture, out var number) ? number : 0;
        if (human && length < trimmed.Length)
            value *= Math.Pow(1024, "KMGTPE".IndexOf(char.ToUpperInvariant(trimmed[length]), StringComparison.Ordinal) + 1);
        return value;
    }

    public static ValueTask<int> Uniq(CommandContext c)
    {
        if (Flags.Parse(c, "cdui") is not { } flags)
            return CommandContext.Status(1);
        var inputs = c.ReadInputs(flags.Operands.Take(1).ToList(), out var failed);
        var comparison = flags.Has('i') ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
        var groups = new List<(string Line, int Count)>();
        foreach (var line in inputs.SelectMany(i => CommandContext.Lines(i.Text)))
        {
            if (groups.Count > 0 && string.Equals(groups[^1].Line, line, comparison))
                groups[^1] = (groups[^1].Line, groups[^1].Count + 1);
            else
                groups.Add((line, 1));
        }
        foreach (var (line, count) in groups.Where(g => (!flags.Has('d') || g.Count > 1) && (!flags.Has('u') || g.Count == 1)))
            c.Out.WriteLine(flags.Has('c') ? $"{count,7} {line}" : line);
        return CommandContext.Status(failed ? 1 : 0);
    }

    /// <summary>seq [-s SEP] [-w] [FIRST [INCREMENT]] LAST. Negative numbers are operands, not options.</summary>
    public static ValueTask<int> Seq(CommandContext c)
    {
        var separator = "\n";
        var equalWidth = false;
        var numbers = new List<string>();
        for (var i = 0; i < c.Args.Count; i++)
        {
            var arg = c.Args[i];
            if (arg == "-s" && i + 1 < c.Args.Count)
                separator = Escapes.Interpret(c.Args[++i], out _);
            else if (arg.StartsWith("-s", StringComparison.Ordinal) && arg.Length > 2)
                separator = Escapes.Interpret(arg[2..], out _);
            else if (arg == "-w")
                equalWidth = true;
            else
                numbers.Add(arg);
        }
        if (numbers.Count is 0 or > 3)
            return CommandContext.Status(c.Fail(numbers.Count == 0 ? "missing operand" : $"extra operand '{numbers[3]}'"));
        var values = new decimal[numbers.Count];
        for (var i = 0; i < numbers.Count; i++)
        {
            if (!decimal.TryParse(numbers[i], NumberStyles.Float, CultureInfo.InvariantCulture, out values[i]))
                return CommandContext.Status(c.Fail($"invalid floating point argument: '{numbers[i]}'"));
        }
        var (first, step, last) = values.Length switch { 1 => (1m, 1m, values[0]), 2 => (values[0], 1m, values[1]), _ => (values[0], values[1], values[2]) };
        if (step == 0)
            return CommandContext.Status(c.Fail($"invalid Zero increment value: '{numbers[1]}'"));
        var scale = numbers.Max(n => n.Contains('.') ? n.Length - n.IndexOf('.') - 1 : 0);
        var format = "F" + scale.ToString(CultureInfo.InvariantCulture);
        var width = equalWidth ? new[] { first, last }.Max(v => v.ToString(format, CultureInfo.InvariantCulture).Length) : 0;
        // Lines are batched: `seq 1 1e8 | head` writes megabytes before the pipe fills, and one write a line is slow.
        var batch = new StringBuilder();
        var emitted = 0L;
        void Emit(string? text, long number)
        {
            if (emitted++ > 0)
                batch.Append(separator);
            if (text is null)
                batch.Append(number);
            else
                batch.Append(width > 0 ? (text.StartsWith('-') ? "-" + text[1..].PadLeft(width - 1, '0') : text.PadLeft(width, '0')) : text);
            if (batch.Length < ShellLimits.ChunkChars)
                return;
            c.Token.ThrowIfCancellationRequested();
            c.Out.Write(batch.ToString());
            batch.Clear();
        }
        // Output bounds stop a pipe or the terminal; this count bounds `seq 1 1e12 > /dev/null` too.
        const int MaxLines = ShellLimits.MaxOutputChars / 4;
        if (scale == 0 && width == 0 && values.All(v => Math.Abs(v) < long.MaxValue / 2))
        {
            for (long value = (long)first, stop = (long)last, increment = (long)step; (increment > 0 ? value <= stop : value >= stop) && emitted < MaxLines; value += increment)
                Emit(null, value);
        }
        else
        {
            for (var value = first; (step > 0 ? value <= last : value >= last) && emitted < MaxLines; value += step)
                Emit(value.ToString(format, CultureInfo.InvariantCulture), 0);
        }
        if (emitted > 0)
            c.Out.Write(batch.Append('\n').ToString());
        return CommandContext.Status(0);
    }

    public static ValueTask<int> Tee(CommandContext c)
    {
        if (Flags.Parse(c, "ai") is not { } flags)
            return CommandContext.Status(1);
        var text = c.ReadInput();
        var status = 0;
        foreach (var operand in flags.Operands)
        {
            try
            {
                c.Fs.WriteText(c.Resolve(operand), text, c.User, append: flags.Has('a'));
            }
            catch (VfsException e)
            {
                status = c.Fail(operand, e);
            }
        }
        c.Out.Write(text);
        return CommandContext.Status(status);
    }

    /// <summary>cut -d DELIM -f LIST, or -c LIST; LIST is like 1,3 or 2- or -4.</summary>
    public static ValueTask<int> Cut(CommandContext c)
    {
        if (Flags.Parse(c, "s", "dfcb") is not { } flags)
            return CommandContext.Status(1);
        var list = flags.Value('f') ?? flags.Value('c') ?? flags.Value('b');
        if (list is null)
            return CommandContext.Status(c.Fail("you must specify a list of bytes, characters, or fields"));
        var ranges = new List<(int From, int To)>();
        foreach (var part in list.Split(','))
        {
            var bounds = part.Split('-');
            var from = bounds[0].Length == 0 ? 1 : int.TryParse(bounds[0], CultureInfo.InvariantCulture, out var f) ? f : 0;
            var to = bounds.Length == 1 ? from : bounds[1].Length == 0 ? int.MaxValue : int.TryParse(bounds[1], CultureInfo.InvariantCulture, out var t) ? t : 0;
            if (from < 1 || to < from)
                return CommandContext.Status(c.Fail($"invalid field range"));
            ranges.Add((from, to));
        }
        bool Selected(int index) => ranges.Exists(r => index >= r.From && index <= r.To);
        var delimiter = flags.Value('d') is { Length: > 0 } d ? d[0] : '\t';
        var inputs = c.ReadInputs(flags.Operands, out var failed);
        foreach (var line in inputs.SelectMany(i => CommandContext.Lines(i.Text)))
        {
            if (flags.Value('f') is null)
            {
                c.Out.WriteLine(new string([.. line.Where((_, i) => Selected(i + 1))]));
            }
            else if (!line.Contains(delimiter))
            {
                if (!flags.Has('s'))
                    c.Out.WriteLine(line);
            }
            else
            {
                c.Out.WriteLine(string.Join(delimiter, line.Split(delimiter).Where((_, i) => Selected(i + 1))));
            }
        }
        return CommandContext.Status(failed ? 1 : 0);
    }

    /// <summary>tr SET1 SET2, tr -d SET, tr -s SET; sets take ranges (a-z) and classes ([:upper:]).</summary>
    public static ValueTask<int> Tr(CommandContext c)
    {
        if (Flags.Parse(c, "dsc") is not { } flags)
            return CommandContext.Status(1);
        if (flags.Operands.Count == 0 || (flags.Operands.Count == 1 && !flags.Has('d') && !flags.Has('s')))
            return CommandContext.Status(c.Fail(flags.Operands.Count == 0 ? "missing operand" : $"missing operand after '{flags.Operands[0]}'"));
        var from = CharacterSet(flags.Operands[0]);
        var to = flags.Operands.Count > 1 ? CharacterSet(flags.Operands[1]) : "";
        var text = c.ReadInput();
        var result = new StringBuilder(text.Length);
        foreach (var ch in text)
        {
            var index = from.IndexOf(ch, StringComparison.Ordinal);
            if (flags.Has('d') && index >= 0)
                continue;
            var mapped = !flags.Has('d') && index >= 0 && to.Length > 0 ? to[Math.Min(index, to.Length - 1)] : ch;
            if (flags.Has('s') && result.Length > 0 && result[^1] == mapped && (to.Length > 0 ? to : from).Contains(mapped))
                continue;
            result.Append(mapped);
        }
        c.Out.Write(result.ToString());
        return CommandContext.Status(0);
    }

    private static string CharacterSet(string set)
    {
        set = Escapes.Interpret(set, out _)
            .Replace("[:upper:]", "A-Z", StringComparison.Ordinal)
            .Replace("[:lower:]", "a-z", StringComparison.Ordinal)
            .Replace("[:digit:]", "0-9", StringComparison.Ordinal)
            .Replace("[:alpha:]", "A-Za-z", StringComparison.Ordinal)
            .Replace("[:alnum:]", "A-Za-z0-9", StringComparison.Ordinal)
            .Replace("[:space:]", " \t\n\r\v\f", StringComparison.Ordinal)
            .Replace("[:blank:]", " \t", StringComparison.Ordinal);
        var chars = new StringBuilder();
        for (var i = 0; i < set.Length; i++)
        {
            if (i + 2 < set.Length && set[i + 1] == '-' && set[i + 2] >= set[i])
            {
                for (var ch = set[i]; ch <= set[i + 2]; ch++)
                    chars.Append(ch);
                i += 2;
            }
            else
            {
                chars.Append(set[i]);
            }
        }
        return chars.ToString();
    }

    public static ValueTask<int> Basename(CommandContext c)
    {
        if (c.Args.Count == 0)
            return CommandContext.Status(c.Fail("missing operand"));
        var name = c.Args[0].TrimEnd('/') is { Length: > 0 } trimmed ? trimmed[(trimmed.LastIndexOf('/') + 1)..] : "/";
        if (c.Args.Count > 1 && name.Length > c.Args[1].Length && name.EndsWith(c.Args[1], StringComparison.Ordinal))
            name = name[..^c.Args[1].Length];
        c.Out.WriteLine(name);
        return CommandContext.Status(0);
    }

    public static ValueTask<int> Dirname(CommandContext c)
    {
        if (c.Args.Count == 0)
            return CommandContext.Status(c.Fail("missing operand"));
        foreach (var arg in c.Args)
        {
            var trimmed = arg.TrimEnd('/');
            var slash = trimmed.LastIndexOf('/');
            c.Out.WriteLine(slash < 0 ? (arg.StartsWith('/') ? "/" : ".") : slash == 0 ? "/" : trimmed[..slash].TrimEnd('/'));
        }
        return CommandContext.Status(0);
    }

    public static ValueTask<int> Base64(CommandContext c)
    {
        if (Flags.Parse(c, "dw", longNames: new Dictionary<string, char> { ["decode"] = 'd' }) is not { } flags)
            return CommandContext.Status(1);
        var inputs = c.ReadInputs(flags.Operands.Take(1).ToList(), out var failed);
        if (failed)
            return CommandContext.Status(1);
        var text = inputs[0].Text;
        if (!flags.Has('d'))
        {
            var encoded = Convert.ToBase64String(Encoding.UTF8.GetBytes(text));
            c.WriteLines(encoded.Chunk(76).Select(chunk => new string(chunk)));
            return CommandContext.Status(0);
        }
        try
        {
            c.Out.Write(Encoding.UTF8.GetString(Convert.FromBase64String(string.Concat(text.Where(ch => !char.IsWhiteSpace(ch))))));
            return CommandContext.Status(0);
        }
        catch (FormatException)
        {
            return CommandContext.Status(c.Fail("invalid input"));
        }
    }

    public static ValueTask<int> Sha256Sum(CommandContext c) => Digest(c, SHA256.HashData);

    public static ValueTask<int> Md5Sum(CommandContext c) => Digest(c, MD5.HashData);

    private static ValueTask<int> Digest(CommandContext c, Func<byte[], byte[]> hash)
    {
        var status = 0;
        foreach (var operand in c.Args.Count == 0 ? ["-"] : c.Args)
        {
            try
            {
                var bytes = operand == "-" ? Encoding.UTF8.GetBytes(c.ReadInput()) : c.Fs.ReadFile(c.Resolve(operand), c.User);
                c.Out.WriteLine($"{Convert.ToHexStringLower(hash(bytes))}  {operand}");
            }
            catch (VfsException e)
            {
                status = c.Fail(operand, e);
            }
        }
        return CommandContext.Status(status);
    }
}
