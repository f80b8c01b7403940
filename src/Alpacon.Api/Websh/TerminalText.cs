using System.Globalization;
using System.Text;

namespace Alpacon.Api.Websh;

/// <summary>
/// Turns what a terminal emits into the text a reader would see: escape sequences (colours, cursor moves, titles,
/// bracketed-paste switches) removed, CRLF made LF, a lone CR returning to the start of the line so progress bars
/// keep their last state, backspace stepping back. Pure functions, so every case is unit-tested.
/// </summary>
public static class TerminalText
{
    private const char Esc = '\u001b';

    /// <summary>The visible text of <paramref name="raw"/> terminal output, with LF line ends.</summary>
    public static string Clean(string raw)
    {
        ArgumentNullException.ThrowIfNull(raw);
        var result = new StringBuilder(raw.Length);
        var line = new StringBuilder();
        var cursor = 0;

        void Put(char c)
        {
            if (cursor < line.Length)
                line[cursor] = c;
            else
                line.Append(c);
            cursor++;
        }

        var i = 0;
        while (i < raw.Length)
        {
            var c = raw[i];
            switch (c)
            {
                case Esc:
                case '\u009b':
                    i = SkipEscape(raw, i, line, ref cursor);
                    continue;
                case '\r':
                    if (i + 1 < raw.Length && raw[i + 1] == '\n')
                    {
                        i++;
                        goto case '\n';
                    }
                    cursor = 0;
                    break;
                case '\n':
                    result.Append(line).Append('\n');
                    line.Clear();
                    cursor = 0;
                    break;
                case '\b':
                    if (cursor > 0)
                        cursor--;
                    break;
                case '\t':
                    Put(c);
                    break;
                default:
                    if (c >= ' ' && c != '\u007f' && (c < '\u0080' || c > '\u009f'))
                        Put(c);
                    break;
            }
            i++;
        }
        result.Append(line);
        return result.ToString();
    }

    /// <summary>Skips the escape sequence at <paramref name="start"/>; erase-in-line (<c>ESC [ K</c>) is applied to the line.</summary>
    private static int SkipEscape(string s, int start, StringBuilder line, ref int cursor)
    {
        int i;
        if (s[start] == '\u009b')
        {
            i = start + 1;
        }
        else
        {
            if (start + 1 >= s.Length)
                return s.Length;
            var kind = s[start + 1];
            switch (kind)
            {
                case '[':
                    i = start + 2;
                    break;
                case ']' or 'P' or 'X' or '^' or '_':
                    // OSC (window title, hyperlinks) and string commands end at BEL or ST (ESC \).
                    for (i = start + 2; i < s.Length; i++)
                    {
                        if (s[i] == '\u0007')
                            return i + 1;
                        if (s[i] == Esc && i + 1 < s.Length && s[i + 1] == '\\')
                            return i + 2;
                    }
                    return s.Length;
                case '(' or ')' or '*' or '+' or '#' or '%':
                    return Math.Min(s.Length, start + 3);
                default:
                    return start + 2;
            }
        }
        // CSI: parameter bytes, intermediate bytes, one final byte.
        var parameters = i;
        while (i < s.Length && s[i] >= '0' && s[i] <= '?')
            i++;
        var parameterText = s[parameters..i];
        while (i < s.Length && s[i] >= ' ' && s[i] <= '/')
            i++;
        if (i >= s.Length)
            return s.Length;
        var final = s[i];
        if (final == 'K')
        {
            switch (parameterText)
            {
                case "" or "0":
                    if (cursor < line.Length)
                        line.Length = cursor;
                    break;
                case "1":
                    for (var k = 0; k < Math.Min(cursor, line.Length); k++)
                        line[k] = ' ';
                    break;
                case "2":
                    line.Clear();
                    line.Append(' ', cursor);
                    break;
            }
        }
        else if (final == 'G' || (final == 'H' && parameterText.Length == 0))
        {
            cursor = final == 'G' && int.TryParse(parameterText, NumberStyles.None, CultureInfo.InvariantCulture, out var column) && column > 0 ? column - 1 : 0;
            if (cursor > line.Length)
                line.Append(' ', cursor - line.Length);
        }
        return i + 1;
    }

    /// <summary>
    /// Removes what the terminal showed around a command rather than its output: the echo of the lines we typed
    /// (possibly after a prompt or a <c>&gt; </c> continuation prompt) and a prompt on the last line.
    /// Used where no marker frames the output (a timeout before the command started; reading until silence).
    /// </summary>
    public static string RemoveEchoAndPrompts(string cleaned, IReadOnlyList<string> typedLines)
    {
        ArgumentNullException.ThrowIfNull(cleaned);
        ArgumentNullException.ThrowIfNull(typedLines);
        var lines = cleaned.Split('\n').ToList();
        var typed = typedLines.Where(t => t.Trim().Length > 0).Select(t => t.TrimEnd()).ToList();
        var next = 0;
        for (var i = 0; i < lines.Count && next < typed.Count; i++)
        {
            if (lines[i].TrimEnd().EndsWith(typed[next], StringComparison.Ordinal))
            {
                lines.RemoveRange(0, i + 1);
                i = -1;
                next++;
            }
        }
        while (lines.Count > 0 && (lines[^1].Length == 0 || LooksLikePrompt(lines[^1])))
            lines.RemoveAt(lines.Count - 1);
        return string.Join('\n', lines);
    }

    /// <summary>A line that is only a shell prompt: <c>user@host:~$ </c>, <c>[user@host dir]# </c>, <c>&gt; </c>.</summary>
    public static bool LooksLikePrompt(string line)
    {
        ArgumentNullException.ThrowIfNull(line);
        var t = line.TrimEnd();
        if (t is ">" or "$" or "#")
            return true;
        return line.EndsWith(' ') && t.Length > 1 && t[^1] is '$' or '#' or '>' or '%' && (t.Contains('@', StringComparison.Ordinal) || t.StartsWith('['));
    }

    /// <summary>
    /// Keeps at most <paramref name="maxChars"/> characters of <paramref name="text"/>: the head and the tail (where
    /// errors and summaries usually are), with one line in the middle saying how much was cut and how to see more.
    /// </summary>
    public static BudgetedText Budget(string text, int maxChars, long alreadyCutChars = 0, long alreadyCutLines = 0)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length <= maxChars && alreadyCutChars == 0)
            return new BudgetedText(text, 0, 0, text.Length);
        var head = Math.Min(text.Length, maxChars * 2 / 5);
        var tail = Math.Min(text.Length - head, maxChars - head);
        // Cut at line ends when one is near, so no line is shown in part.
        var headEnd = text.LastIndexOf('\n', Math.Max(0, head - 1), Math.Min(head, 200));
        if (headEnd > 0)
            head = headEnd + 1;
        var tailStart = text.Length - tail;
        var nextLine = text.IndexOf('\n', tailStart, Math.Min(200, text.Length - tailStart));
        if (nextLine >= 0 && nextLine + 1 < text.Length)
            tailStart = nextLine + 1;
        if (tailStart < head)
            tailStart = head;
        var middle = text.AsSpan(head, tailStart - head);
        var cutChars = middle.Length + alreadyCutChars;
        var cutLines = middle.Count('\n') + alreadyCutLines;
        var note = string.Create(CultureInfo.InvariantCulture,
            $"\n[… {cutChars:N0} characters ({cutLines:N0} lines) cut from the middle; the output was {text.Length + alreadyCutChars:N0} characters. Pass a larger max_output_chars, or filter the output (grep, tail, head) …]\n");
        return new BudgetedText(string.Concat(text.AsSpan(0, head), note, text.AsSpan(tailStart)), cutChars, cutLines, text.Length + alreadyCutChars);
    }
}

/// <summary>Text kept within a budget and what was left out.</summary>
/// <param name="Text">The head, a note, and the tail.</param>
/// <param name="CutChars">Characters left out (0 when nothing was cut).</param>
/// <param name="CutLines">Line breaks among them.</param>
/// <param name="TotalChars">The length of the whole output.</param>
public sealed record BudgetedText(string Text, long CutChars, long CutLines, long TotalChars)
{
    public bool Truncated => CutChars > 0;
}
