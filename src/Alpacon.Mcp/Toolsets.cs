using System.Text.Json;
using Alpacon.Mcp.Tools;

namespace Alpacon.Mcp;

/// <summary>A named group of tools that can be switched on with <c>--toolsets</c>.</summary>
/// <param name="Name">The name used on the command line.</param>
/// <param name="Description">What the toolset is for.</param>
/// <param name="Register">Registers the toolset's tool type explicitly (NativeAOT needs the generic call).</param>
public sealed record Toolset(string Name, string Description, Action<IMcpServerBuilder, JsonSerializerOptions> Register);

/// <summary>The one catalogue of tools: nothing else registers tool types.</summary>
public static class Toolsets
{
    public static readonly IReadOnlyList<Toolset> All =
    [
        new("auth", "API tokens per region and workspace", (b, o) => b.WithTools<AuthTools>(o)),
        new("servers", "Server inventory and notes", (b, o) => b.WithTools<ServerTools>(o)),
        new("metrics", "CPU, memory, disk and network metrics, top servers and alert rules", (b, o) => b.WithTools<MetricsTools>(o)),
        new("system-info", "Hardware, OS, accounts, packages, interfaces, disks and clock reported by the agent", (b, o) => b.WithTools<SystemInfoTools>(o)),
        new("events", "Server event history: agent starts, reboots, upgrades, logins, alerts", (b, o) => b.WithTools<EventTools>(o)),
        new("commands", "Run shell commands on servers and follow, list or cancel them", (b, o) => b.WithTools<CommandTools>(o)),
        new("websh", "Interactive shell sessions (Websh): create, run commands with exit codes, reconnect, terminate; pooled channels", (b, o) => b.WithTools<WebshTools>(o)),
        new("webftp", "File transfer to and from servers (WebFTP through object storage)", (b, o) => b.WithTools<WebftpTools>(o)),
        new("iam", "Users, groups, roles and permissions", (b, o) => b.WithTools<IamTools>(o)),
        new("workspace", "Configured workspaces, the current user and workspace settings", (b, o) => b.WithTools<WorkspaceTools>(o)),
    ];

    /// <summary>Resolves a comma-separated list; null or empty means every toolset.</summary>
    public static IReadOnlyList<Toolset> Select(string? names)
    {
        if (string.IsNullOrWhiteSpace(names) || names.Trim() == "all")
            return All;
        var wanted = names.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(n => n.ToLowerInvariant()).Distinct().ToList();
        var unknown = wanted.Where(n => All.All(t => t.Name != n)).ToList();
        if (unknown.Count > 0)
            throw new ArgumentException($"Unknown toolset(s): {string.Join(", ", unknown)}. Known: {string.Join(", ", All.Select(t => t.Name))}.");
        return [.. All.Where(t => wanted.Contains(t.Name))];
    }
}
