using System.Text;
using System.Text.RegularExpressions;
using Alpacon.Emulator.Core;

namespace Alpacon.Emulator.Webftp;

/// <summary>
/// One rule of a token's file ACL: a path pattern and the WebFTP actions (<c>upload</c>, <c>download</c>, or
/// <c>*</c>) it allows. In the pattern <c>*</c> matches within one path segment and <c>**</c> across segments;
/// <c>/dir/**</c> also matches <c>/dir</c> itself, so a folder can be downloaded.
/// </summary>
public sealed record FileAclRule(string Path, params string[] Actions)
{
    public bool Allows(string action, string normalizedPath) =>
        (Actions.Contains("*") || Actions.Contains(action)) && Pattern(Path).IsMatch(normalizedPath);

    private static Regex Pattern(string glob)
    {
        var text = new StringBuilder("^");
        for (var i = 0; i < glob.Length; i++)
        {
            if (glob.AsSpan(i).StartsWith("/**"))
            {
                text.Append("(/.*)?");
                i += 2;
            }
            else if (glob.AsSpan(i).StartsWith("**"))
            {
                text.Append(".*");
                i++;
            }
            else if (glob[i] == '*')
            {
                text.Append("[^/]*");
            }
            else
            {
                text.Append(Regex.Escape(glob[i].ToString()));
            }
        }
        return new Regex(text.Append('$').ToString(), RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
    }
}

/// <summary>
/// Token file ACLs, deny-by-default as on the real server: a token with rules may transfer only what a rule
/// allows; a token without any (the admin tokens) is not bounded by file rules.
/// </summary>
public static class FileAcl
{
    /// <summary>The seeded operator token (bo): its home and /tmp both ways, and the logs for reading.</summary>
    public static readonly IReadOnlyList<FileAclRule> OperatorRules =
    [
        new("/home/bo/**", "upload", "download"),
        new("/tmp/**", "upload", "download"),
        new("/var/log/**", "download"),
    ];

    /// <summary>The rules that bound <paramref name="grant"/>, or null when it is not bounded by file rules.</summary>
    public static IReadOnlyList<FileAclRule>? For(TokenGrant? grant) =>
        grant?.FileAcl ?? (grant?.Key == Seed.OperatorToken ? OperatorRules : null);

    public static bool Allows(TokenGrant? grant, string action, string normalizedPath) =>
        For(grant) is not { } rules || rules.Any(r => r.Allows(action, normalizedPath));
}
