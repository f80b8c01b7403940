using Alpacon.Emulator.Shell.Commands;

namespace Alpacon.Emulator.Shell;

/// <summary>
/// Every command the shell knows, in one place. Builtins run inside the shell whatever PATH says; programs
/// exist as files in /usr/bin and /bin of every host and are found through PATH, so <c>which</c>, <c>rm
/// /usr/bin/ls</c> and a script named like a program behave as on Linux.
/// </summary>
internal static class CommandTable
{
    /// <summary>Builtins that also exist as files in /usr/bin (bash runs its own; <c>which echo</c> still finds the file).</summary>
    private static readonly Dictionary<string, ShellCommand> Both = new(StringComparer.Ordinal)
    {
        ["echo"] = PrintCommands.Echo,
        ["printf"] = PrintCommands.Printf,
        ["pwd"] = BuiltinCommands.Pwd,
        ["test"] = TestCommand.Run,
        ["["] = TestCommand.Run,
        ["true"] = BuiltinCommands.True,
        ["false"] = BuiltinCommands.False,
    };

    public static IReadOnlyDictionary<string, ShellCommand> Builtins { get; } = new Dictionary<string, ShellCommand>(Both, StringComparer.Ordinal)
    {
        ["cd"] = BuiltinCommands.Cd,
        ["exit"] = BuiltinCommands.Exit,
        ["logout"] = BuiltinCommands.Exit,
        ["export"] = BuiltinCommands.Export,
        ["unset"] = BuiltinCommands.Unset,
        ["source"] = BuiltinCommands.Source,
        ["."] = BuiltinCommands.Source,
        ["eval"] = BuiltinCommands.Eval,
        ["read"] = BuiltinCommands.Read,
        ["break"] = BuiltinCommands.LoopControl,
        ["continue"] = BuiltinCommands.LoopControl,
        ["type"] = BuiltinCommands.Type,
        ["alias"] = BuiltinCommands.Alias,
        ["unalias"] = BuiltinCommands.Unalias,
        ["history"] = BuiltinCommands.History,
        ["command"] = BuiltinCommands.Command,
        [":"] = BuiltinCommands.True,
    };

    public static IReadOnlyDictionary<string, ShellCommand> Programs { get; } = new Dictionary<string, ShellCommand>(Both, StringComparer.Ordinal)
    {
        ["cat"] = TextCommands.Cat,
        ["head"] = TextCommands.Head,
        ["tail"] = TextCommands.Tail,
        ["wc"] = TextCommands.Wc,
        ["sort"] = TextCommands.Sort,
        ["uniq"] = TextCommands.Uniq,
        ["seq"] = TextCommands.Seq,
        ["tee"] = TextCommands.Tee,
        ["cut"] = TextCommands.Cut,
        ["tr"] = TextCommands.Tr,
        ["basename"] = TextCommands.Basename,
        ["dirname"] = TextCommands.Dirname,
        ["base64"] = TextCommands.Base64,
        ["sha256sum"] = TextCommands.Sha256Sum,
        ["md5sum"] = TextCommands.Md5Sum,
        ["awk"] = AwkCommand.Run,
        ["sed"] = SedCommand.Run,
        ["grep"] = GrepCommand.Run,
        ["egrep"] = GrepCommand.Run,
        ["fgrep"] = GrepCommand.Run,
        ["ls"] = ListCommand.Run,
        ["mkdir"] = FileCommands.Mkdir,
        ["touch"] = FileCommands.Touch,
        ["rm"] = FileCommands.Rm,
        ["cp"] = FileCommands.Cp,
        ["mv"] = FileCommands.Mv,
        ["chmod"] = FileCommands.Chmod,
        ["chown"] = FileCommands.Chown,
        ["du"] = FileCommands.Du,
        ["find"] = FileCommands.Find,
        ["stat"] = FileCommands.Stat,
        ["realpath"] = FileCommands.Realpath,
        ["hostname"] = SystemCommands.Hostname,
        ["whoami"] = SystemCommands.Whoami,
        ["id"] = SystemCommands.Id,
        ["groups"] = SystemCommands.Groups,
        ["uname"] = SystemCommands.Uname,
        ["uptime"] = SystemCommands.Uptime,
        ["date"] = SystemCommands.Date,
        ["df"] = SystemCommands.Df,
        ["free"] = SystemCommands.Free,
        ["nproc"] = SystemCommands.Nproc,
        ["lsb_release"] = SystemCommands.LsbRelease,
        ["ps"] = ProcessCommands.Ps,
        ["sleep"] = ProcessCommands.Sleep,
        ["systemctl"] = SystemctlCommand.Run,
        ["journalctl"] = JournalctlCommand.Run,
        ["hostnamectl"] = SystemCommands.Hostnamectl,
        ["top"] = ProcessCommands.Top,
        ["kill"] = ProcessCommands.Kill,
        ["w"] = ProcessCommands.Who,
        ["who"] = ProcessCommands.Who,
        ["ss"] = NetworkCommands.Ss,
        ["netstat"] = NetworkCommands.Netstat,
        ["ip"] = NetworkCommands.Ip,
        ["curl"] = NetworkCommands.Curl,
        ["timeout"] = SessionCommands.Timeout,
        ["xargs"] = SessionCommands.Xargs,
        ["env"] = SessionCommands.Env,
        ["which"] = SessionCommands.Which,
        ["sudo"] = SessionCommands.Sudo,
        ["su"] = SessionCommands.Su,
        ["bash"] = SessionCommands.Bash,
        ["sh"] = SessionCommands.Bash,
        ["clear"] = SessionCommands.Clear,
    };

    /// <summary>Where programs live; a file elsewhere named like one (an upload called /tmp/ls) is not it.</summary>
    public static IReadOnlySet<string> SystemDirectories { get; } = new HashSet<string>(StringComparer.Ordinal) { "/usr/bin", "/bin", "/usr/sbin", "/sbin" };
}
