using System.Text.RegularExpressions;

namespace Alpacon.Api.Configuration;

/// <summary>Region and workspace names, and the base URL derived from them.</summary>
public static partial class Regions
{
    /// <summary>Regions of the SaaS service. Other names work only with a pinned URL.</summary>
    public static readonly IReadOnlyList<string> Known = ["ap1", "us1", "eu1", "dev"];

    public const string Default = "ap1";

    [GeneratedRegex("^[a-z][a-z0-9]{1,15}$")]
    private static partial Regex RegionPattern();

    // Workspace slugs become DNS labels: lower-case letters, digits and '-' (underscores are accepted
    // because environment variable names turn '-' into '_').
    [GeneratedRegex("^[a-z0-9]([a-z0-9_-]{0,61}[a-z0-9])?$")]
    private static partial Regex WorkspacePattern();

    public static bool IsValidRegion(string? region) => region is not null && RegionPattern().IsMatch(region);

    public static bool IsValidWorkspace(string? workspace) => workspace is not null && WorkspacePattern().IsMatch(workspace);

    /// <summary>The SaaS base URL: <c>https://{workspace}.{region}.alpacon.io</c>.</summary>
    public static Uri DefaultBaseUrl(string region, string workspace) => new($"https://{workspace}.{region}.alpacon.io");

    /// <summary>Normalises a pinned URL: adds <c>https://</c> when no scheme is given and drops the trailing slash.</summary>
    public static Uri NormalizeUrl(string url)
    {
        var text = url.Trim();
        if (!text.Contains("://", StringComparison.Ordinal))
            text = "https://" + text;
        if (!Uri.TryCreate(text.TrimEnd('/'), UriKind.Absolute, out var uri) || (uri.Scheme != "https" && uri.Scheme != "http"))
            throw new ConfigurationException($"'{Excerpt(url)}' is not a valid http(s) URL.");
        return uri;
    }

    /// <summary>A value quoted in a message: bounded, with control characters escaped (it may come from a model or a terminal).</summary>
    private static string Excerpt(string value)
    {
        var head = value.Length <= 60 ? value : value[..60] + "…";
        return string.Concat(head.Select(c => char.IsControl(c) || c is (>= '\u202a' and <= '\u202e') or (>= '\u2066' and <= '\u2069')
            ? $"\\u{(int)c:x4}" : c.ToString()));
    }
}
