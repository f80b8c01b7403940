using System.Globalization;
using System.Runtime.CompilerServices;

namespace Alpacon.Emulator.Shell;

/// <summary>A small integer evaluator for <c>$((…))</c>: numbers, variable names, + - * / %, comparisons, parentheses.</summary>
internal sealed class Arithmetic
{
    private readonly string text;
    private readonly Func<string, string?> variable;
    private int pos;

    private Arithmetic(string text, Func<string, string?> variable)
    {
        this.text = text;
        this.variable = variable;
    }

    public static long Evaluate(string expression, Func<string, string?> variable)
    {
        var parser = new Arithmetic(expression, variable);
        var value = parser.Comparison();
        parser.SkipBlanks();
        return parser.pos == expression.Length ? value : throw parser.Error();
    }

    private long Comparison()
    {
        var left = Sum();
        foreach (var op in new[] { "<=", ">=", "==", "!=", "<", ">" })
        {
            if (!Accept(op))
                continue;
            var right = Sum();
            return op switch
            {
                "<=" => left <= right ? 1 : 0,
                ">=" => left >= right ? 1 : 0,
                "==" => left == right ? 1 : 0,
                "!=" => left != right ? 1 : 0,
                "<" => left < right ? 1 : 0,
                _ => left > right ? 1 : 0,
            };
        }
        return left;
    }

    private long Sum()
    {
        var value = Product();
        while (true)
        {
            if (Accept("+"))
                value += Product();
            else if (Accept("-"))
                value -= Product();
            else
                return value;
        }
    }

    private long Product()
    {
        var value = Unary();
        while (true)
        {
            if (Accept("*"))
            {
                value *= Unary();
            }
            else if (Accept("/") || Accept("%"))
            {
                var divide = text[pos - 1] == '/';
                var divisor = Unary();
                if (divisor == 0)
                    throw new ShellSyntaxException("division by 0 (error token is \"" + text.Trim() + "\")");
                value = divide ? value / divisor : value % divisor;
            }
            else
            {
                return value;
            }
        }
    }

    private long Unary()
    {
        if (!RuntimeHelpers.TryEnsureSufficientExecutionStack())
            throw new ShellSyntaxException("expression nested too deeply");
        if (Accept("-"))
            return -Unary();
        if (Accept("+"))
            return Unary();
        if (Accept("("))
        {
            var value = Comparison();
            return Accept(")") ? value : throw Error();
        }
        SkipBlanks();
        var start = pos;
        while (pos < text.Length && (char.IsAsciiLetterOrDigit(text[pos]) || text[pos] == '_'))
            pos++;
        var token = text[start..pos];
        if (token.Length == 0)
            throw Error();
        if (long.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out var number))
            return number;
        return long.TryParse(variable(token), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var stored) ? stored : 0;
    }

    private bool Accept(string op)
    {
        SkipBlanks();
        if (!text.AsSpan(pos).StartsWith(op))
            return false;
        pos += op.Length;
        return true;
    }

    private void SkipBlanks()
    {
        while (pos < text.Length && char.IsWhiteSpace(text[pos]))
            pos++;
    }

    private ShellSyntaxException Error() => new($"{text.Trim()}: syntax error in expression (error token is \"{text[Math.Min(pos, text.Length)..].Trim()}\")");
}
