using System.Globalization;
using System.Text;

namespace Alpacon.Emulator.Shell.Commands;

/// <summary>The awk program tree: expressions evaluate to values, statements act on the state.</summary>
internal sealed partial class AwkCommand
{
    private abstract class Node
    {
        public abstract Value Evaluate(State s);
    }

    /// <summary>What may stand left of <c>=</c>, <c>+=</c> or <c>++</c>: a variable, a field, an array element.</summary>
    private interface IAssignable
    {
        void Assign(State s, Value value);
    }

    private sealed class Literal(Value value) : Node
    {
        public override Value Evaluate(State s) => value;
    }

    /// <summary><c>/re/</c> alone matches the record; right of <c>~</c> it is the pattern.</summary>
    private sealed class RegexLiteral(string pattern) : Node
    {
        public string Pattern { get; } = pattern;

        public override Value Evaluate(State s) => Value.Of(s.Regex(Pattern).IsMatch(s.GetField(0).AsString()));
    }

    private sealed class Variable(string name) : Node, IAssignable
    {
        public string Name { get; } = name;

        public override Value Evaluate(State s) => s.Get(Name);

        public void Assign(State s, Value value) => s.Set(Name, value);
    }

    private sealed class Field(Node index) : Node, IAssignable
    {
        public override Value Evaluate(State s) => s.GetField((int)index.Evaluate(s).AsNumber());

        public void Assign(State s, Value value) => s.SetField((int)index.Evaluate(s).AsNumber(), value.AsString());
    }

    private sealed class Element(string array, IReadOnlyList<Node> keys) : Node, IAssignable
    {
        public override Value Evaluate(State s) => s.Array(array).TryGetValue(Key(s), out var value) ? value : Value.Empty;

        public void Assign(State s, Value value) => s.Array(array)[Key(s)] = value;

        private string Key(State s) => string.Join('\u001c', keys.Select(k => k.Evaluate(s).AsString()));
    }

    private sealed class Unary(char op, Node operand) : Node
    {
        public override Value Evaluate(State s) => op switch
        {
            '!' => Value.Of(!operand.Evaluate(s).IsTrue),
            '-' => Value.Of(-operand.Evaluate(s).AsNumber()),
            _ => Value.Of(operand.Evaluate(s).AsNumber()),
        };
    }

    private sealed class Binary(string op, Node left, Node right) : Node
    {
        public override Value Evaluate(State s)
        {
            if (op == "&&")
                return Value.Of(left.Evaluate(s).IsTrue && right.Evaluate(s).IsTrue);
            if (op == "||")
                return Value.Of(left.Evaluate(s).IsTrue || right.Evaluate(s).IsTrue);
            var a = left.Evaluate(s);
            var b = right.Evaluate(s);
            switch (op)
            {
                case "concat":
                    return Value.Of(a.AsString() + b.AsString());
                case "<" or "<=" or ">" or ">=" or "==" or "!=":
                    var order = a.Numeric && b.Numeric ? a.AsNumber().CompareTo(b.AsNumber()) : string.CompareOrdinal(a.AsString(), b.AsString());
                    return Value.Of(op switch { "<" => order < 0, "<=" => order <= 0, ">" => order > 0, ">=" => order >= 0, "==" => order == 0, _ => order != 0 });
            }
            var (x, y) = (a.AsNumber(), b.AsNumber());
            if (op is "/" or "%" && y == 0)
                throw new FormatException("division by zero");
            return Value.Of(op switch { "+" => x + y, "-" => x - y, "*" => x * y, "/" => x / y, "%" => x % y, _ => Math.Pow(x, y) });
        }
    }

    private sealed class Match(Node subject, Node pattern, bool negate) : Node
    {
        public override Value Evaluate(State s)
        {
            var regex = pattern is RegexLiteral literal ? literal.Pattern : pattern.Evaluate(s).AsString();
            return Value.Of(s.Regex(regex).IsMatch(subject.Evaluate(s).AsString()) != negate);
        }
    }

    private sealed class In(Node key, string array) : Node
    {
        public override Value Evaluate(State s) => Value.Of(s.Array(array).ContainsKey(key.Evaluate(s).AsString()));
    }

    private sealed class Conditional(Node condition, Node then, Node otherwise) : Node
    {
        public override Value Evaluate(State s) => condition.Evaluate(s).IsTrue ? then.Evaluate(s) : otherwise.Evaluate(s);
    }

    private sealed class Assignment(Node target, string op, Node value) : Node
    {
        public override Value Evaluate(State s)
        {
            var right = value.Evaluate(s);
            var result = op == "=" ? right : Value.Of(new Binary(op[..^1], target, new Literal(right)).Evaluate(s).AsNumber());
            ((IAssignable)target).Assign(s, result);
            return result;
        }
    }

    private sealed class Increment(Node target, int delta, bool prefix) : Node
    {
        public override Value Evaluate(State s)
        {
            var before = target.Evaluate(s).AsNumber();
            ((IAssignable)target).Assign(s, Value.Of(before + delta));
            return Value.Of(prefix ? before + delta : before);
        }
    }

    private sealed class Call(string name, IReadOnlyList<Node> args) : Node
    {
        public override Value Evaluate(State s)
        {
            string Text(int i) => i < args.Count ? args[i].Evaluate(s).AsString() : s.GetField(0).AsString();
            double Number(int i) => i < args.Count ? args[i].Evaluate(s).AsNumber() : 0;
            switch (name)
            {
                case "length":
                    return args.Count == 1 && args[0] is Variable v && s.Arrays.TryGetValue(v.Name, out var counted) ? Value.Of(counted.Count) : Value.Of(Text(0).Length);
                case "substr":
                    var text = Text(0);
                    var start = Math.Round(Number(1), MidpointRounding.ToEven);
                    var end = args.Count > 2 ? start + Math.Round(Number(2), MidpointRounding.ToEven) : double.MaxValue;
                    var from = (int)Math.Clamp(start, 1, text.Length + 1);
                    var to = (int)Math.Clamp(end, from, text.Length + 1);
                    return Value.Of(text[(from - 1)..(to - 1)]);
                case "index":
                    return Value.Of(Text(0).IndexOf(Text(1), StringComparison.Ordinal) + 1);
                case "split":
                    var array = ArrayName(1);
                    var parts = s.Split(Text(0), args.Count > 2 ? (args[2] is RegexLiteral r ? r.Pattern : Text(2)) : s.FieldSeparator);
                    var target = s.Array(array);
                    target.Clear();
                    for (var i = 0; i < parts.Length; i++)
                        target[(i + 1).ToString(CultureInfo.InvariantCulture)] = Value.Input(parts[i]);
                    return Value.Of(parts.Length);
                case "sub" or "gsub":
                    return Substitute(s);
                case "match":
                    var found = s.Regex(args[1] is RegexLiteral m ? m.Pattern : Text(1)).Match(Text(0));
                    s.Set("RSTART", Value.Of(found.Success ? found.Index + 1 : 0));
                    s.Set("RLENGTH", Value.Of(found.Success ? found.Length : -1));
                    return Value.Of(found.Success ? found.Index + 1 : 0);
                case "sprintf":
                    return Value.Of(PrintCommands.Sprintf(Text(0), [.. args.Skip(1).Select(a => a.Evaluate(s).AsString())], s.Context.Err, repeat: false, lenient: true, out _));
                case "tolower":
                    return Value.Of(Text(0).ToLowerInvariant());
                case "toupper":
                    return Value.Of(Text(0).ToUpperInvariant());
                case "int":
                    return Value.Of(Math.Truncate(Number(0)));
                case "sqrt":
                    return Value.Of(Math.Sqrt(Number(0)));
                case "exp":
                    return Value.Of(Math.Exp(Number(0)));
                case "log":
                    return Value.Of(Math.Log(Number(0)));
                default:
                    throw new FormatException(name == "system" ? "system() is not available: the emulator runs nothing on the host" : $"function {name} never defined");
            }
        }

        private string ArrayName(int index) => index < args.Count && args[index] is Variable v ? v.Name : throw new FormatException($"{name}: the argument {index + 1} must be an array");

        /// <summary>sub and gsub: <c>&amp;</c> in the replacement is the match, <c>\&amp;</c> a literal ampersand.</summary>
        private Value Substitute(State s)
        {
            var target = args.Count > 2 ? args[2] : new Field(new Literal(Value.Of(0)));
            if (target is not IAssignable assignable)
                throw new FormatException($"{name}: the third argument must be assignable");
            var regex = s.Regex(args[0] is RegexLiteral literal ? literal.Pattern : args[0].Evaluate(s).AsString());
            var replacement = new StringBuilder();
            var raw = args[1].Evaluate(s).AsString();
            for (var i = 0; i < raw.Length; i++)
            {
                if (raw[i] == '\\' && i + 1 < raw.Length && raw[i + 1] is '&' or '\\')
                    replacement.Append(raw[++i] == '&' ? "&" : "\\");
                else
                    replacement.Append(raw[i] == '&' ? "$0" : raw[i] == '$' ? "$$" : raw[i].ToString());
            }
            var text = target.Evaluate(s).AsString();
            var count = regex.Matches(text).Count;
            if (count == 0)
                return Value.Of(0);
            var replaced = name == "gsub" ? regex.Replace(text, replacement.ToString()) : regex.Replace(text, replacement.ToString(), 1);
            assignable.Assign(s, Value.Of(replaced));
            return Value.Of(name == "gsub" ? count : 1);
        }
    }

    private abstract class Statement
    {
        public abstract void Execute(State s);
    }

    private sealed class Block(IReadOnlyList<Statement> statements) : Statement
    {
        public override void Execute(State s)
        {
            foreach (var statement in statements)
                statement.Execute(s);
        }
    }

    private sealed class ExpressionStatement(Node expression) : Statement
    {
        public override void Execute(State s) => expression.Evaluate(s);
    }

    private sealed class PrintStatement(IReadOnlyList<Node> args, bool formatted) : Statement
    {
        public override void Execute(State s)
        {
            if (formatted)
            {
                var values = args.Select(a => a.Evaluate(s).AsString()).ToList();
                s.Context.Out.Write(PrintCommands.Sprintf(values[0], values[1..], s.Context.Err, repeat: false, lenient: true, out _));
                return;
            }
            s.Print(args.Count == 0 ? s.GetField(0).AsString() : string.Join(s.Get("OFS").AsString(), args.Select(a => a.Evaluate(s).AsString())));
        }
    }

    private sealed class If(Node condition, Statement then, Statement? otherwise) : Statement
    {
        public override void Execute(State s)
        {
            if (condition.Evaluate(s).IsTrue)
                then.Execute(s);
            else
                otherwise?.Execute(s);
        }
    }

    /// <summary>while and C-style for; every iteration counts against the program's step budget.</summary>
    private sealed class Loop(Node? initial, Node? condition, Node? step, Statement body) : Statement
    {
        public override void Execute(State s)
        {
            for (initial?.Evaluate(s); condition?.Evaluate(s).IsTrue ?? true; step?.Evaluate(s))
            {
                s.Step();
                if (!Body(s, body))
                    break;
            }
        }

        /// <summary>Runs the body once; false when it broke out of the loop.</summary>
        public static bool Body(State s, Statement body)
        {
            try
            {
                body.Execute(s);
            }
            catch (BreakLoop)
            {
                return false;
            }
            catch (ContinueLoop)
            {
            }
            return true;
        }
    }

    private sealed class ForIn(string variable, string array, Statement body) : Statement
    {
        public override void Execute(State s)
        {
            foreach (var key in s.Array(array).Keys.ToList())
            {
                s.Step();
                s.Set(variable, Value.Input(key));
                if (!Loop.Body(s, body))
                    break;
            }
        }
    }

    /// <summary>next, exit, break and continue, which unwind through exceptions.</summary>
    private sealed class Jump(string keyword, Node? status) : Statement
    {
        public override void Execute(State s) => throw keyword switch
        {
            "next" => new NextRecord(),
            "exit" => new ExitProgram((int)(status?.Evaluate(s).AsNumber() ?? 0)),
            "break" => new BreakLoop(),
            _ => (Exception)new ContinueLoop(),
        };
    }

    private sealed class Delete(string array, Node? key) : Statement
    {
        public override void Execute(State s)
        {
            if (key is null)
                s.Array(array).Clear();
            else
                s.Array(array).Remove(key.Evaluate(s).AsString());
        }
    }
}
