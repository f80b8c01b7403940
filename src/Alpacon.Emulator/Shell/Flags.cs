namespace Alpacon.Emulator.Shell;

/// <summary>
/// GNU-style option parsing for the commands: short flags bundle (<c>-la</c>), options may follow operands,
/// <c>--</c> ends options, <c>-n 5</c>/<c>-n5</c>/<c>--lines=5</c> carry values.
/// </summary>
internal sealed class Flags
{
    private readonly HashSet<char> set = [];
    private readonly Dictionary<char, string> values = [];

    public List<string> Operands { get; } = [];

    public bool Has(char flag) => set.Contains(flag);

    public string? Value(char flag) => values.GetValueOrDefault(flag);

    /// <summary>
    /// Parses <paramref name="context"/>'s arguments. <paramref name="letters"/> are the boolean flags, <paramref name="valued"/>
    /// those taking a value, <paramref name="longNames"/> maps <c>--name</c> to a letter. On an unknown option prints
    /// GNU's message and returns null.
    /// </summary>
    public static Flags? Parse(CommandContext context, string letters, string valued = "", IReadOnlyDictionary<string, char>? longNames = null, IReadOnlyList<string>? args = null)
    {
        var flags = new Flags();
        args ??= context.Args;
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (arg == "--")
            {
                flags.Operands.AddRange(args.Skip(i + 1));
                break;
            }
            if (arg.StartsWith("--", StringComparison.Ordinal))
            {
                var name = arg[2..].Split('=', 2);
                if (longNames is null || !longNames.TryGetValue(name[0], out var letter))
                    return Invalid(context, $"unrecognized option '{arg}'");
                if (valued.Contains(letter))
                {
                    if (name.Length == 2)
                        flags.values[letter] = name[1];
                    else if (i + 1 < args.Count)
                        flags.values[letter] = args[++i];
                    else
                        return Invalid(context, $"option '{arg}' requires an argument");
                }
                flags.set.Add(letter);
                continue;
            }
            if (arg.Length < 2 || arg[0] != '-')
            {
                flags.Operands.Add(arg);
                continue;
            }
            for (var j = 1; j < arg.Length; j++)
            {
                var letter = arg[j];
                if (valued.Contains(letter))
                {
                    flags.set.Add(letter);
                    if (j + 1 < arg.Length)
                        flags.values[letter] = arg[(j + 1)..];
                    else if (i + 1 < args.Count)
                        flags.values[letter] = args[++i];
                    else
                        return Invalid(context, $"option requires an argument -- '{letter}'");
                    break;
                }
                if (!letters.Contains(letter))
                    return Invalid(context, $"invalid option -- '{letter}'");
                flags.set.Add(letter);
            }
        }
        return flags;
    }

    private static Flags? Invalid(CommandContext context, string message)
    {
        context.Err.WriteLine($"{context.Name}: {message}");
        context.Err.WriteLine($"Try '{context.Name} --help' for more information.");
        return null;
    }
}
