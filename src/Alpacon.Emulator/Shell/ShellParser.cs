using System.Runtime.CompilerServices;
using System.Text;

namespace Alpacon.Emulator.Shell;

/// <summary>
/// Parses a command line into lists, pipelines and simple commands: <c>;</c>, newlines, <c>&amp;&amp;</c>,
/// <c>||</c>, <c>|</c>, <c>!</c>, redirections and here-documents. Words are kept raw (quotes included) and
/// expanded only when their command runs, as bash does, so <c>false; echo $?</c> sees the new status.
/// </summary>
internal sealed class ShellParser
{
    private readonly string text;
    private readonly List<Redirection> pendingHereDocuments = [];
    private int pos;

    private ShellParser(string text) => this.text = text;

    private bool AtEnd => pos >= text.Length;

    private char Peek => text[pos];

    public static IReadOnlyList<ListItem> Parse(string text)
    {
        var parser = new ShellParser(text);
        var items = parser.ParseList([], subshell: false);
        foreach (var pending in parser.pendingHereDocuments)
            pending.Body = "";
        return items;
    }

    /// <summary>The index just past the parenthesis closing the one at <paramref name="open"/>, skipping quoted text.</summary>
    public static int SkipParentheses(string s, int open)
    {
        var depth = 0;
        for (var i = open; i < s.Length; i++)
        {
            switch (s[i])
            {
                case '(':
                    depth++;
                    break;
                case ')' when --depth == 0:
                    return i + 1;
                case '\\':
                    i++;
                    break;
                case '\'':
                    i = Closing(s, i, '\'') - 1;
                    break;
                case '"':
                    i = SkipDoubleQuoted(s, i) - 1;
                    break;
            }
        }
        throw new ShellSyntaxException("unexpected EOF while looking for matching `)'");
    }

    /// <summary>The index just past the double quote closing the one at <paramref name="open"/>.</summary>
    public static int SkipDoubleQuoted(string s, int open)
    {
        for (var i = open + 1; i < s.Length; i++)
        {
            switch (s[i])
            {
                case '"':
                    return i + 1;
                case '\\':
                    i++;
                    break;
                case '$' when i + 1 < s.Length && s[i + 1] == '(':
                    i = SkipParentheses(s, i + 1) - 1;
                    break;
                case '`':
                    i = Closing(s, i, '`') - 1;
                    break;
            }
        }
        throw new ShellSyntaxException("unexpected EOF while looking for matching `\"'");
    }

    /// <summary>The index just past the next unescaped <paramref name="quote"/> after <paramref name="open"/>.</summary>
    public static int Closing(string s, int open, char quote)
    {
        for (var i = open + 1; i < s.Length; i++)
        {
            if (s[i] == '\\' && quote != '\'')
                i++;
            else if (s[i] == quote)
                return i + 1;
        }
        throw new ShellSyntaxException($"unexpected EOF while looking for matching `{quote}'");
    }

    private static ShellSyntaxException Unexpected(string token) =>
        new(token == "end of file" ? "syntax error: unexpected end of file" : $"syntax error near unexpected token `{token}'");

    /// <summary>
    /// Parses commands up to the end, or inside a compound command up to one of <paramref name="stopWords"/>
    /// (then, fi, done...) in command position or, in a subshell, a closing parenthesis.
    /// </summary>
    private List<ListItem> ParseList(string[] stopWords, bool subshell)
    {
        // A line of ten thousand "(" must fail as bash does, not overflow the emulator's stack.
        if (!RuntimeHelpers.TryEnsureSufficientExecutionStack())
            throw new ShellSyntaxException("expression nested too deeply");
        var items = new List<ListItem>();
        var connector = Connector.Sequence;
        var continuation = false;
        var nested = stopWords.Length > 0 || subshell;
        while (true)
        {
            SkipBlanks();
            if (AtEnd)
            {
                if (continuation || nested)
                    throw Unexpected("end of file");
                break;
            }
            if (Peek == '\n')
            {
                ConsumeNewline();
                continue;
            }
            if (!continuation && ((subshell && Peek == ')') || stopWords.Contains(PeekWord())))
                break;
            if (Peek is ';' or '&' or '|' or ')')
                throw Unexpected(Token());
            items.Add(new ListItem(connector, ParsePipeline()));
            SkipBlanks();
            continuation = false;
            connector = Connector.Sequence;
            if (AtEnd || (subshell && Peek == ')'))
                continue;
            if (Match("&&"))
                (connector, continuation) = (Connector.And, true);
            else if (Match("||"))
                (connector, continuation) = (Connector.Or, true);
            else if (Peek is ';' or '&' && !text.AsSpan(pos).StartsWith(";;"))
                pos++;
            else if (Peek == '\n')
                ConsumeNewline();
            else
                throw Unexpected(Token());
        }
        if (nested && items.Count == 0)
            throw Unexpected(AtEnd ? "end of file" : Peek == ')' ? ")" : PeekWord());
        return items;
    }

    private Command? ParseCompound()
    {
        if (Peek == '(')
        {
            pos++;
            var body = ParseList([], subshell: true);
            pos++;
            return new GroupCommand(body, Subshell: true, ParseRedirections());
        }
        switch (PeekWord())
        {
            case "{":
                Expect("{");
                var group = ParseList(["}"], subshell: false);
                Expect("}");
                return new GroupCommand(group, Subshell: false, ParseRedirections());
            case "if":
                Expect("if");
                var branches = new List<(IReadOnlyList<ListItem>, IReadOnlyList<ListItem>)>();
                List<ListItem>? otherwise = null;
                do
                {
                    var condition = ParseList(["then"], subshell: false);
                    Expect("then");
                    branches.Add((condition, ParseList(["elif", "else", "fi"], subshell: false)));
                }
                while (Accept("elif"));
                if (Accept("else"))
                    otherwise = ParseList(["fi"], subshell: false);
                Expect("fi");
                return new IfCommand(branches, otherwise, ParseRedirections());
            case "for":
                Expect("for");
                SkipBlanks();
                var variable = ReadWord();
                List<string>? words = null;
                SkipBlanks();
                if (Accept("in"))
                {
                    words = [];
                    while (true)
                    {
                        SkipBlanks();
                        if (AtEnd || Peek is ';' or '\n')
                            break;
                        words.Add(ReadWord());
                    }
                }
                if (!AtEnd && Peek == ';')
                    pos++;
                Expect("do");
                var loop = ParseList(["done"], subshell: false);
                Expect("done");
                return new ForCommand(variable, words, loop, ParseRedirections());
            case "while" or "until":
                var until = PeekWord() == "until";
                Expect(until ? "until" : "while");
                var test = ParseList(["do"], subshell: false);
                Expect("do");
                var body = ParseList(["done"], subshell: false);
                Expect("done");
                return new WhileCommand(test, body, until, ParseRedirections());
            case "then" or "elif" or "else" or "fi" or "do" or "done" or "}":
                throw Unexpected(PeekWord());
            default:
                return null;
        }
    }

    private List<Redirection> ParseRedirections()
    {
        var redirections = new List<Redirection>();
        while (true)
        {
            SkipBlanks();
            if (AtEnd || TryRedirection() is not { } redirection)
                return redirections;
            redirections.Add(redirection);
        }
    }

    /// <summary>The next word, unconsumed; reserved words count only where a command starts.</summary>
    private string PeekWord()
    {
        if (AtEnd || Peek is ' ' or '\t' or '\n' or ';' or '&' or '|' or '<' or '>' or '(' or ')')
            return "";
        var start = pos;
        var word = ReadWord();
        pos = start;
        return word;
    }

    private bool Accept(string word)
    {
        SkipBlanksAndNewlines();
        if (PeekWord() != word)
            return false;
        pos += word.Length;
        return true;
    }

    private void Expect(string word)
    {
        if (!Accept(word))
            throw Unexpected(AtEnd ? "end of file" : Token());
    }

    private void SkipBlanksAndNewlines()
    {
        SkipBlanks();
        while (!AtEnd && Peek == '\n')
        {
            ConsumeNewline();
            SkipBlanks();
        }
    }

    private Pipeline ParsePipeline()
    {
        var negated = false;
        if (Peek == '!' && (pos + 1 == text.Length || text[pos + 1] is ' ' or '\t'))
        {
            negated = true;
            pos++;
            SkipBlanks();
        }
        var commands = new List<Command> { ParseCompound() ?? ParseCommand() };
        while (true)
        {
            SkipBlanks();
            if (AtEnd || Peek != '|' || text.AsSpan(pos).StartsWith("||"))
                break;
            pos++;
            SkipBlanksAndNewlines();
            if (AtEnd)
                throw Unexpected("end of file");
            commands.Add(ParseCompound() ?? ParseCommand());
        }
        return new Pipeline(commands, negated);
    }

    private SimpleCommand ParseCommand()
    {
        var words = new List<string>();
        var redirections = new List<Redirection>();
        while (true)
        {
            SkipBlanks();
            if (AtEnd || Peek == '\n' || Peek == '#')
                break;
            if (TryRedirection() is { } redirection)
            {
                redirections.Add(redirection);
                continue;
            }
            if (Peek is ';' or '&' or '|' or ')')
                break;
            if (Peek == '(')
                throw Unexpected("(");
            words.Add(ReadWord());
        }
        if (words.Count == 0 && redirections.Count == 0)
            throw Unexpected(Token());
        return new SimpleCommand(words, redirections);
    }

    private Redirection? TryRedirection()
    {
        var start = pos;
        var digits = 0;
        while (pos + digits < text.Length && char.IsAsciiDigit(text[pos + digits]))
            digits++;
        // Digits name a descriptor only if they fit in an int; a longer run (a nonce, an id) is an ordinary word, as in
        // bash, where `echo 99999999999>f` writes "99999999999" to f.
        if (digits > 0 && !int.TryParse(text.AsSpan(pos, digits), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out _))
            digits = 0;
        var rest = text.AsSpan(pos + digits);
        int? fd = digits > 0 ? int.Parse(text.AsSpan(pos, digits), provider: System.Globalization.CultureInfo.InvariantCulture) : null;
        (RedirectKind Kind, int Length, int Fd)? op = rest switch
        {
            _ when digits == 0 && rest.StartsWith("&>>") => (RedirectKind.AppendBoth, 3, 1),
            _ when digits == 0 && rest.StartsWith("&>") => (RedirectKind.WriteBoth, 2, 1),
            _ when rest.StartsWith(">>") => (RedirectKind.Append, 2, fd ?? 1),
            _ when rest.StartsWith(">&") && rest.Length > 2 && (char.IsAsciiDigit(rest[2]) || rest[2] == '-') => (RedirectKind.Duplicate, 2, fd ?? 1),
            _ when rest.StartsWith(">|") => (RedirectKind.Write, 2, fd ?? 1),
            _ when rest.StartsWith(">") => (RedirectKind.Write, 1, fd ?? 1),
            _ when rest.StartsWith("<<<") => (RedirectKind.HereString, 3, 0),
            _ when rest.StartsWith("<<-") => (RedirectKind.HereDocument, 3, 0),
            _ when rest.StartsWith("<<") => (RedirectKind.HereDocument, 2, 0),
            _ when rest.StartsWith("<&") && rest.Length > 2 && char.IsAsciiDigit(rest[2]) => (RedirectKind.Duplicate, 2, fd ?? 0),
            _ when rest.StartsWith("<") => (RedirectKind.Read, 1, fd ?? 0),
            _ => null,
        };
        if (op is not { } found)
        {
            pos = start;
            return null;
        }
        pos += digits + found.Length;
        if (found.Kind == RedirectKind.Duplicate)
        {
            var target = pos;
            while (!AtEnd && (char.IsAsciiDigit(Peek) || Peek == '-'))
                pos++;
            return new Redirection { Fd = found.Fd, Kind = found.Kind, Target = text[target..pos] };
        }
        SkipBlanks();
        if (AtEnd || Peek is '\n' or ';' or '&' or '|' or '<' or '>' or '(' or ')')
            throw Unexpected(AtEnd || Peek == '\n' ? "newline" : Token());
        var word = ReadWord();
        if (found.Kind != RedirectKind.HereDocument)
            return new Redirection { Fd = found.Fd, Kind = found.Kind, Target = word };
        var quoted = word.IndexOfAny(['\'', '"', '\\']) >= 0;
        var hereDocument = new Redirection
        {
            Fd = 0,
            Kind = found.Kind,
            Target = quoted ? word.Replace("'", "", StringComparison.Ordinal).Replace("\"", "", StringComparison.Ordinal).Replace("\\", "", StringComparison.Ordinal) : word,
            ExpandBody = !quoted,
            StripTabs = found.Length == 3,
        };
        pendingHereDocuments.Add(hereDocument);
        return hereDocument;
    }

    private string ReadWord()
    {
        var start = pos;
        while (!AtEnd)
        {
            var c = Peek;
            if (c is ' ' or '\t' or '\n' or ';' or '&' or '|' or '<' or '>' or '(' or ')')
                break;
            pos = c switch
            {
                '\\' => Math.Min(pos + 2, text.Length),
                '\'' => Closing(text, pos, '\''),
                '"' => SkipDoubleQuoted(text, pos),
                '`' => Closing(text, pos, '`'),
                '$' when pos + 1 < text.Length && text[pos + 1] == '(' => SkipParentheses(text, pos + 1),
                '$' when pos + 1 < text.Length && text[pos + 1] == '{' => Closing(text, pos + 1, '}'),
                _ => pos + 1,
            };
        }
        return text[start..pos];
    }

    /// <summary>Consumes a newline and the bodies of here-documents begun on the line it ends.</summary>
    private void ConsumeNewline()
    {
        pos++;
        foreach (var hereDocument in pendingHereDocuments)
        {
            var body = new StringBuilder();
            while (!AtEnd)
            {
                var end = text.IndexOf('\n', pos);
                var line = end < 0 ? text[pos..] : text[pos..end];
                pos = end < 0 ? text.Length : end + 1;
                if (hereDocument.StripTabs)
                    line = line.TrimStart('\t');
                if (line == hereDocument.Target)
                    break;
                body.Append(line).Append('\n');
            }
            hereDocument.Body = body.ToString();
        }
        pendingHereDocuments.Clear();
    }

    private void SkipBlanks()
    {
        while (!AtEnd)
        {
            if (Peek is ' ' or '\t' or '\r')
                pos++;
            else if (Peek == '\\' && pos + 1 < text.Length && text[pos + 1] == '\n')
                pos += 2;
            else if (Peek == '#')
                pos = text.IndexOf('\n', pos) is var end and >= 0 ? end : text.Length;
            else
                break;
        }
    }

    private bool Match(string op)
    {
        if (!text.AsSpan(pos).StartsWith(op))
            return false;
        pos += op.Length;
        return true;
    }

    private string Token()
    {
        if (AtEnd)
            return "end of file";
        foreach (var op in new[] { "&&", "||", ";;", ";", "&", "|", "(", ")" })
        {
            if (text.AsSpan(pos).StartsWith(op))
                return op;
        }
        return Peek == '\n' ? "newline" : Peek.ToString();
    }
}
