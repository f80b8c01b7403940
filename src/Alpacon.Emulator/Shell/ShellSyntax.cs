namespace Alpacon.Emulator.Shell;

/// <summary>How a pipeline joins the one before it.</summary>
internal enum Connector
{
    Sequence,
    And,
    Or,
}

internal enum RedirectKind
{
    /// <summary><c>&gt; file</c>, <c>2&gt; file</c></summary>
    Write,

    /// <summary><c>&gt;&gt; file</c></summary>
    Append,

    /// <summary><c>&lt; file</c></summary>
    Read,

    /// <summary><c>2&gt;&amp;1</c>, <c>&gt;&amp;2</c>: the target is the other descriptor's number.</summary>
    Duplicate,

    /// <summary><c>&amp;&gt; file</c>: stdout and stderr.</summary>
    WriteBoth,

    /// <summary><c>&amp;&gt;&gt; file</c></summary>
    AppendBoth,

    /// <summary><c>&lt;&lt;&lt; word</c></summary>
    HereString,

    /// <summary><c>&lt;&lt;EOF</c> … <c>EOF</c></summary>
    HereDocument,
}

/// <summary>One redirection; words stay raw until the command runs, because expansion depends on state set by earlier commands.</summary>
internal sealed class Redirection
{
    public int Fd { get; init; }

    public RedirectKind Kind { get; init; }

    public string Target { get; init; } = "";

    /// <summary>The here-document's text, read from the lines after the command.</summary>
    public string Body { get; set; } = "";

    /// <summary>False when the delimiter was quoted (<c>&lt;&lt;'EOF'</c>): the body is taken literally.</summary>
    public bool ExpandBody { get; init; }

    internal bool StripTabs { get; init; }
}

/// <summary>One stage of a pipeline: a simple command or a compound one, with its redirections.</summary>
internal abstract record Command(IReadOnlyList<Redirection> Redirections);

internal sealed record SimpleCommand(IReadOnlyList<string> Words, IReadOnlyList<Redirection> Redirections) : Command(Redirections);

/// <summary><c>( list )</c>: runs in a subshell. <c>{ list; }</c> (<see cref="Subshell"/> false) runs in this shell.</summary>
internal sealed record GroupCommand(IReadOnlyList<ListItem> Body, bool Subshell, IReadOnlyList<Redirection> Redirections) : Command(Redirections);

/// <summary><c>if c; then b; elif c; then b; else b; fi</c></summary>
internal sealed record IfCommand(IReadOnlyList<(IReadOnlyList<ListItem> Condition, IReadOnlyList<ListItem> Body)> Branches, IReadOnlyList<ListItem>? Else, IReadOnlyList<Redirection> Redirections) : Command(Redirections);

/// <summary><c>for name in words; do body; done</c>; without <c>in</c>, the positional parameters.</summary>
internal sealed record ForCommand(string Variable, IReadOnlyList<string>? Words, IReadOnlyList<ListItem> Body, IReadOnlyList<Redirection> Redirections) : Command(Redirections);

/// <summary><c>while c; do body; done</c>, or <c>until</c>.</summary>
internal sealed record WhileCommand(IReadOnlyList<ListItem> Condition, IReadOnlyList<ListItem> Body, bool Until, IReadOnlyList<Redirection> Redirections) : Command(Redirections);

internal sealed record Pipeline(IReadOnlyList<Command> Commands, bool Negated);

internal sealed record ListItem(Connector Connector, Pipeline Pipeline);

/// <summary>A line the shell cannot parse; the message is bash's, e.g. <c>syntax error near unexpected token `|'</c>.</summary>
internal sealed class ShellSyntaxException(string message) : Exception(message);

/// <summary>Thrown by break and continue, caught by the loop <paramref name="levels"/> up.</summary>
internal sealed class LoopControl(bool isBreak, int levels) : Exception
{
    public bool Break { get; } = isBreak;

    public int Levels { get; } = levels;
}
