using System.Text.RegularExpressions;

namespace Alpacon.Mcp.Tools;

/// <summary>
/// Finds a secret written into a command line (<c>mysql -pSECRET</c>, <c>PGPASSWORD=…</c>, <c>user:pw@host</c>), which
/// the API refuses with <c>command_inline_credential</c> and which would otherwise sit in the command history and
/// audit log. Checked before submission so the secret never leaves this process. A value taken from a variable
/// (<c>$PW</c>) is not a secret in the line; flags that merely look alike (<c>ls -la</c>, <c>grep -p</c>,
/// <c>ssh user@host</c>) are left alone.
/// </summary>
public static partial class InlineCredentials
{
    /// <summary>Clients whose <c>-p</c> takes the password attached to the flag.</summary>
    private static readonly HashSet<string> AttachedPasswordClients = new(StringComparer.Ordinal)
    {
        "mysql", "mysqldump", "mysqladmin", "mysqlimport", "mysqlcheck", "mysqlshow", "mysqlpump", "mariadb", "mariadb-dump", "mariadb-admin",
    };

    /// <summary>Every client with a password flag checked below.</summary>
    private static readonly HashSet<string> PasswordClients = new([.. AttachedPasswordClients, "sshpass", "curl"], StringComparer.Ordinal);

    [GeneratedRegex(@"^(?<name>[A-Za-z_][A-Za-z0-9_]*)=(?<value>.+)$", RegexOptions.CultureInvariant)]
    private static partial Regex Assignment();

    [GeneratedRegex(@"(PASSWORD|PASSWD|PWD$|SECRET|TOKEN|API_?KEY|ACCESS_?KEY|PRIVATE_?KEY|CREDENTIAL)", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex SecretName();

    [GeneratedRegex(@"^--(?:[a-z-]*-)?(?:password|passwd|token|secret)=(?<value>.+)$", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex PasswordOption();

    // user:password@host, with or without scheme://; the password part has no '@', '/' or whitespace.
    [GeneratedRegex(@"(?:^|[/=\s'""])(?<user>[A-Za-z0-9._%+-]+):(?<value>[^@/\s:'""]+)@(?<host>[A-Za-z0-9.-]+)", RegexOptions.CultureInvariant)]
    private static partial Regex UserInfo();

    /// <summary>What looks like an inline credential (naming the kind, never the value), or null when the line is clean.</summary>
    public static string? Find(string line)
    {
        foreach (var segment in Segments(line))
        {
            var words = segment.Split([' ', '\t', '\n'], StringSplitOptions.RemoveEmptyEntries);
            // The client is found wherever it stands rather than as the segment's first word: wrappers take arguments of
            // their own (sudo -u app, timeout 30, nice -n 10, bash -c '…'), and telling those from the program would mean
            // knowing every wrapper's options. A password-taking client's flags count from its name on.
            string? program = null;
            for (var i = 0; i < words.Length; i++)
            {
                var word = words[i];
                if (ProgramName(word) is { } name && PasswordClients.Contains(name))
                {
                    program = name;
                    continue;
                }
                if (Assignment().Match(word) is { Success: true } assignment && SecretName().IsMatch(assignment.Groups["name"].Value) && IsLiteral(assignment.Groups["value"].Value))
                    return $"the variable {assignment.Groups["name"].Value} is given a literal value";
                if (PasswordOption().Match(word) is { Success: true } option && IsLiteral(option.Groups["value"].Value))
                    return $"the option {word[..(word.IndexOf('=', StringComparison.Ordinal) + 1)]} carries a literal value";
                if (program is not null && AttachedPasswordClients.Contains(program) && word.Length > 2 && word.StartsWith("-p", StringComparison.Ordinal) && IsLiteral(word[2..]))
                    return $"{program} -p carries the password attached to the flag";
                if (program is "sshpass" && word == "-p" && i + 1 < words.Length && IsLiteral(words[i + 1]))
                    return "sshpass -p carries the password";
                if (program is "curl" && word is "-u" or "--user" && i + 1 < words.Length && words[i + 1].Split(':', 2) is [_, var pw] && IsLiteral(pw))
                    return "curl -u carries user:password";
            }
        }
        foreach (Match m in UserInfo().Matches(line))
        {
            var host = m.Groups["host"].Value;
            // image:tag@sha256:… is a digest, not a password
            if (!host.StartsWith("sha", StringComparison.OrdinalIgnoreCase) && IsLiteral(m.Groups["value"].Value) && !m.Groups["value"].Value.All(char.IsAsciiDigit))
                return "a user:password@host address";
        }
        return null;
    }

    /// <summary>A word's program name: without quotes (<c>bash -c 'mysql …'</c>) and without its directory.</summary>
    private static string? ProgramName(string word) => word.Trim('\'', '"').Split('/')[^1] is { Length: > 0 } name ? name : null;

    /// <summary>A literal value, not a reference to a variable or a command substitution.</summary>
    private static bool IsLiteral(string value)
    {
        var v = value.Trim('\'', '"');
        return v.Length > 0 && !v.StartsWith('$') && !v.StartsWith('`');
    }

    private static IEnumerable<string> Segments(string line) =>
        line.Split([';', '|', '&', '\n', '(', ')'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
