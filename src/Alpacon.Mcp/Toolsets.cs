using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using Alpacon.Mcp.Hosting;
using Alpacon.Mcp.Tools;

namespace Alpacon.Mcp;

/// <summary>A named group of tools that can be switched on with <c>--toolsets</c>.</summary>
/// <param name="Name">The name used on the command line.</param>
/// <param name="Description">What the toolset is for.</param>
/// <param name="Register">Registers the toolset's tools under its name (see <see cref="Toolset.Of{T}"/>).</param>
public sealed record Toolset(string Name, string Description, Action<IServiceCollection, string, JsonSerializerOptions> Register)
{
    /// <summary>The toolset of the tool type <typeparamref name="T"/>, registered explicitly: NativeAOT needs the generic call.</summary>
    public static Toolset Of<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicMethods | DynamicallyAccessedMemberTypes.PublicConstructors)] T>(string name, string description)
        where T : class => new(name, description, CatalogTool.Register<T>);
}

/// <summary>The one catalogue of tools: nothing else registers tool types.</summary>
public static class Toolsets
{
    public static readonly IReadOnlyList<Toolset> All =
    [
        Toolset.Of<AuthTools>("auth", "API tokens per region and workspace"),
        Toolset.Of<ServerTools>("servers", "Server inventory and notes"),
        Toolset.Of<MetricsTools>("metrics", "CPU, memory, disk and network metrics, top servers and alert rules"),
        Toolset.Of<SystemInfoTools>("system-info", "Hardware, OS, accounts, packages, interfaces, disks and clock reported by the agent"),
        Toolset.Of<EventTools>("events", "Server event history: agent starts, reboots, upgrades, logins, alerts"),
        Toolset.Of<CommandTools>("commands", "Run shell commands on servers and follow, list or cancel them"),
        Toolset.Of<WebshTools>("websh", "Interactive shell sessions (Websh): create, run commands with exit codes, reconnect, terminate; pooled channels"),
        Toolset.Of<WebftpTools>("webftp", "File transfer to and from servers (WebFTP through object storage)"),
        Toolset.Of<IamTools>("iam", "Users, groups, roles and permissions"),
        Toolset.Of<WorkspaceTools>("workspace", "Configured workspaces, the current user and workspace settings"),
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
