using System.Text.RegularExpressions;

namespace Alpacon.Emulator.Commands;

/// <summary>The server's checks on a command line before it is queued: the token's command ACL and inline secrets.</summary>
public static partial class CommandRules
{
    // Characters that chain or substitute commands: a pattern's '*' never stretches over them, so "cat *" does not allow "cat x; rm y".
    private const string Chaining = ";&|`$()<>\n";

    [GeneratedRegex(@"(^|\s)(PGPASSWORD|MYSQL_PWD|[A-Z_]*PASSWORD|[A-Z_]*SECRET[A-Z_]*)=[^\s$]", RegexOptions.CultureInvariant)]
    private static partial Regex SecretAssignment();

    [GeneratedRegex(@"(^|[;&|]\s*|\s)(mysql|mysqldump|mysqladmin|mariadb)\b[^;&|]*\s-p[^\s$]", RegexOptions.CultureInvariant)]
    private static partial Regex MysqlPassword();

    [GeneratedRegex(@"://[^\s/:@]+:[^\s/@$]+@", RegexOptions.CultureInvariant)]
    private static partial Regex UrlPassword();

    /// <summary>True when <paramref name="acl"/> is null (no ACL) or one of its glob patterns matches the whole line.</summary>
    public static bool Allowed(IReadOnlyList<string>? acl, string line) =>
        acl is null || acl.Any(pattern => Matches(pattern, line.Trim()));

    /// <summary>A secret written into the line itself (the API's 400 <c>command_inline_credential</c>).</summary>
    public static bool HasInlineCredential(string line) =>
        SecretAssignment().IsMatch(line) || MysqlPassword().IsMatch(line) || UrlPassword().IsMatch(line);

    private static bool Matches(string pattern, string line)
    {
        var regex = "^" + string.Concat(pattern.Select(ch => ch == '*' ? $"[^{Regex.Escape(Chaining)}]*" : Regex.Escape(ch.ToString()))) + "$";
        return Regex.IsMatch(line, regex, RegexOptions.CultureInvariant);
    }
}
