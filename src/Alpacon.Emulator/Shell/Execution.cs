namespace Alpacon.Emulator.Shell;

/// <summary>
/// Runs parsed command lines: lists, pipelines, redirections, command lookup. One execution serves one call of
/// <see cref="ShellSession.RunAsync(string, ShellSink, string?, CancellationToken)"/>; scripts, <c>bash -c</c> and
/// <c>$(…)</c> run in child executions that share its terminal and its cancellation.
/// </summary>
internal sealed class Execution
{
    private readonly TerminalWriter terminal;
    private int substitutions;

    public Execution(TerminalWriter terminal, ShellWriter output, ShellWriter error, StdinSource input, CancellationToken cancellationToken, int depth = 0)
    {
        this.terminal = terminal;
        Output = output;
        Error = error;
        Input = input;
        Token = cancellationToken;
        Depth = depth;
    }

    public ShellWriter Output { get; }

    public ShellWriter Error { get; }

    public StdinSource Input { get; }

    public CancellationToken Token { get; }

    public int Depth { get; }

    /// <summary>Hands buffered terminal output to the caller's sink.</summary>
    public ValueTask FlushAsync() => terminal.FlushAsync(Token);

    /// <summary>Parses and runs <paramref name="script"/> in <paramref name="session"/>; a syntax error prints bash's message and gives status 2.</summary>
    public async Task<int> RunScriptAsync(string script, ShellSession session)
    {
        IReadOnlyList<ListItem> items;
        try
        {
            items = ShellParser.Parse(script);
        }
        catch (ShellSyntaxException e)
        {
            Error.WriteLine($"bash: {e.Message}");
            return session.LastExitStatus = 2;
        }
        return await RunItemsAsync(items, session).ConfigureAwait(false);
    }

    private async Task<int> RunItemsAsync(IReadOnlyList<ListItem> items, ShellSession session)
    {
        foreach (var item in items)
        {
            Token.ThrowIfCancellationRequested();
            if ((item.Connector == Connector.And && session.LastExitStatus != 0) || (item.Connector == Connector.Or && session.LastExitStatus == 0))
                continue;
            session.LastExitStatus = await RunPipelineAsync(item.Pipeline, session).ConfigureAwait(false);
            if (session.HasExited)
                break;
        }
        return session.LastExitStatus;
    }

    /// <summary>A child execution for a script or <c>bash -c</c>, with the given streams.</summary>
    public Execution Child(ShellWriter output, ShellWriter error, StdinSource input)
    {
        if (Depth >= ShellLimits.MaxDepth)
            throw new ShellSyntaxException("maximum nesting level exceeded");
        return new Execution(terminal, output, error, input, Token, Depth + 1);
    }

    /// <summary>The same streams under another cancellation token, for <c>timeout</c>.</summary>
    public Execution WithToken(CancellationToken cancellationToken) => new(terminal, Output, Error, Input, cancellationToken, Depth);

    /// <summary><c>$(…)</c>: runs in a subshell and yields its stdout without trailing newlines.</summary>
    public async Task<string> SubstituteAsync(string script, ShellSession session)
    {
        substitutions++;
        var capture = new CaptureWriter();
        var child = Child(capture, Error, StdinSource.Empty);
        var subshell = session.Fork();
        session.LastExitStatus = await child.RunScriptAsync(script, subshell).ConfigureAwait(false);
        return capture.Text.TrimEnd('\n');
    }

    private async Task<int> RunPipelineAsync(Pipeline pipeline, ShellSession session)
    {
        int status;
        if (pipeline.Commands.Count == 1)
        {
            status = await RunCommandAsync(pipeline.Commands[0], session, Input, Output).ConfigureAwait(false);
        }
        else
        {
            // Stages run one after another on buffered pipes: every command here finishes on its own, and
            // each stage is a subshell, so "cd /tmp | cat" leaves the directory alone as in bash.
            var input = Input;
            status = 0;
            for (var i = 0; i < pipeline.Commands.Count; i++)
            {
                var last = i == pipeline.Commands.Count - 1;
                var pipe = last ? null : new CaptureWriter(isPipe: true);
                status = await RunCommandAsync(pipeline.Commands[i], session.Fork(), input, pipe ?? Output).ConfigureAwait(false);
                input = new StdinSource(pipe?.Text);
            }
        }
        return pipeline.Negated ? (status == 0 ? 1 : 0) : status;
    }

    private async Task<int> RunCommandAsync(Command command, ShellSession session, StdinSource input, ShellWriter output)
    {
        var expander = new WordExpander(this, session);
        var error = Error;
        var files = new List<(CaptureWriter Writer, string Path)>();
        var status = 0;
        var substituted = substitutions;
        try
        {
            var words = new List<string>();
            var assignments = new List<(string Name, string Value)>();
            foreach (var raw in session.ExpandAlias((command as SimpleCommand)?.Words ?? []))
            {
                if (words.Count == 0 && AssignmentName(raw) is { } name)
                    assignments.Add((name, await expander.ExpandSingleAsync(raw[(name.Length + 1)..]).ConfigureAwait(false)));
                else if (words.Count > 0 && words[0] is "export" or "readonly" or "local" or "declare" && AssignmentName(raw) is not null)
                    words.Add(await expander.ExpandSingleAsync(raw).ConfigureAwait(false));
                else
                    words.AddRange(await expander.ExpandAsync(raw).ConfigureAwait(false));
            }
            foreach (var redirection in command.Redirections)
            {
                var opened = await RedirectAsync(redirection, session, expander, output, error, input, files).ConfigureAwait(false);
                if (opened is null)
                    return 1;
                (output, error, input) = opened.Value;
            }
            if (command is not SimpleCommand)
            {
                status = await new Execution(terminal, output, error, input, Token, Depth).RunCompoundAsync(command, session).ConfigureAwait(false);
            }
            else if (words.Count == 0)
            {
                foreach (var (name, value) in assignments)
                    session.SetVariable(name, value);
                // `x=$(false)` fails: a bare assignment takes the status of its last command substitution.
                status = substitutions > substituted ? session.LastExitStatus : 0;
            }
            else
            {
                var environment = session.Environment;
                if (assignments.Count > 0)
                {
                    var extended = new Dictionary<string, string>(environment, StringComparer.Ordinal);
                    foreach (var (name, value) in assignments)
                        extended[name] = value;
                    environment = extended;
                }
                status = await InvokeAsync(session, words, environment, output, error, input).ConfigureAwait(false);
            }
        }
        catch (ShellSyntaxException e)
        {
            error.WriteLine($"bash: {e.Message}");
            status = 1;
        }
        catch (VfsException e)
        {
            // Commands report their own file errors; this catches the rest (a script readable by no one, say).
            error.WriteLine($"bash: {e.Message}");
            status = 126;
        }
        catch (OutputLimitException e) when (e.Writer is CaptureWriter { IsPipe: true })
        {
            // The reader of a full pipe stops reading; the writer dies of SIGPIPE, as `seq 1 1e9 | head` does.
            status = 141;
        }
        catch (OutputLimitException e) when (files.Exists(f => f.Writer == e.Writer))
        {
            error.WriteLine("bash: write error: File too large");
            status = 1;
        }
        finally
        {
            foreach (var (writer, path) in files)
            {
                try
                {
                    session.Host.FileSystem.WriteText(path, writer.Text, session.User, append: true);
                }
                catch (VfsException e)
                {
                    error.WriteLine($"bash: {VfsPath.Name(path)}: write error: {e.Reason}");
                    status = 1;
                }
            }
            await FlushAsync().ConfigureAwait(false);
        }
        return status;
    }

    private async Task<int> RunCompoundAsync(Command command, ShellSession session)
    {
        switch (command)
        {
            case GroupCommand group:
                return await RunItemsAsync(group.Body, group.Subshell ? session.Fork() : session).ConfigureAwait(false);
            case IfCommand conditional:
                foreach (var (condition, body) in conditional.Branches)
                {
                    if (await RunItemsAsync(condition, session).ConfigureAwait(false) == 0)
                        return await RunItemsAsync(body, session).ConfigureAwait(false);
                    if (session.HasExited)
                        return session.LastExitStatus;
                }
                return conditional.Else is null ? 0 : await RunItemsAsync(conditional.Else, session).ConfigureAwait(false);
            case ForCommand loop:
                var expander = new WordExpander(this, session);
                var values = new List<string>();
                foreach (var raw in loop.Words ?? [])
                    values.AddRange(await expander.ExpandAsync(raw).ConfigureAwait(false));
                var items = loop.Words is null ? session.Positional : values;
                var index = 0;
                return await LoopAsync(session, loop.Body, () =>
                {
                    if (index == items.Count)
                        return Task.FromResult(false);
                    session.SetVariable(loop.Variable, items[index++]);
                    return Task.FromResult(true);
                }).ConfigureAwait(false);
            case WhileCommand loop:
                return await LoopAsync(session, loop.Body, async () =>
                    (await RunItemsAsync(loop.Condition, session).ConfigureAwait(false) == 0) != loop.Until && !session.HasExited).ConfigureAwait(false);
            default:
                throw new InvalidOperationException($"Unknown command {command.GetType().Name}");
        }
    }

    /// <summary>
    /// Runs a loop body while <paramref name="next"/> says so, honouring break/continue. A loop that runs past
    /// <see cref="ShellLimits.MaxLoopIterations"/> is stopped: `while true; do :; done` must not spin forever.
    /// </summary>
    private async Task<int> LoopAsync(ShellSession session, IReadOnlyList<ListItem> body, Func<Task<bool>> next)
    {
        var status = 0;
        var iterations = 0;
        session.LoopDepth++;
        try
        {
            while (await next().ConfigureAwait(false))
            {
                Token.ThrowIfCancellationRequested();
                if (++iterations > ShellLimits.MaxLoopIterations)
                {
                    Error.WriteLine($"bash: loop stopped after {ShellLimits.MaxLoopIterations} iterations (emulator limit)");
                    return 1;
                }
                try
                {
                    status = await RunItemsAsync(body, session).ConfigureAwait(false);
                }
                catch (LoopControl control) when (control.Levels > 1)
                {
                    throw new LoopControl(control.Break, control.Levels - 1);
                }
                catch (LoopControl control) when (control.Break)
                {
                    break;
                }
                catch (LoopControl)
                {
                    continue;
                }
                if (session.HasExited)
                    break;
            }
            return status;
        }
        finally
        {
            session.LoopDepth--;
        }
    }

    private async Task<(ShellWriter, ShellWriter, StdinSource)?> RedirectAsync(
        Redirection redirection, ShellSession session, WordExpander expander, ShellWriter output, ShellWriter error, StdinSource input, List<(CaptureWriter, string)> files)
    {
        var fs = session.Host.FileSystem;
        switch (redirection.Kind)
        {
            case RedirectKind.Duplicate:
                var target = redirection.Target switch { "1" => output, "2" => error, "-" => NullWriter.Instance, _ => null };
                if (redirection.Fd == 0 || target is null)
                    return (output, error, input);
                return redirection.Fd == 2 ? (output, target, input) : (target, error, input);
            case RedirectKind.HereString:
                return (output, error, new StdinSource(await expander.ExpandSingleAsync(redirection.Target).ConfigureAwait(false) + "\n"));
            case RedirectKind.HereDocument:
                var body = redirection.ExpandBody ? await expander.ExpandHereDocumentAsync(redirection.Body).ConfigureAwait(false) : redirection.Body;
                return (output, error, new StdinSource(body));
        }
        var words = await expander.ExpandAsync(redirection.Target).ConfigureAwait(false);
        if (words.Count != 1)
        {
            error.WriteLine($"bash: {redirection.Target}: ambiguous redirect");
            return null;
        }
        var path = VfsPath.Normalize(words[0], session.WorkingDirectory);
        try
        {
            if (redirection.Kind == RedirectKind.Read)
                return (output, error, new StdinSource(Devices.ReadText(fs, path, session.User)));
            ShellWriter writer = path switch
            {
                "/dev/null" => NullWriter.Instance,
                "/dev/stdout" => output,
                "/dev/stderr" => error,
                _ => new CaptureWriter(),
            };
            if (writer is CaptureWriter capture)
            {
                // bash opens (and truncates) the file before the command runs, so `cat f > f` empties f.
                var append = redirection.Kind is RedirectKind.Append or RedirectKind.AppendBoth;
                fs.WriteFile(path, [], session.User, append: append);
                files.Add((capture, path));
            }
            return redirection.Kind switch
            {
                RedirectKind.WriteBoth or RedirectKind.AppendBoth => (writer, writer, input),
                _ when redirection.Fd == 2 => (output, writer, input),
                _ => (writer, error, input),
            };
        }
        catch (VfsException e)
        {
            error.WriteLine($"bash: {words[0]}: {e.Reason}");
            return null;
        }
    }

    /// <summary>Runs a command by its words as the shell would: a builtin, else the first match on PATH or the path given.</summary>
    public async Task<int> InvokeAsync(ShellSession session, IReadOnlyList<string> words, IReadOnlyDictionary<string, string> environment, ShellWriter output, ShellWriter error, StdinSource input)
    {
        var name = words[0];
        var context = new CommandContext
        {
            Name = name,
            Args = [.. words.Skip(1)],
            Session = session,
            Execution = this,
            Out = output,
            Err = error,
            Stdin = input,
            Environment = environment,
        };
        if (CommandTable.Builtins.TryGetValue(name, out var builtin))
            return await builtin(context).ConfigureAwait(false);

        var fs = session.Host.FileSystem;
        var path = name.Contains('/') ? VfsPath.Normalize(name, session.WorkingDirectory) : Which(session, name);
        var entry = path is null ? null : fs.Stat(path, session.User);
        if (entry is null)
        {
            error.WriteLine(name.Contains('/') ? $"bash: {name}: No such file or directory" : $"bash: {name}: command not found");
            return 127;
        }
        if (entry.IsDirectory || !entry.CanExecute(session.User))
        {
            error.WriteLine($"bash: {name}: {(entry.IsDirectory ? "Is a directory" : "Permission denied")}");
            return 126;
        }
        if (CommandTable.SystemDirectories.Contains(VfsPath.Parent(entry.Path)) && CommandTable.Programs.TryGetValue(VfsPath.Name(entry.Path), out var program))
            return await program(context).ConfigureAwait(false);
        var content = fs.ReadText(entry.Path, session.User);
        if (content.StartsWith("\u007fELF", StringComparison.Ordinal))
        {
            error.WriteLine($"bash: {name}: cannot execute binary file: Exec format error");
            return 126;
        }
        return await RunScriptFileAsync(context, entry.Path, content, context.Args).ConfigureAwait(false);
    }

    /// <summary>Runs a script in a subshell with its own positional parameters, as <c>bash file args</c> does.</summary>
    public async Task<int> RunScriptFileAsync(CommandContext context, string name, string script, IReadOnlyList<string> arguments)
    {
        var child = context.Execution.Child(context.Out, context.Err, context.Stdin);
        var subshell = context.Session.Fork(context.Environment);
        subshell.ArgumentZero = name;
        subshell.Positional = arguments;
        return await child.RunScriptAsync(script, subshell).ConfigureAwait(false);
    }

    /// <summary>The first executable named <paramref name="name"/> on the session's PATH, as <c>which</c> finds it.</summary>
    public static string? Which(ShellSession session, string name)
    {
        foreach (var directory in (session.GetVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            var path = VfsPath.Combine(VfsPath.Normalize(directory, session.WorkingDirectory), name);
            if (session.Host.FileSystem.Stat(path, session.User) is { IsDirectory: false } entry && entry.CanExecute(session.User))
                return path;
        }
        return null;
    }

    private static string? AssignmentName(string raw)
    {
        var equals = raw.IndexOf('=');
        if (equals <= 0 || char.IsAsciiDigit(raw[0]))
            return null;
        for (var i = 0; i < equals; i++)
        {
            if (!char.IsAsciiLetterOrDigit(raw[i]) && raw[i] != '_')
                return null;
        }
        return raw[..equals];
    }
}
