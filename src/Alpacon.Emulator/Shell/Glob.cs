using System.Text;
using System.Text.RegularExpressions;

namespace Alpacon.Emulator.Shell;

/// <summary>
/// Pathname expansion (<c>*</c>, <c>?</c>, <c>[…]</c>) over the virtual filesystem. Patterns carry quoted
/// characters escaped with a backslash, so <c>"*".txt</c> matches only a file named <c>*.txt</c>.
/// </summary>
internal static class Glob
{
    public static bool IsMeta(char c) => c is '*' or '?' or '[';

    public static string Escape(char c) => IsMeta(c) || c == '\\' ? "\\" + c : c.ToString();

    /// <summary>The paths matching <paramref name="pattern"/>, sorted, written as the pattern was (relative stays relative).</summary>
    public static List<string> Expand(string pattern, ShellSession session)
    {
        var fs = session.Host.FileSystem;
        var candidates = new List<string> { pattern.StartsWith('/') ? "/" : "" };
        foreach (var segment in pattern.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            var next = new List<string>();
            var regex = HasMeta(segment) ? ToRegex(segment) : null;
            foreach (var prefix in candidates)
            {
                if (regex is null)
                {
                    next.Add(Join(prefix, Unescape(segment)));
                    continue;
                }
                IReadOnlyList<VfsEntry> entries;
                try
                {
                    entries = fs.List(VfsPath.Normalize(prefix.Length == 0 ? "." : prefix, session.WorkingDirectory), session.User);
                }
                catch (VfsException)
                {
                    continue;
                }
                next.AddRange(entries.Where(e => (!e.IsHidden || segment.StartsWith('.')) && regex.IsMatch(e.Name)).Select(e => Join(prefix, e.Name)));
            }
            candidates = next;
        }
        return [.. candidates.Where(c => c.Length > 0 && fs.Exists(VfsPath.Normalize(c, session.WorkingDirectory), session.User)).Order(StringComparer.Ordinal)];
    }

    /// <summary>Whether a file name matches a pattern, as <c>find -name</c> does.</summary>
    public static bool IsMatch(string pattern, string name) => ToRegex(pattern).IsMatch(name);

    private static bool HasMeta(string segment)
    {
        for (var i = 0; i < segment.Length; i++)
        {
            if (segment[i] == '\\')
                i++;
            else if (IsMeta(segment[i]))
                return true;
        }
        return false;
    }

    private static string Unescape(string segment) => Regex.Replace(segment, @"\\(.)", "$1");

    private static string Join(string prefix, string name) => prefix.Length == 0 ? name : VfsPath.Combine(prefix, name);

    private static Regex ToRegex(string pattern)
    {
        var regex = new StringBuilder("^");
        for (var i = 0; i < pattern.Length; i++)
        {
            var c = pattern[i];
            switch (c)
            {
                case '\\' when i + 1 < pattern.Length:
                    regex.Append(Regex.Escape(pattern[++i].ToString()));
                    break;
                case '*':
                    regex.Append(".*");
                    break;
                case '?':
                    regex.Append('.');
                    break;
                case '[' when i + 2 < pattern.Length && pattern.IndexOf(']', i + 2) is var close and > 0:
                    var body = pattern[(i + 1)..close];
                    var negate = body.StartsWith('!') || body.StartsWith('^');
                    regex.Append('[').Append(negate ? "^" : "").Append(Regex.Escape(negate ? body[1..] : body).Replace("\\-", "-", StringComparison.Ordinal)).Append(']');
                    i = close;
                    break;
                default:
                    regex.Append(Regex.Escape(c.ToString()));
                    break;
            }
        }
        return new Regex(regex.Append('$').ToString(), RegexOptions.CultureInvariant | RegexOptions.Singleline, TimeSpan.FromSeconds(1));
    }
}
