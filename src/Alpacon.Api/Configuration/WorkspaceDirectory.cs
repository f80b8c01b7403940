namespace Alpacon.Api.Configuration;

/// <summary>
/// Every configured workspace, from the token store with the environment on top
/// (<c>ALPACON_MCP_&lt;REGION&gt;_&lt;WORKSPACE&gt;_TOKEN</c> and <c>_URL</c>; the environment wins).
/// </summary>
public sealed class WorkspaceDirectory(ITokenStore store, IReadOnlyDictionary<string, string> environment)
{
    private const string Prefix = "ALPACON_MCP_";

    public ITokenStore Store => store;

    /// <summary>All workspaces, sorted by region then name.</summary>
    public IReadOnlyList<WorkspaceTarget> All()
    {
        var merged = new Dictionary<(string Region, string Workspace), WorkspaceTarget>();
        var stored = store.Load();
        foreach (var entry in stored)
            merged[(entry.Region, entry.Workspace)] = Target(entry.Region, entry.Workspace, entry.Token, entry.Url, store.SourceOf(entry));
        // A token from the environment still goes to the URL pinned in the file, unless _URL says otherwise.
        foreach (var (region, workspace, token) in EnvironmentTokens())
            merged[(region, workspace)] = Target(region, workspace, token, stored.FirstOrDefault(e => e.Region == region && e.Workspace == workspace)?.Url, TokenSource.Environment);
        return [.. merged.Values.OrderBy(t => t.Region, StringComparer.Ordinal).ThenBy(t => t.Workspace, StringComparer.Ordinal)];
    }

    /// <summary>
    /// The workspace a call addresses. <paramref name="workspace"/> may be omitted when exactly one
    /// workspace is configured in <paramref name="region"/>.
    /// </summary>
    public WorkspaceTarget Resolve(string region, string? workspace)
    {
        if (!Regions.IsValidRegion(region))
            throw new ConfigurationException($"'{region}' is not a region name. Use one of {string.Join(", ", Regions.Known)} (or a configured region).");
        if (workspace is not null && !Regions.IsValidWorkspace(workspace))
            throw new ConfigurationException($"'{workspace}' is not a workspace name: use the lower-case slug from the workspace URL (https://<workspace>.{region}.alpacon.io).");

        var all = All();
        if (string.IsNullOrEmpty(workspace))
        {
            var inRegion = all.Where(t => t.Region == region).ToList();
            return inRegion.Count switch
            {
                1 => inRegion[0],
                0 => throw new WorkspaceNotConfiguredException(region, null, Describe(all)),
                _ => throw new ConfigurationException($"Several workspaces are configured in region '{region}' ({string.Join(", ", inRegion.Select(t => t.Workspace))}); pass 'workspace'."),
            };
        }
        return all.FirstOrDefault(t => t.Region == region && t.Workspace == workspace)
            ?? all.FirstOrDefault(t => t.Region == region && Same(t.Workspace, workspace))
            ?? throw new WorkspaceNotConfiguredException(region, workspace, Describe(all));
    }

    /// <summary>The name of the environment variable that carries a workspace's token (or URL).</summary>
    public static string VariableName(string region, string workspace, string suffix) =>
        $"{Prefix}{region.ToUpperInvariant()}_{workspace.Replace('-', '_').ToUpperInvariant()}_{suffix}";

    private WorkspaceTarget Target(string region, string workspace, string token, string? fileUrl, TokenSource source)
    {
        var pinned = environment.TryGetValue(VariableName(region, workspace, "URL"), out var envUrl) && !string.IsNullOrWhiteSpace(envUrl)
            ? envUrl
            : fileUrl;
        var url = pinned is null ? Regions.DefaultBaseUrl(region, workspace) : Regions.NormalizeUrl(pinned);
        return new WorkspaceTarget(region, workspace, url, token, source, pinned is not null);
    }

    private IEnumerable<(string Region, string Workspace, string Token)> EnvironmentTokens()
    {
        foreach (var (name, value) in environment)
        {
            if (!name.StartsWith(Prefix, StringComparison.Ordinal) || !name.EndsWith("_TOKEN", StringComparison.Ordinal) || string.IsNullOrWhiteSpace(value))
                continue;
            var middle = name[Prefix.Length..^"_TOKEN".Length];
            var split = middle.IndexOf('_', StringComparison.Ordinal);
            if (split <= 0 || split == middle.Length - 1)
                continue;
            var region = middle[..split].ToLowerInvariant();
            // Workspace slugs are DNS labels, so an underscore in the variable name stands for '-'.
            var workspace = middle[(split + 1)..].ToLowerInvariant().Replace('_', '-');
            if (Regions.IsValidRegion(region) && Regions.IsValidWorkspace(workspace))
                yield return (region, workspace, value.Trim());
        }
    }

    private static bool Same(string a, string b) => a.Replace('_', '-') == b.Replace('_', '-');

    private static string Describe(IReadOnlyList<WorkspaceTarget> all) =>
        all.Count == 0 ? "none" : string.Join(", ", all.Select(t => $"{t.Region}/{t.Workspace}"));
}

/// <summary>No token is configured for the requested workspace.</summary>
public sealed class WorkspaceNotConfiguredException(string region, string? workspace, string configured)
    : Exception(workspace is null
        ? $"No workspace is configured in region '{region}' (configured: {configured})."
        : $"No token is configured for workspace '{workspace}' in region '{region}' (configured: {configured}).")
{
    public string Region { get; } = region;

    public string? Workspace { get; } = workspace;
}
