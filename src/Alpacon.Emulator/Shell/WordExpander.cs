using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;

namespace Alpacon.Emulator.Shell;

/// <summary>
/// Turns a raw word into arguments as bash does, in bash's order: tilde, parameters (<c>$VAR</c>,
/// <c>${VAR:-x}</c>, <c>$?</c>...), command substitution, field splitting of unquoted results, pathname
/// expansion, quote removal.
/// </summary>
internal sealed class WordExpander(Execution execution, ShellSession session)
{
    private enum Mode
    {
        /// <summary>A command argument: split and globbed.</summary>
        Fields,

        /// <summary>An assignment value or redirection target: one string.</summary>
        Single,

        /// <summary>A here-document body: quotes are ordinary characters.</summary>
        HereDocument,
    }

    public async ValueTask<List<string>> ExpandAsync(string raw)
    {
        var fields = await ScanAsync(raw, Mode.Fields).ConfigureAwait(false);
        var result = new List<string>();
        foreach (var field in fields)
        {
            if (field.Glob && Glob.Expand(field.Pattern.ToString(), session) is { Count: > 0 } matches)
                result.AddRange(matches);
            else if (field.Value.Length > 0 || field.Quoted)
                result.Add(field.Value.ToString());
        }
        return result;
    }

    public async ValueTask<string> ExpandSingleAsync(string raw) => (await ScanAsync(raw, Mode.Single).ConfigureAwait(false))[0].Value.ToString();

    public async ValueTask<string> ExpandHereDocumentAsync(string body) => (await ScanAsync(body, Mode.HereDocument).ConfigureAwait(false))[0].Value.ToString();

    private async ValueTask<List<Field>> ScanAsync(string raw, Mode mode)
    {
        if (!RuntimeHelpers.TryEnsureSufficientExecutionStack())
            throw new ShellSyntaxException("expansion nested too deeply");
        var scan = new Scan(mode);
        var i = 0;
        if (mode != Mode.HereDocument && raw.StartsWith('~'))
            i = Tilde(raw, scan);
        while (i < raw.Length)
        {
            var c = raw[i];
            if (c == '$')
            {
                i = await DollarAsync(raw, i, scan, quoted: mode == Mode.HereDocument).ConfigureAwait(false);
                continue;
            }
            if (c == '`')
            {
                i = await BackquoteAsync(raw, i, scan, quoted: mode == Mode.HereDocument).ConfigureAwait(false);
                continue;
            }
            if (mode == Mode.HereDocument)
            {
                if (c == '\\' && i + 1 < raw.Length && raw[i + 1] is '$' or '`' or '\\')
                    i++;
                scan.Literal(raw[i], quoted: true);
                i++;
                continue;
            }
            switch (c)
            {
                case '\'':
                    var close = ShellParser.Closing(raw, i, '\'');
                    scan.Text(raw[(i + 1)..(close - 1)]);
                    i = close;
                    break;
                case '"':
                    i = await DoubleQuotedAsync(raw, i, scan).ConfigureAwait(false);
                    break;
                case '\\':
                    if (i + 1 < raw.Length && raw[i + 1] != '\n')
                        scan.Literal(raw[i + 1], quoted: true);
                    i += 2;
                    break;
                default:
                    scan.Literal(c, quoted: mode != Mode.Fields);
                    i++;
                    break;
            }
        }
        return scan.Fields;
    }

    private int Tilde(string raw, Scan scan)
    {
        var end = raw.IndexOf('/');
        if (end < 0)
            end = raw.Length;
        var user = raw[1..end];
        var home = user.Length == 0 ? session.GetVariable("HOME") : session.Host.FindAccount(user)?.Home;
        if (home is null)
            return 0;
        scan.Text(home);
        return end;
    }

    private async ValueTask<int> DoubleQuotedAsync(string raw, int open, Scan scan)
    {
        var end = ShellParser.SkipDoubleQuoted(raw, open) - 1;
        scan.Text("");
        var i = open + 1;
        while (i < end)
        {
            var c = raw[i];
            if (c == '\\' && i + 1 < end && raw[i + 1] is '$' or '`' or '"' or '\\' or '\n')
            {
                if (raw[i + 1] != '\n')
                    scan.Literal(raw[i + 1], quoted: true);
                i += 2;
            }
            else if (c == '$')
            {
                i = await DollarAsync(raw[..end], i, scan, quoted: true).ConfigureAwait(false);
            }
            else if (c == '`')
            {
                i = await BackquoteAsync(raw[..end], i, scan, quoted: true).ConfigureAwait(false);
            }
            else
            {
                scan.Literal(c, quoted: true);
                i++;
            }
        }
        return end + 1;
    }

    private async ValueTask<int> DollarAsync(string raw, int at, Scan scan, bool quoted)
    {
        if (at + 1 >= raw.Length)
        {
            scan.Literal('$', quoted);
            return at + 1;
        }
        var next = raw[at + 1];
        if (next == '(' && at + 2 < raw.Length && raw[at + 2] == '(')
        {
            var end = ShellParser.SkipParentheses(raw, at + 1);
            scan.Expanded(await ArithmeticAsync(raw[(at + 3)..(end - 2)]).ConfigureAwait(false), quoted);
            return end;
        }
        if (next == '(')
        {
            var end = ShellParser.SkipParentheses(raw, at + 1);
            scan.Expanded(await execution.SubstituteAsync(raw[(at + 2)..(end - 1)], session).ConfigureAwait(false), quoted);
            return end;
        }
        if (next == '{')
        {
            var end = ShellParser.Closing(raw, at + 1, '}');
            scan.Expanded(await ParameterAsync(raw[(at + 2)..(end - 1)]).ConfigureAwait(false), quoted);
            return end;
        }
        if (next == '\'' && !quoted)
        {
            var end = ShellParser.Closing(raw, at + 1, '\'');
            scan.Text(Escapes.Interpret(raw[(at + 2)..(end - 1)], out _));
            return end;
        }
        if (next is '?' or '$' or '#' or '@' or '*' or '!' or '-' || char.IsAsciiDigit(next))
        {
            scan.Expanded(Special(next), quoted);
            return at + 2;
        }
        var length = NameLength(raw, at + 1);
        if (length == 0)
        {
            scan.Literal('$', quoted);
            return at + 1;
        }
        scan.Expanded(session.GetVariable(raw.Substring(at + 1, length)) ?? "", quoted);
        return at + 1 + length;
    }

    private async ValueTask<int> BackquoteAsync(string raw, int at, Scan scan, bool quoted)
    {
        var end = ShellParser.Closing(raw, at, '`');
        var inner = raw[(at + 1)..(end - 1)].Replace("\\`", "`", StringComparison.Ordinal);
        scan.Expanded(await execution.SubstituteAsync(inner, session).ConfigureAwait(false), quoted);
        return end;
    }

    /// <summary><c>${NAME}</c>, <c>${#NAME}</c>, <c>${NAME:-word}</c>, <c>${NAME-word}</c>, <c>${NAME:=word}</c>, <c>${NAME:+word}</c>.</summary>
    private async ValueTask<string> ParameterAsync(string inner)
    {
        if (inner.StartsWith('#') && inner.Length > 1)
            return (await ParameterAsync(inner[1..]).ConfigureAwait(false)).Length.ToString(CultureInfo.InvariantCulture);
        var length = inner.Length > 0 && (char.IsAsciiDigit(inner[0]) || inner[0] is '?' or '$' or '#' or '@' or '*') ? 1 : NameLength(inner, 0);
        if (length == 0)
            throw new ShellSyntaxException($"${{{inner}}}: bad substitution");
        var name = inner[..length];
        var value = length == 1 && !char.IsAsciiLetter(name[0]) && name[0] != '_' ? Special(name[0]) : session.GetVariable(name);
        var op = inner[length..];
        if (op.Length == 0)
            return value ?? "";
        var colon = op.StartsWith(':');
        var kind = colon ? op.ElementAtOrDefault(1) : op[0];
        var word = op[(colon ? 2 : 1)..];
        var unset = value is null || (colon && value.Length == 0);
        switch (kind)
        {
            case '-':
                return unset ? await ExpandSingleAsync(word).ConfigureAwait(false) : value!;
            case '=':
                if (!unset)
                    return value!;
                var assigned = await ExpandSingleAsync(word).ConfigureAwait(false);
                session.SetVariable(name, assigned);
                return assigned;
            case '+':
                return unset ? "" : await ExpandSingleAsync(word).ConfigureAwait(false);
            default:
                throw new ShellSyntaxException($"${{{inner}}}: bad substitution");
        }
    }

    /// <summary>Integer arithmetic for <c>$((…))</c>: + - * / % and parentheses over numbers and variables.</summary>
    private async ValueTask<string> ArithmeticAsync(string expression)
    {
        var expanded = await ExpandSingleAsync(expression).ConfigureAwait(false);
        return Arithmetic.Evaluate(expanded, name => session.GetVariable(name)).ToString(CultureInfo.InvariantCulture);
    }

    private string Special(char name) => name switch
    {
        '?' => session.LastExitStatus.ToString(CultureInfo.InvariantCulture),
        '$' => session.ProcessId.ToString(CultureInfo.InvariantCulture),
        '#' => session.Positional.Count.ToString(CultureInfo.InvariantCulture),
        '@' or '*' => string.Join(' ', session.Positional),
        '0' => session.ArgumentZero,
        '-' => session.IsInteractive ? "himBHs" : "hB",
        _ when char.IsAsciiDigit(name) => session.Positional.ElementAtOrDefault(name - '1') ?? "",
        _ => "",
    };

    private static int NameLength(string s, int start)
    {
        var i = start;
        while (i < s.Length && (char.IsAsciiLetterOrDigit(s[i]) || s[i] == '_') && (i > start || !char.IsAsciiDigit(s[i])))
            i++;
        return i - start;
    }

    private sealed class Field
    {
        public StringBuilder Value { get; } = new();

        /// <summary>The value with quoted glob characters escaped, for pathname expansion.</summary>
        public StringBuilder Pattern { get; } = new();

        public bool Glob { get; set; }

        /// <summary>Part of the word was quoted, so an empty result is still an argument ("").</summary>
        public bool Quoted { get; set; }
    }

    private sealed class Scan(Mode mode)
    {
        private bool pendingBreak;

        public List<Field> Fields { get; } = [new()];

        private Field Current => Fields[^1];

        public void Literal(char c, bool quoted)
        {
            if (pendingBreak)
            {
                Fields.Add(new Field());
                pendingBreak = false;
            }
            Current.Value.Append(c);
            if (!quoted && Shell.Glob.IsMeta(c))
            {
                Current.Pattern.Append(c);
                Current.Glob = true;
            }
            else
            {
                Current.Pattern.Append(Shell.Glob.Escape(c));
            }
        }

        /// <summary>Quoted text: never split or globbed.</summary>
        public void Text(string text)
        {
            if (pendingBreak)
            {
                Fields.Add(new Field());
                pendingBreak = false;
            }
            Current.Quoted = true;
            foreach (var c in text)
                Literal(c, quoted: true);
        }

        /// <summary>The result of an expansion: unquoted results of argument words are split at blanks.</summary>
        public void Expanded(string value, bool quoted)
        {
            if (quoted || mode != Mode.Fields)
            {
                Text(value);
                return;
            }
            foreach (var c in value)
            {
                if (c is ' ' or '\t' or '\n')
                    pendingBreak |= Current.Value.Length > 0 || Current.Quoted;
                else
                    Literal(c, quoted: false);
            }
        }
    }
}
