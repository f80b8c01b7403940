using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Alpacon.Emulator.Shell.Commands;

/// <summary>
/// The sed one-liners people use: <c>s/re/repl/gIp</c>, <c>p</c>, <c>d</c>, <c>q</c>, <c>=</c>, <c>a</c>/<c>i</c>/<c>c</c>,
/// <c>y</c>, with line, <c>$</c>, <c>/re/</c> and range addresses, <c>!</c>, <c>-n</c>, <c>-E</c>, and <c>-i</c> to edit files.
/// </summary>
internal sealed class SedCommand
{
    private readonly List<Instruction> program = [];
    private readonly bool extended;

    private SedCommand(bool extended) => this.extended = extended;

    public static ValueTask<int> Run(CommandContext c)
    {
        var scripts = new List<string>();
        var files = new List<string>();
        bool quiet = false, extended = false, inPlace = false;
        for (var i = 0; i < c.Args.Count; i++)
        {
            var arg = c.Args[i];
            if (arg is "-e" or "--expression" && i + 1 < c.Args.Count)
                scripts.Add(c.Args[++i]);
            else if (arg.StartsWith("--expression=", StringComparison.Ordinal))
                scripts.Add(arg["--expression=".Length..]);
            else if (arg is "-n" or "--quiet" or "--silent")
                quiet = true;
            else if (arg is "-E" or "-r" or "--regexp-extended")
                extended = true;
            else if (arg.StartsWith("-i", StringComparison.Ordinal) || arg.StartsWith("--in-place", StringComparison.Ordinal))
                inPlace = true;
            else if (arg.Length > 1 && arg[0] == '-' && arg[1..].All(f => f is 'n' or 'E' or 'r' or 'i'))
                (quiet, extended, inPlace) = (quiet || arg.Contains('n'), extended || arg.Contains('E') || arg.Contains('r'), inPlace || arg.Contains('i'));
            else if (scripts.Count == 0 && files.Count == 0 && !c.Args.Take(i).Any(a => a is "-e" or "--expression"))
                scripts.Add(arg);
            else
                files.Add(arg);
        }
        if (scripts.Count == 0)
        {
            c.Err.WriteLine("Usage: sed [OPTION]... {script-only-if-no-other-script} [input-file]...");
            return CommandContext.Status(1);
        }
        var sed = new SedCommand(extended);
        try
        {
            foreach (var script in scripts)
                sed.Parse(script);
        }
        catch (FormatException e)
        {
            return CommandContext.Status(c.Fail($"-e expression #1, char 0: {e.Message}"));
        }
        catch (ArgumentException e)
        {
            return CommandContext.Status(c.Fail($"-e expression #1, char 0: {e.Message}"));
        }
        if (!inPlace)
        {
            var inputs = c.ReadInputs(files, out var failed);
            var status = sed.Execute(string.Concat(inputs.Select(i => i.Text)), quiet, c.Out);
            return CommandContext.Status(failed ? 2 : status);
        }
        if (files.Count == 0)
            return CommandContext.Status(c.Fail("no input files", 4));
        foreach (var file in files)
        {
            try
            {
                var path = c.Resolve(file);
                var output = new CaptureWriter();
                sed.Execute(c.Fs.ReadText(path, c.User), quiet, output);
                c.Fs.WriteText(path, output.Text, c.User);
            }
            catch (VfsException e)
            {
                return CommandContext.Status(c.Fail($"couldn't edit {file}: {e.Reason}", 4));
            }
        }
        return CommandContext.Status(0);
    }

    private int Execute(string text, bool quiet, ShellWriter output)
    {
        var lines = CommandContext.Lines(text);
        foreach (var instruction in program)
            instruction.InRange = false;
        for (var index = 0; index < lines.Count; index++)
        {
            var line = lines[index];
            var last = index == lines.Count - 1;
            var deleted = false;
            var appended = new StringBuilder();
            int? quit = null;
            foreach (var instruction in program)
            {
                if (!instruction.Selects(index + 1, last, line))
                    continue;
                switch (instruction.Command)
                {
                    case 's':
                        var count = 0;
                        var replaced = instruction.Regex!.Replace(line, m => ++count == instruction.Occurrence || (instruction.Global && count >= instruction.Occurrence) ? m.Result(instruction.Text) : m.Value);
                        var changed = count >= instruction.Occurrence;
                        line = replaced;
                        if (changed && instruction.Print)
                            output.WriteLine(line);
                        break;
                    case 'y':
                        line = string.Concat(line.Select(ch => instruction.Text.IndexOf(ch, StringComparison.Ordinal) is var at and >= 0 ? instruction.Target[at] : ch));
                        break;
                    case 'p':
                        output.WriteLine(line);
                        break;
                    case '=':
                        output.WriteLine((index + 1).ToString(CultureInfo.InvariantCulture));
                        break;
                    case 'a':
                        appended.Append(instruction.Text).Append('\n');
                        break;
                    case 'i':
                        output.WriteLine(instruction.Text);
                        break;
                    case 'c':
                        output.WriteLine(instruction.Text);
                        deleted = true;
                        break;
                    case 'd':
                        deleted = true;
                        break;
                    case 'q' or 'Q':
                        quit = instruction.Occurrence;
                        deleted |= instruction.Command == 'Q';
                        break;
                }
                if (deleted || quit is not null)
                    break;
            }
            if (!deleted && !quiet)
                output.WriteLine(line);
            output.Write(appended.ToString());
            if (quit is not null)
                return quit.Value;
        }
        return 0;
    }

    private void Parse(string script)
    {
        var i = 0;
        while (i < script.Length)
        {
            while (i < script.Length && (char.IsWhiteSpace(script[i]) || script[i] == ';'))
                i++;
            if (i >= script.Length)
                break;
            var instruction = new Instruction { From = ParseAddress(script, ref i) };
            if (instruction.From is not null && i < script.Length && script[i] == ',')
            {
                i++;
                instruction.To = ParseAddress(script, ref i) ?? throw new FormatException("unexpected `,'");
            }
            while (i < script.Length && script[i] == ' ')
                i++;
            if (i < script.Length && script[i] == '!')
            {
                instruction.Negate = true;
                i++;
            }
            if (i >= script.Length)
                throw new FormatException("missing command");
            instruction.Command = script[i++];
            switch (instruction.Command)
            {
                case 's':
                    var delimiter = script[i++];
                    var pattern = Delimited(script, ref i, delimiter);
                    var replacement = Delimited(script, ref i, delimiter);
                    var ignoreCase = false;
                    while (i < script.Length && script[i] is 'g' or 'p' or 'i' or 'I' || (i < script.Length && char.IsAsciiDigit(script[i])))
                    {
                        var flag = script[i++];
                        if (flag == 'g')
                            instruction.Global = true;
                        else if (flag == 'p')
                            instruction.Print = true;
                        else if (flag is 'i' or 'I')
                            ignoreCase = true;
                        else
                            instruction.Occurrence = flag - '0';
                    }
                    instruction.Regex = Compile(pattern, ignoreCase);
                    instruction.Text = Replacement(replacement);
                    break;
                case 'y':
                    var separator = script[i++];
                    instruction.Text = Delimited(script, ref i, separator);
                    instruction.Target = Delimited(script, ref i, separator);
                    if (instruction.Text.Length != instruction.Target.Length)
                        throw new FormatException("strings for `y' command are different lengths");
                    break;
                case 'a' or 'i' or 'c':
                    var end = script.IndexOf('\n', i);
                    instruction.Text = (end < 0 ? script[i..] : script[i..end]).TrimStart('\\').TrimStart();
                    i = end < 0 ? script.Length : end;
                    break;
                case 'q' or 'Q':
                    var digits = i;
                    while (i < script.Length && char.IsAsciiDigit(script[i]))
                        i++;
                    instruction.Occurrence = i > digits ? int.Parse(script[digits..i], CultureInfo.InvariantCulture) : 0;
                    break;
                case 'p' or 'd' or '=':
                    break;
                default:
                    throw new FormatException($"unknown command: `{instruction.Command}'");
            }
            program.Add(instruction);
        }
    }

    private Address? ParseAddress(string script, ref int i)
    {
        if (i >= script.Length)
            return null;
        if (script[i] == '$')
        {
            i++;
            return new Address(null, null, Last: true);
        }
        if (char.IsAsciiDigit(script[i]))
        {
            var start = i;
            while (i < script.Length && char.IsAsciiDigit(script[i]))
                i++;
            return new Address(int.Parse(script[start..i], CultureInfo.InvariantCulture), null, false);
        }
        if (script[i] == '/')
        {
            i++;
            return new Address(null, Compile(Delimited(script, ref i, '/'), false), false);
        }
        return null;
    }

    /// <summary>Reads up to the next unescaped delimiter; <c>\delimiter</c> stands for the delimiter itself.</summary>
    private static string Delimited(string script, ref int i, char delimiter)
    {
        var text = new StringBuilder();
        for (; i < script.Length && script[i] != delimiter; i++)
        {
            if (script[i] == '\\' && i + 1 < script.Length)
            {
                if (script[i + 1] != delimiter)
                    text.Append('\\');
                i++;
            }
            text.Append(script[i]);
        }
        if (i >= script.Length)
            throw new FormatException($"unterminated `s' command");
        i++;
        return text.ToString();
    }

    private Regex Compile(string pattern, bool ignoreCase) => PosixRegex.Create(extended ? pattern : PosixRegex.FromBasic(pattern), ignoreCase);

    /// <summary>sed's replacement (<c>&amp;</c>, <c>\1</c>…, <c>\n</c>) as a .NET substitution pattern.</summary>
    private static string Replacement(string text)
    {
        var result = new StringBuilder();
        for (var i = 0; i < text.Length; i++)
        {
            var ch = text[i];
            if (ch == '\\' && i + 1 < text.Length)
            {
                var next = text[++i];
                result.Append(char.IsAsciiDigit(next) ? "${" + next + "}" : next switch { 'n' => "\n", 't' => "\t", '$' => "$$", _ => next.ToString() });
            }
            else
            {
                result.Append(ch switch { '&' => "$0", '$' => "$$", _ => ch.ToString() });
            }
        }
        return result.ToString();
    }

    private sealed record Address(int? Line, Regex? Pattern, bool Last)
    {
        public bool Matches(int line, bool last, string text) => Last ? last : Line is { } number ? line == number : Pattern!.IsMatch(text);
    }

    private sealed class Instruction
    {
        public Address? From { get; init; }

        public Address? To { get; set; }

        public bool Negate { get; set; }

        public char Command { get; set; }

        public Regex? Regex { get; set; }

        public string Text { get; set; } = "";

        public string Target { get; set; } = "";

        public bool Global { get; set; }

        public bool Print { get; set; }

        /// <summary>For s: which match to replace (s/a/b/2); for q: the exit status.</summary>
        public int Occurrence { get; set; } = 1;

        public bool InRange { get; set; }

        public bool Selects(int line, bool last, string text) => Negate != InAddress(line, last, text);

        private bool InAddress(int line, bool last, string text)
        {
            if (From is null)
                return true;
            if (To is null)
                return From.Matches(line, last, text);
            if (!InRange)
            {
                if (!From.Matches(line, last, text))
                    return false;
                InRange = !(To.Line is { } end && end <= line);
                return true;
            }
            if (To.Matches(line, last, text) || (To.Line is { } stop && line >= stop))
                InRange = false;
            return true;
        }
    }
}
