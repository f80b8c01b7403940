using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Alpacon.Emulator.Shell.Commands;

/// <summary>
/// The part of awk people type in one-liners: BEGIN/END, regex and expression patterns, fields and NF/NR,
/// print/printf, variables and associative arrays, if/for/while, and the string functions (length, substr,
/// index, split, sub, gsub, sprintf, tolower, toupper, int). Loops share an iteration budget.
/// </summary>
internal sealed partial class AwkCommand
{
    private const int MaxSteps = 1_000_000;

    public static ValueTask<int> Run(CommandContext c)
    {
        var fieldSeparator = " ";
        var assignments = new List<string>();
        string? program = null;
        var files = new List<string>();
        for (var i = 0; i < c.Args.Count; i++)
        {
            var arg = c.Args[i];
            if (program is null && arg is "-F" or "-v" && i + 1 < c.Args.Count)
            {
                if (arg == "-F")
                    fieldSeparator = c.Args[++i];
                else
                    assignments.Add(c.Args[++i]);
            }
            else if (program is null && arg.StartsWith("-F", StringComparison.Ordinal))
            {
                fieldSeparator = arg[2..];
            }
            else if (program is null && arg.StartsWith("-v", StringComparison.Ordinal) && arg.Length > 2)
            {
                assignments.Add(arg[2..]);
            }
            else if (program is null && arg != "--")
            {
                program = arg;
            }
            else if (arg != "--")
            {
                files.Add(arg);
            }
        }
        if (program is null)
        {
            c.Err.WriteLine("usage: awk [-F value] [-v var=value] [--] 'program text' [file ...]");
            return CommandContext.Status(2);
        }
        Program parsed;
        try
        {
            parsed = new Parser(program).ParseProgram();
        }
        catch (FormatException e)
        {
            c.Err.WriteLine($"awk: line 1: {e.Message}");
            return CommandContext.Status(2);
        }
        var state = new State(c) { FieldSeparator = fieldSeparator == "t" ? "\t" : Escapes.Interpret(fieldSeparator, out _) };
        foreach (var assignment in assignments)
        {
            var equals = assignment.IndexOf('=');
            if (equals > 0)
                state.Variables[assignment[..equals]] = Value.Input(Escapes.Interpret(assignment[(equals + 1)..], out _));
        }
        try
        {
            return CommandContext.Status(state.Run(parsed, files));
        }
        catch (Exception e) when (e is FormatException or ArgumentException or RegexMatchTimeoutException)
        {
            c.Err.WriteLine($"awk: run time error: {e.Message}");
            return CommandContext.Status(2);
        }
    }

    /// <summary>An awk value: a string, a number, or input text that looks like a number and compares as one.</summary>
    private readonly record struct Value(string? Text, double Number, bool Numeric)
    {
        public static Value Empty { get; } = new("", 0, true);

        public static Value Of(double number) => new(null, number, true);

        public static Value Of(string text) => new(text, 0, false);

        public static Value Of(bool condition) => Of(condition ? 1 : 0);

        /// <summary>Field and -v text: numeric when the whole text is a number.</summary>
        public static Value Input(string text) =>
            double.TryParse(text.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && !text.Trim().StartsWith("0x", StringComparison.OrdinalIgnoreCase)
                ? new(text, number, true)
                : Of(text);

        public bool IsTrue => Text is null || (Numeric && Text.Length > 0) ? Number != 0 : Text.Length > 0;

        public string AsString() => Text ?? Format(Number);

        public double AsNumber() => Numeric ? Number : Leading(Text!);

        public static string Format(double number) =>
            number == Math.Floor(number) && Math.Abs(number) < 1e16
                ? ((long)number).ToString(CultureInfo.InvariantCulture)
                : number.ToString("G6", CultureInfo.InvariantCulture).Replace("E+", "e+", StringComparison.Ordinal).Replace("E-", "e-", StringComparison.Ordinal);

        private static double Leading(string text)
        {
            var trimmed = text.TrimStart();
            var length = 0;
            while (length < trimmed.Length && (char.IsAsciiDigit(trimmed[length]) || trimmed[length] is '.' or 'e' or 'E' || (trimmed[length] is '+' or '-' && (length == 0 || trimmed[length - 1] is 'e' or 'E'))))
                length++;
            for (; length > 0; length--)
            {
                if (double.TryParse(trimmed.AsSpan(0, length), NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
                    return number;
            }
            return 0;
        }
    }

    private sealed record Rule(Node? Pattern, Node? Until, Statement? Action, bool Begin, bool End)
    {
        /// <summary>For a range pattern (<c>/a/,/b/</c>): whether the range is open.</summary>
        public bool InRange { get; set; }
    }

    private sealed record Program(List<Rule> Rules);

    private sealed class NextRecord : Exception;

    private sealed class ExitProgram(int status) : Exception
    {
        public int Status { get; } = status;
    }

    private sealed class BreakLoop : Exception;

    private sealed class ContinueLoop : Exception;

    /// <summary>The running program's variables, arrays and current record.</summary>
    private sealed class State(CommandContext context)
    {
        private readonly Dictionary<string, Regex> regexes = new(StringComparer.Ordinal);
        private List<string> fields = [""];
        private int steps;

        public CommandContext Context { get; } = context;

        public Dictionary<string, Value> Variables { get; } = new(StringComparer.Ordinal);

        public Dictionary<string, Dictionary<string, Value>> Arrays { get; } = new(StringComparer.Ordinal);

        public string FieldSeparator
        {
            get => Variables.TryGetValue("FS", out var fs) ? fs.AsString() : " ";
            set => Variables["FS"] = Value.Of(value);
        }

        public int FieldCount => fields.Count - 1;

        public int Run(Program program, List<string> files)
        {
            Variables.TryAdd("OFS", Value.Of(" "));
            Variables.TryAdd("ORS", Value.Of("\n"));
            Variables["NR"] = Value.Of(0);
            try
            {
                foreach (var rule in program.Rules.Where(r => r.Begin))
                    Execute(rule.Action);
                if (program.Rules.Exists(r => !r.Begin))
                {
                    var inputs = Context.ReadInputs(files, out var failed);
                    foreach (var (name, text) in inputs)
                    {
                        Variables["FILENAME"] = Value.Of(name == "-" ? "" : name);
                        var number = 0;
                        foreach (var line in CommandContext.Lines(text))
                        {
                            Variables["NR"] = Value.Of(Variables["NR"].AsNumber() + 1);
                            Variables["FNR"] = Value.Of(++number);
                            SetRecord(line);
                            Record(program);
                        }
                    }
                    if (failed)
                        return 2;
                }
                foreach (var rule in program.Rules.Where(r => r.End))
                    Execute(rule.Action);
                return 0;
            }
            catch (ExitProgram exit)
            {
                return exit.Status;
            }
        }

        private void Record(Program program)
        {
            try
            {
                foreach (var rule in program.Rules.Where(r => !r.Begin && !r.End))
                {
                    if (!Selects(rule))
                        continue;
                    if (rule.Action is null)
                        Print(GetField(0).AsString());
                    else
                        Execute(rule.Action);
                }
            }
            catch (NextRecord)
            {
            }
        }

        private bool Selects(Rule rule)
        {
            if (rule.Pattern is null)
                return true;
            if (rule.Until is null)
                return rule.Pattern.Evaluate(this).IsTrue;
            if (!rule.InRange && rule.Pattern.Evaluate(this).IsTrue)
                rule.InRange = true;
            else if (!rule.InRange)
                return false;
            if (rule.Until.Evaluate(this).IsTrue)
                rule.InRange = false;
            return true;
        }

        private void Execute(Statement? statement) => statement?.Execute(this);

        public void Step()
        {
            if (++steps > MaxSteps)
                throw new FormatException($"stopped after {MaxSteps} loop iterations (emulator limit)");
            if ((steps & 0xFFF) == 0)
                Context.Token.ThrowIfCancellationRequested();
        }

        public void Print(string text) => Context.Out.Write(text + Get("ORS").AsString());

        public Value Get(string name) => name == "NF" ? Value.Of(FieldCount) : Variables.TryGetValue(name, out var value) ? value : Value.Empty;

        public void Set(string name, Value value)
        {
            if (name == "NF")
            {
                var count = (int)Math.Max(0, value.AsNumber());
                fields = [.. fields.Take(count + 1).Concat(Enumerable.Repeat("", Math.Max(0, count + 1 - fields.Count)))];
                Rebuild();
                return;
            }
            Variables[name] = value;
        }

        public Dictionary<string, Value> Array(string name)
        {
            if (!Arrays.TryGetValue(name, out var array))
                Arrays[name] = array = new Dictionary<string, Value>(StringComparer.Ordinal);
            return array;
        }

        public Value GetField(int index) => index < 0 ? throw new FormatException($"negative field index ${index}") : index < fields.Count ? Value.Input(fields[index]) : Value.Empty;

        public void SetField(int index, string text)
        {
            if (index == 0)
            {
                SetRecord(text);
                return;
            }
            while (fields.Count <= index)
                fields.Add("");
            fields[index] = text;
            Rebuild();
        }

        public Regex Regex(string pattern)
        {
            if (!regexes.TryGetValue(pattern, out var regex))
                regexes[pattern] = regex = PosixRegex.Create(pattern);
            return regex;
        }

        public string[] Split(string text, string separator) => separator switch
        {
            " " => text.Split([' ', '\t', '\n'], StringSplitOptions.RemoveEmptyEntries),
            { Length: 1 } => text.Length == 0 ? [] : text.Split(separator[0]),
            _ => text.Length == 0 ? [] : Regex(separator).Split(text),
        };

        private void SetRecord(string line) => fields = [line, .. Split(line, FieldSeparator)];

        private void Rebuild() => fields[0] = string.Join(Get("OFS").AsString(), fields.Skip(1));
    }
}
