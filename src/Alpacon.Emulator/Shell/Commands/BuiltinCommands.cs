using System.Globalization;

namespace Alpacon.Emulator.Shell.Commands;

/// <summary>Commands bash runs itself because they change the shell: cd, exit, export, unset, source, eval, type, command.</summary>
internal static class BuiltinCommands
{
    public static ValueTask<int> Cd(CommandContext c)
    {
        if (c.Args.Count > 1)
            return CommandContext.Status(Fail(c, "too many arguments"));
        var operand = c.Args.Count == 0 ? c.Session.GetVariable("HOME") ?? "/" : c.Args[0];
        var print = operand == "-";
        if (print)
        {
            operand = c.Session.GetVariable("OLDPWD") ?? "";
            if (operand.Length == 0)
                return CommandContext.Status(Fail(c, "OLDPWD not set"));
        }
        try
        {
            var target = c.Resolve(operand);
            var entry = c.Fs.GetEntry(target, c.User);
            if (!entry.IsDirectory)
                throw new VfsException(VfsError.NotADirectory, target);
            if (!entry.Allows(c.User, 1))
                throw new VfsException(VfsError.PermissionDenied, target);
            c.Session.ChangeDirectory(target);
            if (print)
                c.Out.WriteLine(target);
            return CommandContext.Status(0);
        }
        catch (VfsException e)
        {
            return CommandContext.Status(Fail(c, $"{operand}: {e.Reason}"));
        }
    }

    public static ValueTask<int> Exit(CommandContext c)
    {
        var status = c.Session.LastExitStatus;
        if (c.Args.Count > 0 && !int.TryParse(c.Args[0], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out status))
            status = Fail(c, $"{c.Args[0]}: numeric argument required", 2);
        if (c.Session.IsInteractive)
            c.Err.WriteLine(c.Session.ArgumentZero.StartsWith('-') ? "logout" : "exit");
        if (!c.Session.PopLogin())
            c.Session.HasExited = true;
        return CommandContext.Status(status & 0xFF);
    }

    public static ValueTask<int> Export(CommandContext c)
    {
        var names = c.Args.Where(a => a is not ("-n" or "-p")).ToList();
        if (names.Count == 0)
        {
            foreach (var (name, value) in c.Session.Environment.OrderBy(v => v.Key, StringComparer.Ordinal))
                c.Out.WriteLine($"declare -x {name}=\"{value.Replace("\"", "\\\"", StringComparison.Ordinal)}\"");
            return CommandContext.Status(0);
        }
        var status = 0;
        foreach (var arg in names)
        {
            var equals = arg.IndexOf('=');
            var name = equals < 0 ? arg : arg[..equals];
            if (name.Length == 0 || !name.All(ch => char.IsAsciiLetterOrDigit(ch) || ch == '_') || char.IsAsciiDigit(name[0]))
            {
                status = Fail(c, $"`{arg}': not a valid identifier");
                continue;
            }
            if (equals >= 0)
                c.Session.SetVariable(name, arg[(equals + 1)..], export: true);
            else
                c.Session.Export(name);
        }
        return CommandContext.Status(status);
    }

    public static ValueTask<int> Unset(CommandContext c)
    {
        foreach (var name in c.Args.Where(a => !a.StartsWith('-')))
            c.Session.Unset(name);
        return CommandContext.Status(0);
    }

    /// <summary><c>source file</c> / <c>. file</c>: runs the file in this shell, so its cd and variables stay.</summary>
    public static async ValueTask<int> Source(CommandContext c)
    {
        if (c.Args.Count == 0)
            return Fail(c, "filename argument required", 2);
        if (!c.TryReadText(c.Args[0], out var script))
            return 1;
        var saved = c.Session.Positional;
        if (c.Args.Count > 1)
            c.Session.Positional = [.. c.Args.Skip(1)];
        try
        {
            return await c.Execution.Child(c.Out, c.Err, c.Stdin).RunScriptAsync(script, c.Session).ConfigureAwait(false);
        }
        finally
        {
            c.Session.Positional = saved;
        }
    }

    public static async ValueTask<int> Eval(CommandContext c) =>
        c.Args.Count == 0 ? 0 : await c.Execution.Child(c.Out, c.Err, c.Stdin).RunScriptAsync(string.Join(' ', c.Args), c.Session).ConfigureAwait(false);

    public static ValueTask<int> Type(CommandContext c)
    {
        var status = 0;
        foreach (var name in c.Args.Where(a => !a.StartsWith('-')))
        {
            if (c.Session.Aliases.TryGetValue(name, out var alias))
                c.Out.WriteLine($"{name} is aliased to `{alias}'");
            else if (CommandTable.Builtins.ContainsKey(name))
                c.Out.WriteLine($"{name} is a shell builtin");
            else if (Execution.Which(c.Session, name) is { } path)
                c.Out.WriteLine($"{name} is {path}");
            else
                status = Fail(c, $"{name}: not found");
        }
        return CommandContext.Status(status);
    }

    /// <summary><c>command -v name</c> (how scripts test for a tool) and <c>command name args</c>.</summary>
    public static async ValueTask<int> Command(CommandContext c)
    {
        if (c.Args.Count == 0)
            return 0;
        if (c.Args[0] is "-v" or "-V")
        {
            var status = 0;
            foreach (var name in c.Args.Skip(1))
            {
                var found = CommandTable.Builtins.ContainsKey(name) ? name : Execution.Which(c.Session, name);
                if (found is null)
                    status = 1;
                else
                    c.Out.WriteLine(c.Args[0] == "-v" ? found : found == name ? $"{name} is a shell builtin" : $"{name} is {found}");
            }
            return status;
        }
        return await c.Execution.InvokeAsync(c.Session, c.Args, c.Environment, c.Out, c.Err, c.Stdin).ConfigureAwait(false);
    }

    /// <summary><c>alias</c> lists aliases, <c>alias name='value'</c> defines one.</summary>
    public static ValueTask<int> Alias(CommandContext c)
    {
        var status = 0;
        foreach (var arg in c.Args.Count == 0 ? c.Session.Aliases.Keys.Order(StringComparer.Ordinal).ToList() : c.Args)
        {
            var equals = arg.IndexOf('=');
            if (equals > 0)
                c.Session.Aliases[arg[..equals]] = arg[(equals + 1)..];
            else if (c.Session.Aliases.TryGetValue(arg, out var value))
                c.Out.WriteLine($"alias {arg}='{value}'");
            else
                status = Fail(c, $"{arg}: not found");
        }
        return CommandContext.Status(status);
    }

    public static ValueTask<int> Unalias(CommandContext c)
    {
        if (c.Args.Contains("-a"))
            c.Session.Aliases.Clear();
        var status = 0;
        foreach (var name in c.Args.Where(a => a != "-a"))
        {
            if (!c.Session.Aliases.Remove(name))
                status = Fail(c, $"{name}: not found");
        }
        return CommandContext.Status(status);
    }

    /// <summary><c>history</c> numbers the lines typed in this terminal; <c>history -c</c> forgets them.</summary>
    public static ValueTask<int> History(CommandContext c)
    {
        var lines = c.Session.History;
        if (c.Args.Contains("-c"))
        {
            lines.Clear();
            return CommandContext.Status(0);
        }
        var count = c.Args.Count > 0 && int.TryParse(c.Args[0], CultureInfo.InvariantCulture, out var n) ? n : lines.Count;
        for (var i = Math.Max(0, lines.Count - count); i < lines.Count; i++)
            c.Out.WriteLine($"{i + 1,5}  {lines[i]}");
        return CommandContext.Status(0);
    }

    /// <summary><c>break [n]</c> and <c>continue [n]</c> unwind to the enclosing loop.</summary>
    public static ValueTask<int> LoopControl(CommandContext c)
    {
        if (c.Session.LoopDepth == 0)
            return CommandContext.Status(Fail(c, "only meaningful in a `for', `while', or `until' loop", 0));
        var levels = c.Args.Count > 0 && int.TryParse(c.Args[0], CultureInfo.InvariantCulture, out var n) && n > 0 ? n : 1;
        throw new Shell.LoopControl(c.Name == "break", Math.Min(levels, c.Session.LoopDepth));
    }

    /// <summary><c>read [-r] [-p prompt] [NAME…]</c>: one line of standard input into variables (REPLY by default), split at blanks.</summary>
    public static ValueTask<int> Read(CommandContext c)
    {
        var names = new List<string>();
        for (var i = 0; i < c.Args.Count; i++)
        {
            if (c.Args[i] == "-p" && i + 1 < c.Args.Count)
                c.Err.Write(c.Args[++i]);
            else if (!c.Args[i].StartsWith('-'))
                names.Add(c.Args[i]);
        }
        if (names.Count == 0)
            names.Add("REPLY");
        var line = c.Stdin.ReadLine(out var complete);
        if (line is null)
        {
            foreach (var name in names)
                c.Session.SetVariable(name, "");
            return CommandContext.Status(1);
        }
        // IFS=: read a b splits at colons; the default IFS splits at runs of blanks.
        var ifs = (c.Environment.GetValueOrDefault("IFS") ?? c.Session.GetVariable("IFS") ?? " \t\n").ToCharArray();
        var blank = ifs.All(char.IsWhiteSpace);
        var value = blank ? line.Trim(ifs) : line;
        var fields = names.Count == 1 ? [value] : value.Split(ifs, names.Count, blank ? StringSplitOptions.RemoveEmptyEntries : StringSplitOptions.None);
        for (var i = 0; i < names.Count; i++)
            c.Session.SetVariable(names[i], i < fields.Length ? (blank ? fields[i].TrimStart(ifs) : fields[i]) : "");
        return CommandContext.Status(complete ? 0 : 1);
    }

    public static ValueTask<int> True(CommandContext c) => CommandContext.Status(0);

    public static ValueTask<int> False(CommandContext c) => CommandContext.Status(1);

    public static ValueTask<int> Pwd(CommandContext c)
    {
        c.Out.WriteLine(c.Session.WorkingDirectory);
        return CommandContext.Status(0);
    }

    /// <summary>Builtins report errors as <c>bash: cd: …</c>.</summary>
    internal static int Fail(CommandContext c, string message, int status = 1)
    {
        c.Err.WriteLine($"bash: {c.Name}: {message}");
        return status;
    }
}
