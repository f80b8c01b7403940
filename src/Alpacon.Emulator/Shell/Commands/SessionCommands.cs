namespace Alpacon.Emulator.Shell.Commands;

/// <summary>Commands that run other commands or inspect the shell: env, which, sudo, bash/sh, clear.</summary>
internal static class SessionCommands
{
    /// <summary><c>env</c> prints the environment; <c>env [-i] [-u NAME] [NAME=VALUE]… COMMAND</c> runs a command with it changed.</summary>
    public static async ValueTask<int> Env(CommandContext c)
    {
        var environment = new Dictionary<string, string>(c.Environment, StringComparer.Ordinal);
        var i = 0;
        for (; i < c.Args.Count; i++)
        {
            var arg = c.Args[i];
            if (arg is "-i" or "-")
                environment.Clear();
            else if (arg == "-u" && i + 1 < c.Args.Count)
                environment.Remove(c.Args[++i]);
            else if (arg.IndexOf('=') > 0)
                environment[arg[..arg.IndexOf('=')]] = arg[(arg.IndexOf('=') + 1)..];
            else
                break;
        }
        if (i == c.Args.Count)
        {
            foreach (var (name, value) in environment.OrderBy(v => v.Key, StringComparer.Ordinal))
                c.Out.WriteLine($"{name}={value}");
            return 0;
        }
        var session = c.Session.Fork(environment);
        return await c.Execution.InvokeAsync(session, [.. c.Args.Skip(i)], environment, c.Out, c.Err, c.Stdin).ConfigureAwait(false);
    }

    public static ValueTask<int> Which(CommandContext c)
    {
        var all = c.Args.Contains("-a");
        var status = 0;
        foreach (var name in c.Args.Where(a => !a.StartsWith('-')))
        {
            var found = all
                ? (c.Session.GetVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
                    .Select(d => VfsPath.Combine(d, name))
                    .Where(p => c.Fs.Stat(p, c.User) is { IsDirectory: false } e && e.CanExecute(c.User)).ToList()
                : Execution.Which(c.Session, name) is { } path ? [path] : [];
            if (found.Count == 0)
                status = 1;
            c.WriteLines(found);
        }
        return CommandContext.Status(status);
    }

    /// <summary>
    /// sudo [-u USER] [-i|-s] [-E] COMMAND: members of the admin group (sudo or wheel) run it as the target
    /// without a password, as on cloud images; others get sudo's refusal. <c>sudo -i</c>, <c>sudo su -</c> and
    /// <c>sudo bash</c> open a nested shell as the target.
    /// </summary>
    public static async ValueTask<int> Sudo(CommandContext c)
    {
        var target = "root";
        bool keepEnvironment = false, login = false, shell = false;
        var i = 0;
        for (; i < c.Args.Count && c.Args[i].StartsWith('-'); i++)
        {
            if (c.Args[i] == "--")
            {
                i++;
                break;
            }
            if (c.Args[i] == "-u" && i + 1 < c.Args.Count)
            {
                target = c.Args[++i];
                continue;
            }
            keepEnvironment |= c.Args[i].Contains('E', StringComparison.Ordinal);
            login |= c.Args[i].Contains('i', StringComparison.Ordinal);
            shell |= c.Args[i].Contains('s', StringComparison.Ordinal);
        }
        var command = c.Args.Skip(i).ToList();
        if (command.Count == 0 && !login && !shell)
        {
            c.Err.WriteLine("usage: sudo -h | -K | -k | -V");
            c.Err.WriteLine("usage: sudo [-u user] [-E] [-H] [-i | -s] [-n] command [arg ...]");
            return 1;
        }
        if (!c.User.IsRoot && !c.User.InGroup(c.Host.Facts.AdminGroup))
        {
            c.Err.WriteLine($"{c.User.Name} is not in the sudoers file.  This incident will be reported.");
            return 1;
        }
        if (c.Host.FindAccount(target) is not { } account)
        {
            c.Err.WriteLine($"sudo: unknown user {target}");
            return 1;
        }
        if (command.Count == 0 || (command.Count == 1 && command[0] is "bash" or "sh" or "-bash"))
            return await ShellAsync(c, account, login).ConfigureAwait(false);
        if (command[0] == "su")
            return await SwitchUserAsync(c, command[1..]).ConfigureAwait(false);
        var environment = new Dictionary<string, string>(keepEnvironment ? c.Environment : new Dictionary<string, string>(), StringComparer.Ordinal);
        foreach (var (name, value) in ShellSession.LoginVariables(account))
            environment[name] = value;
        environment["SUDO_USER"] = c.User.Name;
        environment["SUDO_UID"] = c.User.Uid.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var session = c.Session.Fork(environment);
        session.User = account;
        return await c.Execution.InvokeAsync(session, command, environment, c.Out, c.Err, c.Stdin).ConfigureAwait(false);
    }

    /// <summary>su [-|-l] [USER] [-c COMMAND]: root switches freely; anyone else would need a password no one can type here.</summary>
    public static async ValueTask<int> Su(CommandContext c)
    {
        if (!c.User.IsRoot)
        {
            c.Err.WriteLine("Password: ");
            c.Err.WriteLine("su: Authentication failure");
            return 1;
        }
        return await SwitchUserAsync(c, c.Args).ConfigureAwait(false);
    }

    private static async ValueTask<int> SwitchUserAsync(CommandContext c, IReadOnlyList<string> args)
    {
        var login = args.Any(a => a is "-" or "-l" or "--login");
        var script = args.SkipWhile(a => a is not ("-c" or "--command")).Skip(1).FirstOrDefault();
        var name = args.Where(a => !a.StartsWith('-') && a != script).FirstOrDefault() ?? "root";
        if (c.Host.FindAccount(name) is not { } account)
        {
            c.Err.WriteLine($"su: user {name} does not exist or the user entry does not contain all the required fields");
            return 1;
        }
        if (script is null)
            return await ShellAsync(c, account, login).ConfigureAwait(false);
        var session = c.Session.Fork(ShellSession.LoginVariables(account));
        session.User = account;
        return await c.Execution.Child(c.Out, c.Err, c.Stdin).RunScriptAsync(script, session).ConfigureAwait(false);
    }

    /// <summary>
    /// A shell as another account: in a terminal it stays open for the next lines; without one it reads its
    /// commands from standard input, as <c>echo id | sudo -i</c> does.
    /// </summary>
    private static async ValueTask<int> ShellAsync(CommandContext c, Account account, bool login)
    {
        if (c.Session.IsInteractive)
        {
            c.Session.PushLogin(account, login);
            return 0;
        }
        var session = c.Session.Fork(ShellSession.LoginVariables(account));
        session.User = account;
        if (login && c.Fs.Stat(account.Home, account) is { IsDirectory: true })
            session.ChangeDirectory(account.Home);
        return await c.Execution.Child(c.Out, c.Err, c.Stdin).RunScriptAsync(c.ReadInput(), session).ConfigureAwait(false);
    }

    /// <summary><c>bash -c 'script' [name args…]</c>, <c>bash file [args…]</c>, or a script on standard input; always a subshell.</summary>
    public static async ValueTask<int> Bash(CommandContext c)
    {
        var i = 0;
        string? command = null;
        for (; i < c.Args.Count && c.Args[i].StartsWith('-') && c.Args[i] != "-"; i++)
        {
            if (c.Args[i].Contains('c', StringComparison.Ordinal))
            {
                if (i + 1 >= c.Args.Count)
                {
                    c.Err.WriteLine($"{c.Name}: -c: option requires an argument");
                    return 2;
                }
                command = c.Args[++i];
                i++;
                break;
            }
        }
        var rest = c.Args.Skip(i).ToList();
        if (command is not null)
            return await c.Execution.RunScriptFileAsync(c, rest.FirstOrDefault() ?? c.Name, command, [.. rest.Skip(1)]).ConfigureAwait(false);
        if (rest.Count == 0 || rest[0] == "-")
            return await ShellAsync(c, c.User, login: c.Args.Contains("-l") || c.Args.Contains("--login")).ConfigureAwait(false);
        try
        {
            var script = c.Fs.ReadText(c.Resolve(rest[0]), c.User);
            return await c.Execution.RunScriptFileAsync(c, rest[0], script, [.. rest.Skip(1)]).ConfigureAwait(false);
        }
        catch (VfsException e)
        {
            c.Err.WriteLine($"{c.Name}: {rest[0]}: {e.Reason}");
            return 127;
        }
    }

    /// <summary>timeout DURATION COMMAND…: runs the command with a deadline on the host's clock; 124 when it ran out.</summary>
    public static async ValueTask<int> Timeout(CommandContext c)
    {
        var args = c.Args.SkipWhile(a => a.StartsWith('-')).ToList();
        if (args.Count < 2)
            return c.Fail(args.Count == 0 ? "missing operand" : $"missing operand after '{args[0]}'", 125);
        var unit = char.IsAsciiLetter(args[0][^1]) ? args[0][^1] : 's';
        var scale = unit switch { 's' => 1.0, 'm' => 60.0, 'h' => 3600.0, 'd' => 86400.0, _ => -1 };
        if (scale < 0 || !double.TryParse(char.IsAsciiLetter(args[0][^1]) ? args[0][..^1] : args[0], System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var value) || value < 0)
            return c.Fail($"invalid time interval '{args[0]}'", 125);
        using var deadline = value == 0 ? new CancellationTokenSource() : new CancellationTokenSource(TimeSpan.FromSeconds(Math.Min(value * scale, TimeSpan.FromDays(30).TotalSeconds)), c.Host.Time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(c.Token, deadline.Token);
        try
        {
            return await c.Execution.WithToken(linked.Token).InvokeAsync(c.Session, args[1..], c.Environment, c.Out, c.Err, c.Stdin).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !c.Token.IsCancellationRequested)
        {
            return 124;
        }
    }

    /// <summary>xargs [-n N] [-I REPLACE] [COMMAND…]: runs the command with words read from standard input.</summary>
    public static async ValueTask<int> Xargs(CommandContext c)
    {
        var args = c.Args.ToList();
        string? replace = null;
        var perCall = int.MaxValue;
        while (args.Count > 0 && args[0].StartsWith('-'))
        {
            if (args[0] == "-I" && args.Count > 1)
            {
                replace = args[1];
                args.RemoveRange(0, 2);
            }
            else if (args[0].StartsWith("-I", StringComparison.Ordinal))
            {
                replace = args[0][2..];
                args.RemoveAt(0);
            }
            else if (args[0] == "-n" && args.Count > 1 && int.TryParse(args[1], System.Globalization.CultureInfo.InvariantCulture, out var n) && n > 0)
            {
                perCall = n;
                args.RemoveRange(0, 2);
            }
            else
            {
                args.RemoveAt(0);
            }
        }
        if (args.Count == 0)
            args = ["echo"];
        var input = c.ReadInput();
        var items = replace is null
            ? input.Split([' ', '\t', '\n'], StringSplitOptions.RemoveEmptyEntries).ToList()
            : CommandContext.Lines(input).Where(l => l.Length > 0).ToList();
        if (items.Count == 0 && replace is null)
            return await c.Execution.InvokeAsync(c.Session, args, c.Environment, c.Out, c.Err, StdinSource.Empty).ConfigureAwait(false);
        var status = 0;
        var batches = replace is null ? items.Chunk(perCall).Select(batch => args.Concat(batch).ToList()) : items.Select(item => args.Select(a => a.Replace(replace, item, StringComparison.Ordinal)).ToList());
        foreach (var words in batches)
        {
            var result = await c.Execution.InvokeAsync(c.Session, words, c.Environment, c.Out, c.Err, StdinSource.Empty).ConfigureAwait(false);
            if (result != 0)
                status = result == 127 ? 127 : 123;
        }
        return status;
    }

    public static ValueTask<int> Clear(CommandContext c)
    {
        c.Out.Write("\u001b[H\u001b[2J\u001b[3J");
        return CommandContext.Status(0);
    }
}
