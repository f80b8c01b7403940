using System.Text;

namespace Alpacon.Emulator.Shell;

/// <summary>
/// A bash-like shell on a simulated host: the user, working directory, variables and last exit status persist
/// from one line to the next, as in a Websh terminal. It interprets a safe subset of bash over the host's
/// <see cref="VirtualFileSystem"/> and never runs anything on the emulator's own machine.
/// One line runs at a time.
/// </summary>
public sealed class ShellSession
{
    private readonly Dictionary<string, string> variables = new(StringComparer.Ordinal);
    private readonly HashSet<string> exported = new(StringComparer.Ordinal);
    private readonly Stack<Login> logins = new();
    private readonly Dictionary<string, string> aliases = new(StringComparer.Ordinal);
    private readonly List<string> history = [];
    private bool started;
    private int running;
    private Dictionary<string, string>? environment;

    internal ShellSession(SimulatedHost host, Account user, IReadOnlyDictionary<string, string>? environment, bool interactive)
    {
        Host = host;
        User = user;
        IsInteractive = interactive;
        HasTerminal = interactive;
        ProcessId = host.NextPid();
        ArgumentZero = interactive ? "-bash" : "bash";
        WorkingDirectory = host.FileSystem.IsDirectory(user.Home, user) ? user.Home : "/";
        var login = LoginVariables(user);
        login["PWD"] = WorkingDirectory;
        login["LANG"] = "C.UTF-8";
        login["SHLVL"] = "1";
        if (interactive)
            login["TERM"] = "xterm-256color";
        foreach (var (name, value) in login)
            SetVariable(name, value, export: true);
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
            SetVariable(name, value, export: true);
        variables["HOSTNAME"] = host.Hostname;
    }

    private ShellSession(ShellSession parent)
    {
        Host = parent.Host;
        User = parent.User;
        IsInteractive = false;
        HasTerminal = parent.HasTerminal;
        ProcessId = parent.ProcessId;
        ArgumentZero = parent.ArgumentZero;
        WorkingDirectory = parent.WorkingDirectory;
        LastExitStatus = parent.LastExitStatus;
        Positional = parent.Positional;
        LoopDepth = parent.LoopDepth;
        started = true;
        foreach (var (name, value) in parent.aliases)
            aliases[name] = value;
        foreach (var (name, value) in parent.variables)
            variables[name] = value;
        exported.UnionWith(parent.exported);
    }

    public SimulatedHost Host { get; }

    public Account User { get; internal set; }

    public string WorkingDirectory { get; private set; }

    /// <summary><c>$?</c>: the status of the last pipeline.</summary>
    public int LastExitStatus { get; internal set; }

    /// <summary>Set by <c>exit</c>: the session accepts no more lines and a terminal should close.</summary>
    public bool HasExited { get; internal set; }

    /// <summary>A terminal session (Websh) rather than the agent's one-shot commands; ls prints columns, exit says "logout".</summary>
    public bool IsInteractive { get; }

    /// <summary>A user is logged in on pts/0 (a Websh session); unlike <see cref="IsInteractive"/>, subshells keep it.</summary>
    internal bool HasTerminal { get; }

    /// <summary><c>$$</c>.</summary>
    public int ProcessId { get; }

    /// <summary>The exported variables, which commands see as their environment.</summary>
    public IReadOnlyDictionary<string, string> Environment =>
        environment ??= exported.Where(variables.ContainsKey).ToDictionary(n => n, n => variables[n], StringComparer.Ordinal);

    /// <summary>The prompt bash would print now: <c>jane@web-01:~$ </c>, or <c>[jane@db-01 ~]$ </c> on Red Hat systems.</summary>
    public string Prompt
    {
        get
        {
            var home = GetVariable("HOME");
            var directory = home is { Length: > 1 } && (WorkingDirectory == home || WorkingDirectory.StartsWith(home + "/", StringComparison.Ordinal))
                ? "~" + WorkingDirectory[home.Length..]
                : WorkingDirectory;
            var sign = User.IsRoot ? '#' : '$';
            return Host.Facts.IsRedHat
                ? $"[{User.Name}@{Host.Hostname} {(directory == "~" ? "~" : VfsPath.Name(directory) is { Length: > 0 } last ? last : "/")}]{sign} "
                : $"{User.Name}@{Host.Hostname}:{directory}{sign} ";
        }
    }

    internal string ArgumentZero { get; set; }

    internal IReadOnlyList<string> Positional { get; set; } = [];

    /// <summary>How many loops enclose the running command, so break and continue know whether they mean anything.</summary>
    internal int LoopDepth { get; set; }

    public string? GetVariable(string name) => variables.GetValueOrDefault(name);

    public void SetVariable(string name, string value, bool export = false)
    {
        variables[name] = value;
        if (export)
            exported.Add(name);
        if (exported.Contains(name))
            environment = null;
    }

    /// <summary>Aliases, as <c>alias</c> defines them and ~/.bashrc sets them for terminals.</summary>
    internal Dictionary<string, string> Aliases => aliases;

    /// <summary>The lines typed in this terminal, for <c>history</c>.</summary>
    internal List<string> History => history;

    /// <summary>A command's words with an alias for its first word replaced, once, as bash expands aliases.</summary>
    internal IReadOnlyList<string> ExpandAlias(IReadOnlyList<string> words)
    {
        if (words.Count == 0 || !aliases.TryGetValue(words[0], out var value))
            return words;
        try
        {
            return ShellParser.Parse(value) is [{ Pipeline.Commands: [SimpleCommand { Redirections.Count: 0 } command] }] ? [.. command.Words, .. words.Skip(1)] : words;
        }
        catch (ShellSyntaxException)
        {
            return words;
        }
    }

    internal void Export(string name)
    {
        exported.Add(name);
        environment = null;
    }

    internal void Unset(string name)
    {
        variables.Remove(name);
        exported.Remove(name);
        environment = null;
    }

    internal void ChangeDirectory(string path)
    {
        SetVariable("OLDPWD", WorkingDirectory, export: true);
        WorkingDirectory = path;
        SetVariable("PWD", path, export: true);
    }

    /// <summary>The variables a login as <paramref name="account"/> sets, as login(1) and sudo do.</summary>
    internal static Dictionary<string, string> LoginVariables(Account account) => new(StringComparer.Ordinal)
    {
        ["HOME"] = account.Home,
        ["USER"] = account.Name,
        ["LOGNAME"] = account.Name,
        ["SHELL"] = account.Shell,
        ["PATH"] = account.IsRoot ? "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" : "/usr/local/bin:/usr/bin:/bin:/usr/local/games:/usr/games",
    };

    /// <summary>
    /// Opens a nested shell in this terminal as <paramref name="account"/> (sudo -i, su -, bash): later lines
    /// run as that account until <c>exit</c> returns to this one. A login shell starts in the account's home.
    /// </summary>
    internal void PushLogin(Account account, bool login)
    {
        logins.Push(new Login(User, WorkingDirectory, new(variables, StringComparer.Ordinal), [.. exported], ArgumentZero));
        User = account;
        // A login shell starts from a clean environment; a plain nested shell inherits only what was exported.
        var kept = login ? ["LANG", "TERM"] : exported.ToList();
        foreach (var name in variables.Keys.Where(n => !kept.Contains(n)).ToList())
            Unset(name);
        foreach (var (name, value) in LoginVariables(account))
            SetVariable(name, value, export: true);
        SetVariable("SHLVL", (logins.Count + 1).ToString(System.Globalization.CultureInfo.InvariantCulture), export: true);
        ArgumentZero = login ? "-bash" : "bash";
        if (login && Host.FileSystem.Stat(account.Home, account) is { IsDirectory: true })
            ChangeDirectory(account.Home);
        started = false;
    }

    /// <summary>Leaves the innermost nested shell; false when there is none, so exit ends the session.</summary>
    internal bool PopLogin()
    {
        if (!logins.TryPop(out var outer))
            return false;
        (User, WorkingDirectory, ArgumentZero) = (outer.User, outer.WorkingDirectory, outer.ArgumentZero);
        variables.Clear();
        foreach (var (name, value) in outer.Variables)
            variables[name] = value;
        exported.Clear();
        exported.UnionWith(outer.Exported);
        environment = null;
        return true;
    }

    /// <summary>A subshell: a copy whose changes (cd, variables, exit) do not reach this session.</summary>
    internal ShellSession Fork(IReadOnlyDictionary<string, string>? environment = null)
    {
        var child = new ShellSession(this);
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
            child.SetVariable(name, value, export: true);
        return child;
    }

    /// <summary>
    /// Runs one command line (which may hold several commands and lines) and streams its output to
    /// <paramref name="output"/>. <paramref name="stdin"/> is what the first command reading standard input gets.
    /// Cancellation (Ctrl-C, a timeout) stops the line at the next command or wait, sets <c>$?</c> to 130 and throws.
    /// </summary>
    /// <returns>The exit status of the last pipeline run.</returns>
    public async Task<int> RunAsync(string line, ShellSink output, string? stdin = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(line);
        ArgumentNullException.ThrowIfNull(output);
        if (HasExited)
            throw new InvalidOperationException("The shell has exited.");
        if (Interlocked.Exchange(ref running, 1) == 1)
            throw new InvalidOperationException("The shell is already running a command line.");
        var terminal = new TerminalWriter(output);
        try
        {
            var execution = new Execution(terminal, terminal, terminal, new StdinSource(stdin), cancellationToken);
            if (IsInteractive && !started)
            {
                // bash reads ~/.bashrc when a terminal opens; its aliases (ll, la) and exports apply from then on.
                started = true;
                if (Host.FileSystem.Stat(User.Home + "/.bashrc", User) is { IsDirectory: false } rc)
                    await execution.RunScriptAsync(Host.FileSystem.ReadText(rc.Path, User), this).ConfigureAwait(false);
                LastExitStatus = 0;
            }
            if (IsInteractive && line.Trim().Length > 0)
                history.Add(line.TrimEnd('\r', '\n'));
            return await execution.RunScriptAsync(line, this).ConfigureAwait(false);
        }
        catch (OutputLimitException)
        {
            terminal.WriteNotice($"\n[output truncated: the emulator stops a command line at {ShellLimits.MaxOutputChars} characters]\n");
            return LastExitStatus = 1;
        }
        catch (LoopControl)
        {
            return LastExitStatus;
        }
        catch (OperationCanceledException)
        {
            LastExitStatus = 130;
            throw;
        }
        finally
        {
            await terminal.FlushAsync(CancellationToken.None).ConfigureAwait(false);
            Volatile.Write(ref running, 0);
        }
    }

    /// <summary>Runs one command line and returns its whole output; see <see cref="RunAsync(string, ShellSink, string?, CancellationToken)"/>.</summary>
    public async Task<ShellResult> RunAsync(string line, string? stdin = null, CancellationToken cancellationToken = default)
    {
        var output = new StringBuilder();
        var status = await RunAsync(line, (chunk, _) =>
        {
            output.Append(chunk);
            return ValueTask.CompletedTask;
        }, stdin, cancellationToken).ConfigureAwait(false);
        return new ShellResult(output.ToString(), status);
    }

    private sealed record Login(Account User, string WorkingDirectory, Dictionary<string, string> Variables, HashSet<string> Exported, string ArgumentZero);
}
