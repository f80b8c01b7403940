using System.Text;
using System.Text.RegularExpressions;

namespace Alpacon.Emulator.Shell.Commands;

/// <summary>
/// POSIX regular expressions (grep, sed, awk) on .NET's engine: basic syntax translated, bracket classes like
/// <c>[[:digit:]]</c> expanded, and a match timeout so no pattern can hang the emulator.
/// </summary>
internal static class PosixRegex
{
    private static readonly (string Class, string Body)[] Classes =
    [
        ("[:digit:]", "0-9"), ("[:alpha:]", "A-Za-z"), ("[:alnum:]", "A-Za-z0-9"), ("[:upper:]", "A-Z"), ("[:lower:]", "a-z"),
        ("[:space:]", @"\s"), ("[:blank:]", @" \t"), ("[:xdigit:]", "0-9A-Fa-f"), ("[:punct:]", @"!-/:-@\[-`{-~"),
    ];

    /// <summary>An extended (ERE) pattern as a .NET regex.</summary>
    /// <exception cref="ArgumentException">The pattern is invalid.</exception>
    public static Regex Create(string pattern, bool ignoreCase = false)
    {
        foreach (var (name, body) in Classes)
            pattern = pattern.Replace(name, body, StringComparison.Ordinal);
        var options = RegexOptions.CultureInvariant | (ignoreCase ? RegexOptions.IgnoreCase : RegexOptions.None);
        return new Regex(pattern, options, TimeSpan.FromSeconds(2));
    }

    /// <summary>POSIX basic syntax swaps the meaning of escaped and bare <c>( ) { } | + ?</c>.</summary>
    public static string FromBasic(string pattern)
    {
        var result = new StringBuilder();
        for (var i = 0; i < pattern.Length; i++)
        {
            var ch = pattern[i];
            if (ch == '\\' && i + 1 < pattern.Length)
            {
                var next = pattern[++i];
                result.Append(next is '(' or ')' or '{' or '}' or '|' or '+' or '?' ? next.ToString() : "\\" + next);
            }
            else
            {
                result.Append(ch is '(' or ')' or '{' or '}' or '|' or '+' or '?' ? "\\" + ch : ch.ToString());
            }
        }
        return result.ToString();
    }
}
