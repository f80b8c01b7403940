using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;

namespace Alpacon.Emulator.Shell.Commands;

/// <summary>Tokenizer and recursive-descent parser for the awk subset; errors are <see cref="FormatException"/>s.</summary>
internal sealed partial class AwkCommand
{
    private enum Kind
    {
        Number,
        String,
        Regex,
        Name,
        Function,
        Keyword,
        Operator,
        Newline,
        End,
    }

    private readonly record struct Token(Kind Kind, string Text);

    private sealed class Parser
    {
        private static readonly HashSet<string> Keywords = ["BEGIN", "END", "if", "else", "while", "for", "in", "print", "printf", "next", "exit", "break", "continue", "delete", "do", "getline", "function", "return"];
        private static readonly HashSet<string> Functions = ["length", "substr", "index", "split", "sub", "gsub", "match", "sprintf", "tolower", "toupper", "int", "sqrt", "exp", "log", "system"];
        private static readonly string[] Operators = ["&&", "||", "==", "!=", "<=", ">=", "++", "--", "+=", "-=", "*=", "/=", "%=", "^=", "!~", "{", "}", "(", ")", "[", "]", ";", ",", "+", "-", "*", "/", "%", "^", "!", "<", ">", "~", "?", ":", "=", "$"];

        private readonly List<Token> tokens;
        private int pos;

        public Parser(string program) => tokens = Tokenize(program);

        private Token Peek => tokens[pos];

        public Program ParseProgram()
        {
            var rules = new List<Rule>();
            SkipTerminators();
            while (Peek.Kind != Kind.End)
            {
                if (Accept(Kind.Keyword, "BEGIN") || Accept(Kind.Keyword, "END"))
                {
                    var begin = tokens[pos - 1].Text == "BEGIN";
                    rules.Add(new Rule(null, null, ParseBlock(), begin, !begin));
                }
                else if (Is(Kind.Operator, "{"))
                {
                    rules.Add(new Rule(null, null, ParseBlock(), false, false));
                }
                else
                {
                    var pattern = ParseExpression();
                    var until = Accept(Kind.Operator, ",") ? ParseExpression() : null;
                    rules.Add(new Rule(pattern, until, Is(Kind.Operator, "{") ? ParseBlock() : null, false, false));
                }
                SkipTerminators();
            }
            return new Program(rules);
        }

        private Block ParseBlock()
        {
            Expect(Kind.Operator, "{");
            var statements = new List<Statement>();
            while (true)
            {
                SkipTerminators();
                if (Accept(Kind.Operator, "}"))
                    return new Block(statements);
                statements.Add(ParseStatement());
                if (!Is(Kind.Operator, "}") && !Is(Kind.Operator, ";") && Peek.Kind != Kind.Newline)
                    throw Unexpected();
            }
        }

        private Statement ParseStatement()
        {
            if (!RuntimeHelpers.TryEnsureSufficientExecutionStack())
                throw new FormatException("statement nested too deeply");
            if (Is(Kind.Operator, "{"))
                return ParseBlock();
            if (Accept(Kind.Operator, ";"))
                return new Block([]);
            var token = Peek;
            if (token.Kind != Kind.Keyword)
                return new ExpressionStatement(ParseExpression());
            pos++;
            switch (token.Text)
            {
                case "if":
                    var condition = ParseCondition();
                    var then = ParseBody();
                    var save = pos;
                    SkipTerminators();
                    if (Accept(Kind.Keyword, "else"))
                        return new If(condition, then, ParseBody());
                    pos = save;
                    return new If(condition, then, null);
                case "while":
                    var test = ParseCondition();
                    return new Loop(null, test, null, ParseBody());
                case "for":
                    return ParseFor();
                case "print" or "printf":
                    var args = ParsePrintArguments();
                    if (token.Text == "printf" && args.Count == 0)
                        throw new FormatException("printf: no format");
                    if (Is(Kind.Operator, ">"))
                        throw new FormatException("output redirection is not supported by the emulator");
                    return new PrintStatement(args, token.Text == "printf");
                case "next" or "break" or "continue":
                    return new Jump(token.Text, null);
                case "exit":
                    return new Jump("exit", AtTerminator() ? null : ParseExpression());
                case "delete":
                    var name = Expect(Kind.Name).Text;
                    Node? key = null;
                    if (Accept(Kind.Operator, "["))
                    {
                        key = ParseExpression();
                        Expect(Kind.Operator, "]");
                    }
                    return new Delete(name, key);
                default:
                    throw new FormatException($"syntax error at or near {token.Text}");
            }
        }

        private Statement ParseFor()
        {
            Expect(Kind.Operator, "(");
            if (Peek.Kind == Kind.Name && tokens[pos + 1] is { Kind: Kind.Keyword, Text: "in" } && tokens[pos + 2].Kind == Kind.Name && tokens[pos + 3].Text == ")")
            {
                var variable = Peek.Text;
                var array = tokens[pos + 2].Text;
                pos += 4;
                return new ForIn(variable, array, ParseBody());
            }
            var initial = Is(Kind.Operator, ";") ? null : ParseExpression();
            Expect(Kind.Operator, ";");
            var condition = Is(Kind.Operator, ";") ? null : ParseExpression();
            Expect(Kind.Operator, ";");
            var step = Is(Kind.Operator, ")") ? null : ParseExpression();
            Expect(Kind.Operator, ")");
            return new Loop(initial, condition, step, ParseBody());
        }

        private Node ParseCondition()
        {
            Expect(Kind.Operator, "(");
            var condition = ParseExpression();
            Expect(Kind.Operator, ")");
            return condition;
        }

        private Statement ParseBody()
        {
            while (Peek.Kind == Kind.Newline)
                pos++;
            return ParseStatement();
        }

        /// <summary><c>print a, b</c> or <c>print (a, b)</c>; the list ends at a terminator.</summary>
        private List<Node> ParsePrintArguments()
        {
            var args = new List<Node>();
            if (AtTerminator())
                return args;
            if (Is(Kind.Operator, "("))
            {
                var save = pos;
                pos++;
                args.Add(ParseExpression());
                while (Accept(Kind.Operator, ","))
                    args.Add(ParseExpression());
                if (Accept(Kind.Operator, ")") && (AtTerminator() || Is(Kind.Operator, ">")))
                    return args;
                pos = save;
                args.Clear();
            }
            args.Add(ParseExpression(noGreater: true));
            while (Accept(Kind.Operator, ","))
            {
                while (Peek.Kind == Kind.Newline)
                    pos++;
                args.Add(ParseExpression(noGreater: true));
            }
            return args;
        }

        private bool AtTerminator() => Peek.Kind is Kind.Newline or Kind.End || Is(Kind.Operator, ";") || Is(Kind.Operator, "}");

        private Node ParseExpression(bool noGreater = false) => ParseTernary(noGreater);

        private Node ParseTernary(bool noGreater)
        {
            var condition = ParseOr(noGreater);
            if (Accept(Kind.Operator, "?"))
            {
                var then = ParseTernary(noGreater);
                Expect(Kind.Operator, ":");
                return new Conditional(condition, then, ParseTernary(noGreater));
            }
            if (condition is IAssignable && Peek.Kind == Kind.Operator && Peek.Text is "=" or "+=" or "-=" or "*=" or "/=" or "%=" or "^=")
            {
                var op = Peek.Text;
                pos++;
                return new Assignment(condition, op, ParseTernary(noGreater));
            }
            return condition;
        }

        private Node ParseOr(bool noGreater)
        {
            var left = ParseAnd(noGreater);
            while (Accept(Kind.Operator, "||"))
                left = new Binary("||", left, ParseAnd(noGreater));
            return left;
        }

        private Node ParseAnd(bool noGreater)
        {
            var left = ParseIn(noGreater);
            while (Accept(Kind.Operator, "&&"))
                left = new Binary("&&", left, ParseIn(noGreater));
            return left;
        }

        private Node ParseIn(bool noGreater)
        {
            var left = ParseMatch(noGreater);
            while (Accept(Kind.Keyword, "in"))
                left = new In(left, Expect(Kind.Name).Text);
            return left;
        }

        private Node ParseMatch(bool noGreater)
        {
            var left = ParseComparison(noGreater);
            while (Is(Kind.Operator, "~") || Is(Kind.Operator, "!~"))
            {
                var negate = Peek.Text == "!~";
                pos++;
                left = new Match(left, ParseComparison(noGreater), negate);
            }
            return left;
        }

        private Node ParseComparison(bool noGreater)
        {
            var left = ParseConcatenation();
            if (Peek.Kind == Kind.Operator && Peek.Text is "<" or "<=" or "==" or "!=" or ">=" || (!noGreater && Is(Kind.Operator, ">")))
            {
                var op = Peek.Text;
                pos++;
                return new Binary(op, left, ParseConcatenation());
            }
            return left;
        }

        private Node ParseConcatenation()
        {
            var left = ParseAdditive();
            while (Peek.Kind is Kind.Number or Kind.String or Kind.Name or Kind.Function || Is(Kind.Operator, "$") || Is(Kind.Operator, "("))
                left = new Binary("concat", left, ParseAdditive());
            return left;
        }

        private Node ParseAdditive()
        {
            var left = ParseMultiplicative();
            while (Is(Kind.Operator, "+") || Is(Kind.Operator, "-"))
            {
                var op = Peek.Text;
                pos++;
                left = new Binary(op, left, ParseMultiplicative());
            }
            return left;
        }

        private Node ParseMultiplicative()
        {
            var left = ParseUnary();
            while (Is(Kind.Operator, "*") || Is(Kind.Operator, "/") || Is(Kind.Operator, "%"))
            {
                var op = Peek.Text;
                pos++;
                left = new Binary(op, left, ParseUnary());
            }
            return left;
        }

        private Node ParseUnary()
        {
            if (!RuntimeHelpers.TryEnsureSufficientExecutionStack())
                throw new FormatException("expression nested too deeply");
            if (Peek.Kind == Kind.Operator && Peek.Text is "!" or "-" or "+")
            {
                var op = Peek.Text[0];
                pos++;
                return new Unary(op, ParseUnary());
            }
            var value = ParsePostfix();
            return Accept(Kind.Operator, "^") ? new Binary("^", value, ParseUnary()) : value;
        }

        private Node ParsePostfix()
        {
            if (Is(Kind.Operator, "++") || Is(Kind.Operator, "--"))
            {
                var delta = Peek.Text == "++" ? 1 : -1;
                pos++;
                return new Increment(Assignable(ParsePrimary()), delta, prefix: true);
            }
            var primary = ParsePrimary();
            if (primary is IAssignable && (Is(Kind.Operator, "++") || Is(Kind.Operator, "--")))
            {
                var delta = Peek.Text == "++" ? 1 : -1;
                pos++;
                return new Increment(primary, delta, prefix: false);
            }
            return primary;
        }

        private static Node Assignable(Node node) => node is IAssignable ? node : throw new FormatException("syntax error: ++ or -- needs a variable");

        private Node ParsePrimary()
        {
            var token = Peek;
            pos++;
            switch (token.Kind)
            {
                case Kind.Number:
                    return new Literal(Value.Of(double.Parse(token.Text, NumberStyles.Float, CultureInfo.InvariantCulture)));
                case Kind.String:
                    return new Literal(Value.Of(token.Text));
                case Kind.Regex:
                    return new RegexLiteral(token.Text);
                case Kind.Function:
                    var args = new List<Node>();
                    if (Accept(Kind.Operator, "("))
                    {
                        if (!Accept(Kind.Operator, ")"))
                        {
                            do
                                args.Add(ParseExpression());
                            while (Accept(Kind.Operator, ","));
                            Expect(Kind.Operator, ")");
                        }
                    }
                    else if (token.Text != "length")
                    {
                        throw Unexpected();
                    }
                    return new Call(token.Text, args);
                case Kind.Name:
                    if (!Accept(Kind.Operator, "["))
                        return new Variable(token.Text);
                    var keys = new List<Node> { ParseExpression() };
                    while (Accept(Kind.Operator, ","))
                        keys.Add(ParseExpression());
                    Expect(Kind.Operator, "]");
                    return new Element(token.Text, keys);
                case Kind.Operator when token.Text == "$":
                    if (Is(Kind.Operator, "++") || Is(Kind.Operator, "--") || Is(Kind.Operator, "-"))
                        return new Field(ParseUnary());
                    return new Field(ParsePrimary());
                case Kind.Operator when token.Text == "(":
                    var inner = ParseExpression();
                    if (Is(Kind.Operator, ",") && tokens.Skip(pos).Any(t => t is { Kind: Kind.Keyword, Text: "in" }))
                        throw new FormatException("multi-dimensional (i,j) in array is not supported by the emulator");
                    Expect(Kind.Operator, ")");
                    return inner;
                default:
                    pos--;
                    throw Unexpected();
            }
        }

        private void SkipTerminators()
        {
            while (Peek.Kind == Kind.Newline || Is(Kind.Operator, ";"))
                pos++;
        }

        private bool Is(Kind kind, string text) => Peek.Kind == kind && Peek.Text == text;

        private bool Accept(Kind kind, string text)
        {
            if (!Is(kind, text))
                return false;
            pos++;
            return true;
        }

        private void Expect(Kind kind, string text)
        {
            if (!Accept(kind, text))
                throw Unexpected();
        }

        private Token Expect(Kind kind) => Peek.Kind == kind ? tokens[pos++] : throw Unexpected();

        private FormatException Unexpected() =>
            new($"syntax error at or near {(Peek.Kind == Kind.End ? "end of file" : Peek.Kind == Kind.Newline ? "end of line" : Peek.Text)}");

        private static List<Token> Tokenize(string program)
        {
            var tokens = new List<Token>();
            var i = 0;
            // A slash starts a regex where an operand is expected, and divides after one.
            bool RegexAllowed() => tokens.Count == 0 || tokens[^1] is { Kind: Kind.Operator, Text: not (")" or "]" or "$" or "++" or "--") } or { Kind: Kind.Newline or Kind.Keyword };
            while (i < program.Length)
            {
                var c = program[i];
                if (c is ' ' or '\t' or '\r')
                {
                    i++;
                }
                else if (c == '\\' && i + 1 < program.Length && program[i + 1] == '\n')
                {
                    i += 2;
                }
                else if (c == '#')
                {
                    while (i < program.Length && program[i] != '\n')
                        i++;
                }
                else if (c == '\n')
                {
                    tokens.Add(new Token(Kind.Newline, "\n"));
                    i++;
                }
                else if (char.IsAsciiDigit(c) || (c == '.' && i + 1 < program.Length && char.IsAsciiDigit(program[i + 1])))
                {
                    var start = i;
                    while (i < program.Length && (char.IsAsciiDigit(program[i]) || program[i] == '.'))
                        i++;
                    if (i < program.Length && program[i] is 'e' or 'E' && i + 1 < program.Length && (char.IsAsciiDigit(program[i + 1]) || (program[i + 1] is '+' or '-' && i + 2 < program.Length && char.IsAsciiDigit(program[i + 2]))))
                    {
                        i += 2;
                        while (i < program.Length && char.IsAsciiDigit(program[i]))
                            i++;
                    }
                    tokens.Add(new Token(Kind.Number, program[start..i]));
                }
                else if (c == '"')
                {
                    var text = new StringBuilder();
                    for (i++; i < program.Length && program[i] != '"'; i++)
                    {
                        if (program[i] == '\\' && i + 1 < program.Length)
                            text.Append(program[i + 1] is '"' or '/' ? program[++i].ToString() : Escapes.Interpret(program.Substring(i++, 2), out _));
                        else
                            text.Append(program[i]);
                    }
                    if (i >= program.Length)
                        throw new FormatException("runaway string constant \"" + text + " ...");
                    i++;
                    tokens.Add(new Token(Kind.String, text.ToString()));
                }
                else if (c == '/' && RegexAllowed())
                {
                    var text = new StringBuilder();
                    for (i++; i < program.Length && program[i] != '/'; i++)
                    {
                        if (program[i] == '\\' && i + 1 < program.Length && program[i + 1] == '/')
                            i++;
                        else if (program[i] == '\\' && i + 1 < program.Length)
                            text.Append(program[i++]);
                        text.Append(program[i]);
                    }
                    if (i >= program.Length)
                        throw new FormatException("runaway regular expression /" + text + " ...");
                    i++;
                    tokens.Add(new Token(Kind.Regex, text.ToString()));
                }
                else if (char.IsAsciiLetter(c) || c == '_')
                {
                    var start = i;
                    while (i < program.Length && (char.IsAsciiLetterOrDigit(program[i]) || program[i] == '_'))
                        i++;
                    var word = program[start..i];
                    tokens.Add(new Token(Keywords.Contains(word) ? Kind.Keyword : Functions.Contains(word) ? Kind.Function : Kind.Name, word));
                }
                else
                {
                    var op = Operators.FirstOrDefault(o => program.AsSpan(i).StartsWith(o)) ?? throw new FormatException($"syntax error at or near {c}");
                    tokens.Add(new Token(Kind.Operator, op));
                    i += op.Length;
                }
            }
            tokens.Add(new Token(Kind.End, ""));
            return tokens;
        }
    }
}
