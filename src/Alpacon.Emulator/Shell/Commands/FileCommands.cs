using System.Globalization;

namespace Alpacon.Emulator.Shell.Commands;

/// <summary>Commands that change the filesystem or walk it: mkdir, touch, rm, cp, mv, chmod, chown, du, find, stat, realpath.</summary>
internal static class FileCommands
{
    public static ValueTask<int> Mkdir(CommandContext c)
    {
        if (Flags.Parse(c, "pv", "m", new Dictionary<string, char> { ["parents"] = 'p' }) is not { } flags)
            return CommandContext.Status(1);
        if (flags.Operands.Count == 0)
            return CommandContext.Status(c.Fail("missing operand"));
        return CommandContext.Status(Each(c, flags.Operands, "cannot create directory", path => c.Fs.MakeDirectory(path, c.User, flags.Has('p'))));
    }

    public static ValueTask<int> Touch(CommandContext c)
    {
        if (Flags.Parse(c, "acm") is not { } flags)
            return CommandContext.Status(1);
        if (flags.Operands.Count == 0)
            return CommandContext.Status(c.Fail("missing file operand"));
        return CommandContext.Status(Each(c, flags.Operands, "cannot touch", path => c.Fs.Touch(path, c.User)));
    }

    public static ValueTask<int> Rm(CommandContext c)
    {
        if (Flags.Parse(c, "rRfiv", longNames: new Dictionary<string, char> { ["recursive"] = 'r', ["force"] = 'f' }) is not { } flags)
            return CommandContext.Status(1);
        if (flags.Operands.Count == 0 && !flags.Has('f'))
            return CommandContext.Status(c.Fail("missing operand"));
        var recursive = flags.Has('r') || flags.Has('R');
        var status = 0;
        foreach (var operand in flags.Operands)
        {
            var path = c.Resolve(operand);
            if (path == "/" && recursive)
            {
                c.Err.WriteLine("rm: it is dangerous to operate recursively on '/'");
                status = c.Fail("use --no-preserve-root to override this failsafe");
                continue;
            }
            try
            {
                if (c.Fs.GetEntry(path, c.User).IsDirectory && !recursive)
                    throw new VfsException(VfsError.IsADirectory, path);
                c.Fs.Delete(path, c.User, recursive);
                if (flags.Has('v'))
                    c.Out.WriteLine($"removed '{operand}'");
            }
            catch (VfsException e) when (!(flags.Has('f') && e.Error == VfsError.NotFound))
            {
                status = c.Fail($"cannot remove '{operand}': {e.Reason}");
            }
            catch (VfsException)
            {
            }
        }
        return CommandContext.Status(status);
    }

    public static ValueTask<int> Cp(CommandContext c)
    {
        if (Flags.Parse(c, "rRapfvnu", longNames: new Dictionary<string, char> { ["recursive"] = 'r', ["archive"] = 'a', ["force"] = 'f' }) is not { } flags)
            return CommandContext.Status(1);
        var recursive = flags.Has('r') || flags.Has('R') || flags.Has('a');
        return CommandContext.Status(Transfer(c, flags, "cannot stat", (from, to, entry) =>
        {
            if (entry.IsDirectory && !recursive)
            {
                c.Err.WriteLine($"cp: -r not specified; omitting directory '{from.Operand}'");
                return 1;
            }
            c.Fs.Copy(from.Path, to, c.User, recursive);
            return 0;
        }));
    }

    public static ValueTask<int> Mv(CommandContext c)
    {
        if (Flags.Parse(c, "fivnu") is not { } flags)
            return CommandContext.Status(1);
        return CommandContext.Status(Transfer(c, flags, "cannot stat", (from, to, _) =>
        {
            c.Fs.Move(from.Path, to, c.User);
            return 0;
        }));
    }

    /// <summary>The shared shape of cp and mv: SOURCE DEST, or SOURCES… DIRECTORY.</summary>
    private static int Transfer(CommandContext c, Flags flags, string missing, Func<(string Operand, string Path), string, VfsEntry, int> act)
    {
        if (flags.Operands.Count < 2)
            return c.Fail(flags.Operands.Count == 0 ? "missing file operand" : $"missing destination file operand after '{flags.Operands[0]}'");
        var target = flags.Operands[^1];
        var targetPath = c.Resolve(target);
        var intoDirectory = c.Fs.IsDirectory(targetPath, c.User);
        if (flags.Operands.Count > 2 && !intoDirectory)
            return c.Fail($"target '{target}' is not a directory");
        var status = 0;
        foreach (var operand in flags.Operands.SkipLast(1))
        {
            var path = c.Resolve(operand);
            var destination = intoDirectory ? VfsPath.Combine(targetPath, VfsPath.Name(path)) : targetPath;
            try
            {
                var entry = c.Fs.GetEntry(path, c.User);
                status |= act((operand, path), destination, entry);
                if (flags.Has('v'))
                    c.Out.WriteLine($"'{operand}' -> '{(intoDirectory ? VfsPath.Combine(target, VfsPath.Name(path)) : target)}'");
            }
            catch (VfsException e) when (e.Path == path && e.Error == VfsError.NotFound)
            {
                status = c.Fail($"{missing} '{operand}': {e.Reason}");
            }
            catch (VfsException e)
            {
                status = c.Fail($"cannot {(c.Name == "mv" ? "move" : "create regular file")} '{(c.Name == "mv" ? operand + "' to '" + target : target)}': {e.Reason}");
            }
        }
        return status;
    }

    /// <summary>chmod with octal (755) or symbolic (u+x, go-w, a=r, +x) modes; -R recurses.</summary>
    public static ValueTask<int> Chmod(CommandContext c)
    {
        var args = c.Args.Where(a => a != "-R").ToList();
        if (args.Count < 2)
            return CommandContext.Status(c.Fail(args.Count == 0 ? "missing operand" : $"missing operand after '{args[0]}'"));
        var status = 0;
        foreach (var operand in args.Skip(1))
        {
            var path = c.Resolve(operand);
            try
            {
                foreach (var entry in Tree(c, path, c.Args.Contains("-R")))
                {
                    if (ParseMode(args[0], entry.Mode) is not { } mode)
                        return CommandContext.Status(c.Fail($"invalid mode: '{args[0]}'"));
                    c.Fs.SetMode(entry.Path, mode, c.User);
                }
            }
            catch (VfsException e)
            {
                status = c.Fail(e.Error == VfsError.PermissionDenied ? $"changing permissions of '{operand}': Operation not permitted" : $"cannot access '{operand}': {e.Reason}");
            }
        }
        return CommandContext.Status(status);
    }

    public static ValueTask<int> Chown(CommandContext c)
    {
        var args = c.Args.Where(a => a != "-R").ToList();
        if (args.Count < 2)
            return CommandContext.Status(c.Fail(args.Count == 0 ? "missing operand" : $"missing operand after '{args[0]}'"));
        var spec = args[0].Split(':', '.');
        var owner = c.Host.FindAccount(spec[0]);
        if (owner is null)
            return CommandContext.Status(c.Fail($"invalid user: '{args[0]}'"));
        var group = spec.Length > 1 && spec[1].Length > 0 ? spec[1] : owner.Group;
        var status = 0;
        foreach (var operand in args.Skip(1))
        {
            try
            {
                foreach (var entry in Tree(c, c.Resolve(operand), c.Args.Contains("-R")))
                    c.Fs.SetOwner(entry.Path, owner.Name, group, c.User);
            }
            catch (VfsException e)
            {
                status = c.Fail(e.Error == VfsError.PermissionDenied ? $"changing ownership of '{operand}': Operation not permitted" : $"cannot access '{operand}': {e.Reason}");
            }
        }
        return CommandContext.Status(status);
    }

    /// <summary>du: -s -h -a -c; sizes in 1 KiB blocks.</summary>
    public static ValueTask<int> Du(CommandContext c)
    {
        if (Flags.Parse(c, "shac", "d", new Dictionary<string, char> { ["max-depth"] = 'd', ["summarize"] = 's' }) is not { } flags)
            return CommandContext.Status(1);
        var status = 0;
        var total = 0L;
        var maxDepth = flags.Has('s') ? 0 : int.TryParse(flags.Value('d'), CultureInfo.InvariantCulture, out var d) ? d : int.MaxValue;
        string Size(long kib) => flags.Has('h') ? Units.Human(kib * 1024) : kib.ToString(CultureInfo.InvariantCulture);
        long Visit(string display, VfsEntry entry, int depth)
        {
            var size = Units.Blocks(entry);
            if (entry.IsDirectory)
            {
                try
                {
                    foreach (var child in c.Fs.List(entry.Path, c.User))
                        size += Visit(VfsPath.Combine(display, child.Name), child, depth + 1);
                }
                catch (VfsException e)
                {
                    status = c.Fail($"cannot read directory '{display}': {e.Reason}");
                }
            }
            if (depth <= maxDepth && (entry.IsDirectory || flags.Has('a') || depth == 0))
                c.Out.WriteLine($"{Size(size)}\t{display}");
            return size;
        }
        foreach (var operand in flags.Operands.Count == 0 ? ["."] : flags.Operands)
        {
            try
            {
                total += Visit(operand, c.Fs.GetEntry(c.Resolve(operand), c.User), 0);
            }
            catch (VfsException e)
            {
                status = c.Fail($"cannot access '{operand}': {e.Reason}");
            }
        }
        if (flags.Has('c'))
            c.Out.WriteLine($"{Size(total)}\ttotal");
        return CommandContext.Status(status);
    }

    /// <summary>find [PATH…] with -name, -iname, -type f|d, -maxdepth, -mindepth, -size +N[kMG], -print.</summary>
    public static ValueTask<int> Find(CommandContext c)
    {
        var roots = c.Args.TakeWhile(a => !a.StartsWith('-')).ToList();
        var tests = c.Args.Skip(roots.Count).ToList();
        string? name = null, iname = null, type = null, size = null;
        var (minDepth, maxDepth) = (0, int.MaxValue);
        for (var i = 0; i < tests.Count; i++)
        {
            var value = i + 1 < tests.Count ? tests[i + 1] : null;
            switch (tests[i])
            {
                case "-print":
                    continue;
                case "-name" when value is not null: name = value; break;
                case "-iname" when value is not null: iname = value; break;
                case "-type" when value is "f" or "d": type = value; break;
                case "-size" when value is not null: size = value; break;
                case "-maxdepth" when int.TryParse(value, CultureInfo.InvariantCulture, out var max): maxDepth = max; break;
                case "-mindepth" when int.TryParse(value, CultureInfo.InvariantCulture, out var min): minDepth = min; break;
                default:
                    return CommandContext.Status(c.Fail(value is null && tests[i].StartsWith('-') ? $"missing argument to '{tests[i]}'" : $"unknown predicate '{tests[i]}'"));
            }
            i++;
        }
        var status = 0;
        bool Matches(string display, VfsEntry entry, int depth) =>
            depth >= minDepth
            && (name is null || Glob.IsMatch(name, BaseName(display)))
            && (iname is null || Glob.IsMatch(iname.ToLowerInvariant(), BaseName(display).ToLowerInvariant()))
            && (type is null || (type == "d") == entry.IsDirectory)
            && (size is null || SizeMatches(size, entry.Size));
        void Visit(string display, VfsEntry entry, int depth)
        {
            c.Token.ThrowIfCancellationRequested();
            if (Matches(display, entry, depth))
                c.Out.WriteLine(display);
            if (!entry.IsDirectory || depth >= maxDepth)
                return;
            try
            {
                foreach (var child in c.Fs.List(entry.Path, c.User))
                    Visit(VfsPath.Combine(display, child.Name), child, depth + 1);
            }
            catch (VfsException e)
            {
                status = c.Fail($"'{display}': {e.Reason}");
            }
        }
        foreach (var root in roots.Count == 0 ? ["."] : roots)
        {
            try
            {
                Visit(root, c.Fs.GetEntry(c.Resolve(root), c.User), 0);
            }
            catch (VfsException e)
            {
                status = c.Fail($"'{root}': {e.Reason}");
            }
        }
        return CommandContext.Status(status);
    }

    private static string BaseName(string display) => VfsPath.Name(display.TrimEnd('/')) is { Length: > 0 } name ? name : display;

    private static bool SizeMatches(string spec, long size)
    {
        var sign = spec[0] is '+' or '-' ? spec[0] : '=';
        var digits = spec.TrimStart('+', '-');
        var unit = digits.Length > 0 && char.IsAsciiLetter(digits[^1]) ? digits[^1] : 'b';
        if (!long.TryParse(char.IsAsciiLetter(digits[^1]) ? digits[..^1] : digits, CultureInfo.InvariantCulture, out var n))
            return false;
        var scale = unit switch { 'c' => 1L, 'k' => 1024L, 'M' => 1L << 20, 'G' => 1L << 30, _ => 512L };
        var units = (size + scale - 1) / scale;
        return sign switch { '+' => units > n, '-' => units < n, _ => units == n };
    }

    public static ValueTask<int> Stat(CommandContext c)
    {
        var status = 0;
        foreach (var operand in c.Args.Where(a => !a.StartsWith('-')))
        {
            try
            {
                var e = c.Fs.GetEntry(c.Resolve(operand), c.User);
                var owner = c.Host.FindAccount(e.Owner);
                string Time(DateTimeOffset t) => t.ToString("yyyy-MM-dd HH:mm:ss.000000000 +0000", CultureInfo.InvariantCulture);
                c.Out.WriteLine($"  File: {operand}");
                c.Out.WriteLine($"  Size: {e.Size,-10}\tBlocks: {Units.Blocks(e) * 2,-10} IO Block: 4096   {(e.IsDirectory ? "directory" : e.Size == 0 ? "regular empty file" : "regular file")}");
                c.Out.WriteLine($"Device: 259,1\tInode: {HostFacts.StableHash(e.Path) % 900_000 + 1000,-10} Links: {e.Links}");
                c.Out.WriteLine($"Access: ({Convert.ToString(e.Mode & 0xFFF, 8).PadLeft(4, '0')}/{e.ModeString})  Uid: ({owner?.Uid ?? 0,5}/{e.Owner,8})   Gid: ({owner?.Gid ?? 0,5}/{e.Group,8})");
                c.Out.WriteLine($"Access: {Time(e.Modified)}");
                c.Out.WriteLine($"Modify: {Time(e.Modified)}");
                c.Out.WriteLine($"Change: {Time(e.Modified)}");
                c.Out.WriteLine(" Birth: -");
            }
            catch (VfsException e)
            {
                status = c.Fail($"cannot statx '{operand}': {e.Reason}");
            }
        }
        return CommandContext.Status(status);
    }

    public static ValueTask<int> Realpath(CommandContext c)
    {
        var status = 0;
        foreach (var operand in c.Args.Where(a => !a.StartsWith('-')))
        {
            var path = c.Resolve(operand);
            if (c.Fs.Exists(VfsPath.Parent(path), c.User))
                c.Out.WriteLine(path);
            else
                status = c.Fail($"{operand}: No such file or directory");
        }
        return CommandContext.Status(status);
    }

    /// <summary>Runs an action on each operand, printing <c>cmd: what 'operand': reason</c> for failures.</summary>
    private static int Each(CommandContext c, IEnumerable<string> operands, string what, Action<string> action)
    {
        var status = 0;
        foreach (var operand in operands)
        {
            try
            {
                action(c.Resolve(operand));
            }
            catch (VfsException e)
            {
                status = c.Fail($"{what} '{operand}': {e.Reason}");
            }
        }
        return status;
    }

    private static IEnumerable<VfsEntry> Tree(CommandContext c, string path, bool recursive)
    {
        var entry = c.Fs.GetEntry(path, c.User);
        yield return entry;
        if (!recursive || !entry.IsDirectory)
            yield break;
        foreach (var child in c.Fs.List(path, c.User))
        {
            foreach (var descendant in Tree(c, child.Path, recursive))
                yield return descendant;
        }
    }

    private static int? ParseMode(string spec, int current)
    {
        if (spec.All(ch => ch is >= '0' and <= '7'))
            return Convert.ToInt32(spec, 8);
        var mode = current;
        foreach (var clause in spec.Split(','))
        {
            var opIndex = clause.IndexOfAny(['+', '-', '=']);
            if (opIndex < 0)
                return null;
            var who = clause[..opIndex];
            if (who.Any(ch => !"ugoa".Contains(ch)))
                return null;
            var mask = who.Length == 0 || who.Contains('a') ? 0b111_111_111 : (who.Contains('u') ? 0b111_000_000 : 0) | (who.Contains('g') ? 0b000_111_000 : 0) | (who.Contains('o') ? 0b000_000_111 : 0);
            var bits = 0;
            foreach (var ch in clause[(opIndex + 1)..])
            {
                bits |= ch switch { 'r' => 0b100_100_100, 'w' => 0b010_010_010, 'x' => 0b001_001_001, 't' => VirtualFileSystem.StickyBit, _ => -1 };
                if (bits < 0)
                    return null;
            }
            bits &= mask | VirtualFileSystem.StickyBit;
            mode = clause[opIndex] switch { '+' => mode | bits, '-' => mode & ~bits, _ => (mode & ~mask) | bits };
        }
        return mode;
    }
}
