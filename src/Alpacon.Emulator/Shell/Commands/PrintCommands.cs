using System.Globalization;
using System.Text;

namespace Alpacon.Emulator.Shell.Commands;

/// <summary>echo and printf. Websh clients end each command with <c>printf '\n__MARK_%s_%d__\n' nonce $?</c>, so printf must be exact.</summary>
internal static class PrintCommands
{
    public static ValueTask<int> Echo(CommandContext c)
    {
        var newline = true;
        var escapes = false;
        var i = 0;
        for (; i < c.Args.Count; i++)
        {
            var arg = c.Args[i];
            if (arg.Length < 2 || arg[0] != '-' || arg[1..].Any(f => f is not ('n' or 'e' or 'E')))
                break;
            foreach (var flag in arg[1..])
            {
                if (flag == 'n')
                    newline = false;
                else
                    escapes = flag == 'e';
            }
        }
        var text = string.Join(' ', c.Args.Skip(i));
        var stop = false;
        if (escapes)
            text = Escapes.Interpret(text, out stop);
        c.Out.Write(newline && !stop ? text + "\n" : text);
        return CommandContext.Status(0);
    }

    public static ValueTask<int> Printf(CommandContext c)
    {
        var args = c.Args.ToList();
        string? variable = null;
        if (args.Count >= 2 && args[0] == "-v")
        {
            variable = args[1];
            args.RemoveRange(0, 2);
        }
        if (args.Count > 0 && args[0] == "--")
            args.RemoveAt(0);
        if (args.Count == 0)
        {
            c.Err.WriteLine("printf: usage: printf [-v var] format [arguments]");
            return CommandContext.Status(2);
        }
        var text = Sprintf(args[0], args[1..], c.Err, repeat: true, lenient: false, out var status);
        if (variable is not null)
            c.Session.SetVariable(variable, text);
        else
            c.Out.Write(text);
        return CommandContext.Status(status);
    }

    /// <summary>
    /// printf's formatting. With <paramref name="repeat"/> (the shell's printf) the format is reused while
    /// arguments remain; <paramref name="lenient"/> (awk) truncates decimals for %d instead of refusing them.
    /// </summary>
    internal static string Sprintf(string format, IReadOnlyList<string> args, ShellWriter err, bool repeat, bool lenient, out int status)
    {
        var output = new StringBuilder();
        var formatter = new Formatter(args, err, lenient);
        do
        {
            var consumed = formatter.Next;
            if (!formatter.Format(format, output) || !repeat || formatter.Next == consumed)
                break;
        }
        while (formatter.Next < args.Count);
        status = formatter.Status;
        return output.ToString();
    }

    /// <summary>Consumes arguments across repetitions of the format and remembers whether any was invalid.</summary>
    private sealed class Formatter(IReadOnlyList<string> args, ShellWriter err, bool lenient)
    {
        public int Next { get; private set; }

        public int Status { get; private set; }

        /// <summary>Applies the format once; false when <c>\c</c> stopped all output.</summary>
        public bool Format(string format, StringBuilder output)
        {
            var literal = new StringBuilder();
            for (var i = 0; i < format.Length; i++)
            {
                if (format[i] != '%')
                {
                    literal.Append(format[i]);
                    continue;
                }
                if (!FlushLiteral(literal, output))
                    return false;
                if (i + 1 < format.Length && format[i + 1] == '%')
                {
                    output.Append('%');
                    i++;
                    continue;
                }
                var start = i + 1;
                var end = start;
                while (end < format.Length && "-+ #0123456789.".Contains(format[end]))
                    end++;
                if (end >= format.Length)
                {
                    output.Append(format[i..]);
                    break;
                }
                var spec = format[start..end];
                var conversion = format[end];
                var argument = Next < args.Count ? args[Next++] : null;
                if (!Convert(conversion, spec, argument, output))
                    return false;
                i = end;
            }
            return FlushLiteral(literal, output);
        }

        private static bool FlushLiteral(StringBuilder literal, StringBuilder output)
        {
            output.Append(Escapes.Interpret(literal.ToString(), out var stop));
            literal.Clear();
            return !stop;
        }

        private bool Convert(char conversion, string spec, string? argument, StringBuilder output)
        {
            var left = spec.Contains('-');
            var zero = spec.StartsWith('0') || spec.Contains("-0", StringComparison.Ordinal);
            var parts = spec.TrimStart('-', '+', ' ', '#', '0').Split('.');
            var width = int.TryParse(parts[0], CultureInfo.InvariantCulture, out var w) ? w : 0;
            int? precision = parts.Length > 1 ? (int.TryParse(parts[1], CultureInfo.InvariantCulture, out var p) ? p : 0) : null;
            string text;
            switch (conversion)
            {
                case 's':
                    text = argument ?? "";
                    if (precision is { } max && text.Length > max)
                        text = text[..max];
                    break;
                case 'b':
                    text = Escapes.Interpret(argument ?? "", out var stop);
                    if (stop)
                    {
                        output.Append(text);
                        return false;
                    }
                    break;
                case 'c':
                    text = string.IsNullOrEmpty(argument) ? "" : argument[..1];
                    break;
                case 'd' or 'i' or 'u' or 'x' or 'X' or 'o':
                    var number = Integer(argument);
                    text = conversion switch
                    {
                        'x' => number.ToString("x", CultureInfo.InvariantCulture),
                        'X' => number.ToString("X", CultureInfo.InvariantCulture),
                        'o' => System.Convert.ToString(number, 8),
                        _ => number.ToString(CultureInfo.InvariantCulture),
                    };
                    if (spec.Contains('+') && number >= 0 && conversion is 'd' or 'i')
                        text = "+" + text;
                    break;
                case 'f' or 'F':
                    var value = argument is null ? 0 : double.TryParse(argument, NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed) ? parsed : Invalid(argument);
                    text = value.ToString("F" + (precision ?? 6).ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
                    break;
                default:
                    err.WriteLine($"printf: %{conversion}: invalid directive");
                    Status = 1;
                    return false;
            }
            if (text.Length < width)
            {
                var numeric = conversion is not ('s' or 'b' or 'c');
                text = left ? text.PadRight(width) : zero && numeric ? PadZero(text, width) : text.PadLeft(width);
            }
            output.Append(text);
            return true;
        }

        private static string PadZero(string text, int width) =>
            text.StartsWith('-') || text.StartsWith('+') ? text[0] + text[1..].PadLeft(width - 1, '0') : text.PadLeft(width, '0');

        private long Integer(string? argument)
        {
            if (string.IsNullOrEmpty(argument))
                return 0;
            if (argument.StartsWith('\'') || argument.StartsWith('"'))
                return argument.Length > 1 ? argument[1] : 0;
            if (long.TryParse(argument, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
                return value;
            if (argument.StartsWith("0x", StringComparison.OrdinalIgnoreCase) && long.TryParse(argument[2..], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out value))
                return value;
            if (lenient && double.TryParse(argument, NumberStyles.Float, CultureInfo.InvariantCulture, out var real))
                return (long)real;
            return (long)Invalid(argument);
        }

        private double Invalid(string argument)
        {
            err.WriteLine($"printf: {argument}: invalid number");
            Status = 1;
            return 0;
        }
    }
}
