namespace Alpacon.Api.Webftp;

/// <summary>
/// Paths on a managed server, checked before any request: absolute, no NUL or control characters, no <c>..</c>
/// segment (a transfer must say exactly where it goes; a parent reference could also slip past a token's file ACL),
/// and normalised (duplicate slashes and <c>.</c> segments removed) so the API and the ACL see one spelling.
/// </summary>
public static class RemotePath
{
    public const int MaxLength = 4096;

    /// <summary>The normalised path, or an error that says what is wrong with it.</summary>
    public static bool TryNormalize(string? path, out string normalized, out string error)
    {
        normalized = "";
        if (string.IsNullOrWhiteSpace(path))
        {
            error = "the path is empty";
            return false;
        }
        if (path.Length > MaxLength)
        {
            error = $"the path is {path.Length} characters long; the limit is {MaxLength}";
            return false;
        }
        if (path.Contains('\0', StringComparison.Ordinal))
        {
            error = "the path contains a NUL character";
            return false;
        }
        if (path.Any(char.IsControl))
        {
            error = "the path contains a control character (line break, tab, ...)";
            return false;
        }
        if (!path.StartsWith('/'))
        {
            error = $"'{Shorten(path)}' is not absolute; give the full path from /, e.g. /home/<user>/{Shorten(path.TrimStart('~', '/', '.'))}";
            return false;
        }
        var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries).Where(s => s != ".").ToList();
        if (segments.Contains(".."))
        {
            error = $"'{Shorten(path)}' contains a '..' segment; give the path without parent references";
            return false;
        }
        normalized = "/" + string.Join('/', segments);
        error = "";
        return true;
    }

    /// <summary>The directory part with a trailing slash, as the upload API's <c>path</c> wants it.</summary>
    public static string Directory(string normalized)
    {
        var slash = normalized.LastIndexOf('/');
        return slash <= 0 ? "/" : normalized[..(slash + 1)];
    }

    /// <summary>The last segment; empty for the root.</summary>
    public static string Name(string normalized) => normalized[(normalized.LastIndexOf('/') + 1)..];

    private static string Shorten(string value) => value.Length <= 80 ? value : value[..80] + "…";
}
