using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace Alpacon.Api.Websh;

/// <summary>
/// How a command's output is framed on an interactive terminal (alpacon-api.md §3.8): one typed line runs a
/// <c>printf</c> that prints a start marker carrying a per-call nonce, then the command through <c>eval</c>, then a
/// <c>printf</c> of an end marker with the exit status. The typed text shows <c>%s</c> where the nonce goes, so its
/// echo can never match; only the shell's own output can. Everything before the start marker (prompt, echo,
/// output left over from earlier) and after the end marker (the next prompt) is not the command's.
/// </summary>
/// <remarks>
/// One command line, because the shell reads a whole command before running any of it: a command that reads standard
/// input cannot swallow the end marker, and no continuation prompt state is left behind if the line is interrupted.
/// The command goes through <c>eval</c> in single quotes, so comments, a trailing <c>&amp;</c> or an unbalanced
/// operator stay inside it (a syntax error is the command's own, with status 2), and state (cd, variables,
/// functions) stays in the shell as if typed by hand. Several lines are passed as <c>\n</c> escapes through
/// <c>printf %b</c>, so even they are typed as one command line.
/// <para>
/// A long command line is typed as several physical lines of at most <see cref="MaxLineBytes"/> bytes, joined by
/// backslash-newline between two quoted pieces (<c>'abc'\⏎'def'</c> is the word <c>abcdef</c>). bash sets the
/// terminal to canonical mode whenever readline is not reading (while a command, PROMPT_COMMAND or the prompt's
/// own work runs, right after a marker was printed), and a canonical line keeps at most 4095 bytes (1024 on BSD
/// and macOS): the rest is dropped, and bash gets a cut line that usually waits at <c>&gt; </c> for a closing
/// quote. No output tells when readline reads again, so every line typed must survive canonical mode; short lines
/// always do, however early they arrive.
/// </para>
/// </remarks>
public sealed partial class Marker
{
    private const string Prefix = "__ALPMCP_";

    /// <summary>
    /// Every typed line starts with Ctrl-U and a space. Ctrl-U clears anything left on the shell's input line. The
    /// space is a key to spare: right after an interrupt, bash's readline drops the first printable key it reads
    /// (measured with bash 5.2), and the command must not lose its first letter. A leading space also keeps the
    /// line out of the history where HISTCONTROL ignores such lines (Ubuntu's default).
    /// </summary>
    private const string KillLine = "\u0015 ";

    /// <summary>
    /// The most UTF-8 bytes typed on one physical line, Enter included: well under the 1024 of the smallest
    /// canonical-mode line buffer (see the remarks).
    /// </summary>
    internal const int MaxLineBytes = 960;

    private Marker(string nonce)
    {
        Nonce = nonce;
        Begin = $"{Prefix}{nonce}_B__";
        EndPrefix = $"{Prefix}{nonce}_";
    }

    public string Nonce { get; }

    /// <summary>The expanded start marker, as the shell prints it.</summary>
    public string Begin { get; }

    /// <summary>The expanded marker of a bare synchronisation line (see <see cref="SyncLine"/>).</summary>
    public string Sync => $"{Prefix}{Nonce}_S__";

    /// <summary>The expanded end marker up to the status: <c>__ALPMCP_&lt;nonce&gt;_</c>.</summary>
    public string EndPrefix { get; }

    public static Marker Create() => new(Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6)));

    internal static Marker ForTest(string nonce) => new(nonce);

    /// <summary>
    /// The keystrokes that run <paramref name="command"/>: one command line, ended by CR as Enter sends it, typed as
    /// physical lines of at most <see cref="MaxLineBytes"/> bytes each.
    /// </summary>
    public string Wrap(string command)
    {
        ArgumentNullException.ThrowIfNull(command);
        var text = command.ReplaceLineEndings("\n").TrimEnd('\n');
        // A typed tab would start completion and a typed newline would end the line: both go as printf %b escapes,
        // and so does '!', which history expansion would otherwise see inside the double quotes.
        var escaped = text.Contains('\n', StringComparison.Ordinal) || text.Contains('\t', StringComparison.Ordinal);
        var head = string.Create(CultureInfo.InvariantCulture, $"{KillLine}printf '{Prefix}%s_B__\\n' {Nonce}; {(escaped ? "eval \"$(printf '%b' '" : "eval '")}");
        var tail = string.Create(CultureInfo.InvariantCulture, $"{(escaped ? "')\"" : "'")}; printf '\\n{Prefix}%s_%d__\\n' {Nonce} $?\r");
        var keys = new StringBuilder(head, text.Length + head.Length + tail.Length + 16);
        // Each piece of the command is quoted on its own ('a'\''b' never splits), so the pieces join into one word.
        const string Continue = "'\\\r'";
        var lineBytes = Encoding.UTF8.GetByteCount(head);
        var budget = MaxLineBytes - Encoding.UTF8.GetByteCount(tail) - Continue.Length;
        for (var i = 0; i < text.Length; i++)
        {
            var length = char.IsHighSurrogate(text[i]) && i + 1 < text.Length ? 2 : 1;
            var piece = text.Substring(i, length);
            var typed = Quote(escaped ? Escape(piece) : piece);
            var bytes = Encoding.UTF8.GetByteCount(typed);
            if (lineBytes + bytes > budget)
            {
                keys.Append(Continue);
                lineBytes = 1; // the quote that reopens the piece
            }
            keys.Append(typed);
            lineBytes += bytes;
            i += length - 1;
        }
        return keys.Append(tail).ToString();
    }

    /// <summary>A line that only prints <see cref="Sync"/>: proves the shell is at its prompt reading lines again.</summary>
    public string SyncLine() => $"{KillLine}printf '{Prefix}%s_S__\\n' {Nonce}\r";

    private static string Escape(string text) => text
        .Replace("\\", "\\\\", StringComparison.Ordinal)
        .Replace("\n", "\\n", StringComparison.Ordinal)
        .Replace("\t", "\\t", StringComparison.Ordinal)
        .Replace("!", "\\0041", StringComparison.Ordinal);

    /// <summary>Text inside single quotes: each <c>'</c> becomes <c>'\''</c>.</summary>
    private static string Quote(string text) => text.Replace("'", "'\\''", StringComparison.Ordinal);

    /// <summary>Why a command cannot be run this way (it is blank or holds a NUL or control keys); null when it is fine.</summary>
    public static string? Problem(string command)
    {
        if (string.IsNullOrWhiteSpace(command))
            return "The command is blank.";
        if (command.Any(c => c < ' ' && c is not '\n' and not '\r' and not '\t'))
            return "The command contains control characters (such as Ctrl-C or escape sequences); send plain text.";
        return null;
    }

    /// <summary>Where the command's output starts in <paramref name="raw"/>: just after the start marker's line, or -1.</summary>
    public int FindOutputStart(string raw, int from = 0)
    {
        ArgumentNullException.ThrowIfNull(raw);
        var at = raw.IndexOf(Begin, Math.Clamp(from, 0, raw.Length), StringComparison.Ordinal);
        if (at < 0)
            return -1;
        var end = at + Begin.Length;
        if (end < raw.Length && raw[end] == '\r')
            end++;
        if (end >= raw.Length)
            return -1; // wait for the line end, so it is not taken for output
        return raw[end] == '\n' ? end + 1 : end;
    }

    /// <summary>
    /// The end marker in <paramref name="raw"/> at or after <paramref name="from"/>: where it starts (including the
    /// line break the second printf puts before it) and the exit status. Null while it has not (fully) arrived.
    /// </summary>
    public (int Start, int ExitCode)? FindEnd(string raw, int from)
    {
        ArgumentNullException.ThrowIfNull(raw);
        var search = Math.Clamp(from, 0, raw.Length);
        while (true)
        {
            var at = raw.IndexOf(EndPrefix, search, StringComparison.Ordinal);
            if (at < 0)
                return null;
            var match = EndTail().Match(raw, at + EndPrefix.Length);
            if (match.Success && match.Index == at + EndPrefix.Length)
            {
                var start = at;
                if (start > from && raw[start - 1] == '\n')
                    start--;
                if (start > from && raw[start - 1] == '\r')
                    start--;
                var code = int.TryParse(match.Groups[1].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : -1;
                return (start, code);
            }
            if (raw.Length - at < EndPrefix.Length + 6)
                return null; // the status may still be on its way
            search = at + 1;
        }
    }

    /// <summary>The length of the longest suffix of a marker that can still be in flight, so scans can resume safely.</summary>
    public int Overlap => EndPrefix.Length + 8;

    [GeneratedRegex(@"\G(\d{1,3})__")]
    private static partial Regex EndTail();
}
