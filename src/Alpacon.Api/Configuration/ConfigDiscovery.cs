namespace Alpacon.Api.Configuration;

/// <summary>One place the token file may be, in discovery order.</summary>
public sealed record ConfigCandidate(string Path, string Origin, bool Exists);

/// <summary>
/// Finds the token file the way the Python server does: the <c>--config-file</c>/<c>--token-file</c> flag,
/// then <c>ALPACON_MCP_CONFIG_FILE</c>, then <c>~/.alpacon-mcp/token.json</c>, then <c>./config/token.json</c>.
/// </summary>
public sealed class ConfigDiscovery
{
    public const string ConfigFileVariable = "ALPACON_MCP_CONFIG_FILE";

    public ConfigDiscovery(string? explicitPath, IReadOnlyDictionary<string, string> environment, string? homeDirectory = null, string? workingDirectory = null, bool preferLocal = false)
    {
        var home = homeDirectory ?? Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        var cwd = workingDirectory ?? Directory.GetCurrentDirectory();
        var list = new List<ConfigCandidate>();
        if (!string.IsNullOrWhiteSpace(explicitPath))
            list.Add(Candidate(explicitPath, "--config-file"));
        if (environment.TryGetValue(ConfigFileVariable, out var fromEnv) && !string.IsNullOrWhiteSpace(fromEnv))
            list.Add(Candidate(fromEnv, ConfigFileVariable));
        var homeFile = Candidate(System.IO.Path.Combine(home, ".alpacon-mcp", "token.json"), "home");
        var localFile = Candidate(System.IO.Path.Combine(cwd, "config", "token.json"), "local");
        list.Add(homeFile);
        list.Add(localFile);
        Candidates = list;

        // An explicit choice wins even when its file does not exist yet (it is where setup writes).
        // Otherwise the first default that exists, else the home file (or ./config with --local).
        InUse = list[0].Origin is "--config-file" or ConfigFileVariable
            ? list[0]
            : preferLocal ? localFile : list.FirstOrDefault(c => c.Exists) ?? homeFile;
    }

    public IReadOnlyList<ConfigCandidate> Candidates { get; }

    public ConfigCandidate InUse { get; }

    private static ConfigCandidate Candidate(string path, string origin)
    {
        var full = System.IO.Path.GetFullPath(ExpandHome(path));
        return new ConfigCandidate(full, origin, File.Exists(full));
    }

    private static string ExpandHome(string path) =>
        path.StartsWith("~/", StringComparison.Ordinal)
            ? System.IO.Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), path[2..])
            : path;
}
