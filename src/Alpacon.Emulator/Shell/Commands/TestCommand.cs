using System.Globalization;
using System.Runtime.CompilerServices;

namespace Alpacon.Emulator.Shell.Commands;

/// <summary><c>test</c> and <c>[</c>: file tests, string and integer comparisons, <c>! -a -o ( )</c>.</summary>
internal sealed class TestCommand
{
    private static readonly HashSet<string> Unary = ["-e", "-f", "-d", "-s", "-r", "-w", "-x", "-z", "-n", "-L", "-h", "-b", "-c", "-p", "-S"];
    private static readonly HashSet<string> Binary = ["=", "==", "!=", "<", ">", "-eq", "-ne", "-lt", "-le", "-gt", "-ge"];

    private readonly CommandContext context;
    private readonly List<string> args;
    private int pos;

    private TestCommand(CommandContext context, List<string> args)
    {
        this.context = context;
        this.args = args;
    }

    public static ValueTask<int> Run(CommandContext c)
    {
        var args = c.Args.ToList();
        if (c.Name == "[")
        {
            if (args.Count == 0 || args[^1] != "]")
            {
                c.Err.WriteLine("bash: [: missing `]'");
                return CommandContext.Status(2);
            }
            args.RemoveAt(args.Count - 1);
        }
        if (args.Count == 0)
            return CommandContext.Status(1);
        try
        {
            var test = new TestCommand(c, args);
            var result = test.Or();
            if (test.pos != args.Count)
                throw new FormatException($"{args[test.pos]}: unexpected operator");
            return CommandContext.Status(result ? 0 : 1);
        }
        catch (FormatException e)
        {
            c.Err.WriteLine($"bash: {c.Name}: {e.Message}");
            return CommandContext.Status(2);
        }
    }

    private bool Or()
    {
        var value = And();
        while (Accept("-o"))
            value = And() || value;
        return value;
    }

    private bool And()
    {
        var value = Not();
        while (Accept("-a"))
            value = Not() && value;
        return value;
    }

    private bool Not()
    {
        if (!RuntimeHelpers.TryEnsureSufficientExecutionStack())
            throw new FormatException("expression nested too deeply");
        var remaining = args.Count - pos;
        if (remaining > 1 && Accept("!"))
            return !Not();
        return Primary();
    }

    private bool Primary()
    {
        if (pos >= args.Count)
            throw new FormatException("argument expected");
        if (args[pos] == "(" && args.Count - pos >= 3)
        {
            pos++;
            var value = Or();
            return Accept(")") ? value : throw new FormatException("`)' expected");
        }
        if (pos + 2 < args.Count && Binary.Contains(args[pos + 1]))
        {
            var (left, op, right) = (args[pos], args[pos + 1], args[pos + 2]);
            pos += 3;
            return Compare(left, op, right);
        }
        if (Unary.Contains(args[pos]) && pos + 1 < args.Count)
        {
            var (op, operand) = (args[pos], args[pos + 1]);
            pos += 2;
            return File(op, operand);
        }
        return args[pos++].Length > 0;
    }

    private static bool Compare(string left, string op, string right)
    {
        switch (op)
        {
            case "=" or "==":
                return left == right;
            case "!=":
                return left != right;
            case "<":
                return string.CompareOrdinal(left, right) < 0;
            case ">":
                return string.CompareOrdinal(left, right) > 0;
        }
        var order = Number(left).CompareTo(Number(right));
        return op switch
        {
            "-eq" => order == 0,
            "-ne" => order != 0,
            "-lt" => order < 0,
            "-le" => order <= 0,
            "-gt" => order > 0,
            _ => order >= 0,
        };
    }

    private bool File(string op, string operand)
    {
        if (op == "-z")
            return operand.Length == 0;
        if (op == "-n")
            return operand.Length > 0;
        if (operand.Length == 0)
            return false;
        var entry = context.Fs.Stat(context.Resolve(operand), context.User);
        return op switch
        {
            "-e" => entry is not null,
            "-f" => entry is { IsDirectory: false },
            "-d" => entry is { IsDirectory: true },
            "-s" => entry is { Size: > 0 },
            "-r" => entry?.Allows(context.User, 4) == true,
            "-w" => entry?.Allows(context.User, 2) == true,
            "-x" => entry is not null && (entry.IsDirectory ? entry.Allows(context.User, 1) : entry.CanExecute(context.User)),
            "-c" => entry is not null && entry.Path.StartsWith("/dev/", StringComparison.Ordinal),
            _ => false,
        };
    }

    private static long Number(string text) =>
        long.TryParse(text.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) ? value : throw new FormatException($"{text}: integer expression expected");

    private bool Accept(string token)
    {
        if (pos >= args.Count || args[pos] != token)
            return false;
        pos++;
        return true;
    }
}
