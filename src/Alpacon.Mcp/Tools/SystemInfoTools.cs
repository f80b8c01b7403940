using System.ComponentModel;
using System.Globalization;
using System.Text.Json.Nodes;
using Alpacon.Api.Configuration;
using Alpacon.Api.SystemInfo;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace Alpacon.Mcp.Tools;

/// <summary>The inventory the Alpacon agent reports per server: hardware, OS, accounts, packages, network, disks, clock.</summary>
[McpServerToolType]
public sealed class SystemInfoTools(ToolRunner runner, SystemInfoClient system)
{
    /// <summary>More than this many packages per call would flood the model's context; search instead.</summary>
    private const int MaxPackages = 2000;

    [McpServerTool(Name = "get_system_info", Title = "System information", ReadOnly = true, Destructive = false, Idempotent = true, OpenWorld = true)]
    [Description("Hardware and identity of a server as its agent last reported them: CPU type, brand and cores, physical memory, hardware vendor/model/serial, host names. Maps to GET /api/proc/info/.")]
    public Task<CallToolResult> GetSystemInfo(
        [Description(Args.ServerIdDescription)] string server_id,
        [Description(Args.RegionDescription)] string region = "ap1",
        [Description(Args.WorkspaceDescription)] string? workspace = null,
        CancellationToken cancellationToken = default) =>
        runner.RunAsync(region, workspace, server_id, async (ws, ct) =>
            Info(await system.InfoAsync(ws, Args.Uuid(server_id, "server_id"), ct).ConfigureAwait(false)), cancellationToken);

    [McpServerTool(Name = "get_os_version", Title = "OS version", ReadOnly = true, Destructive = false, Idempotent = true, OpenWorld = true)]
    [Description("Operating system of a server: name, version (major/minor/patch, build), platform and the family it is like (e.g. ubuntu, like debian). Maps to GET /api/proc/os/.")]
    public Task<CallToolResult> GetOsVersion(
        [Description(Args.ServerIdDescription)] string server_id,
        [Description(Args.RegionDescription)] string region = "ap1",
        [Description(Args.WorkspaceDescription)] string? workspace = null,
        CancellationToken cancellationToken = default) =>
        runner.RunAsync(region, workspace, server_id, async (ws, ct) =>
            await system.OsAsync(ws, Args.Uuid(server_id, "server_id"), ct).ConfigureAwait(false), cancellationToken);

    [McpServerTool(Name = "list_system_users", Title = "List system users", ReadOnly = true, Destructive = false, Idempotent = true, OpenWorld = true)]
    [Description("Local (Linux) accounts on a server: username, uid/gid, home, shell, and the Alpacon user or group mapped to it. login_enabled_only keeps accounts whose shell allows a login (not nologin, false, sync...). Each account carries login_enabled. These are the host's accounts; iam_users_list lists Alpacon users. Maps to GET /api/proc/users/.")]
    public Task<CallToolResult> ListSystemUsers(
        [Description(Args.ServerIdDescription)] string server_id,
        [Description("Part of a username (or description) to search for.")] string? username_filter = null,
        [Description("Only accounts whose shell allows a login.")] bool login_enabled_only = false,
        [Description(Args.RegionDescription)] string region = "ap1",
        [Description(Args.WorkspaceDescription)] string? workspace = null,
        CancellationToken cancellationToken = default) =>
        runner.RunAsync(region, workspace, server_id, async (ws, ct) =>
        {
            var users = await system.UsersAsync(ws, Args.Uuid(server_id, "server_id"), Args.Optional(username_filter), login_enabled_only, ct).ConfigureAwait(false);
            foreach (var user in users.OfType<JsonObject>())
                user["login_enabled"] = SystemInfoClient.CanLogin(user["shell"]?.ToString());
            return users;
        }, cancellationToken);

    [McpServerTool(Name = "list_system_groups", Title = "List system groups", ReadOnly = true, Destructive = false, Idempotent = true, OpenWorld = true)]
    [Description("Local (Linux) groups on a server: group name, gid and the Alpacon group mapped to it. Maps to GET /api/proc/groups/.")]
    public Task<CallToolResult> ListSystemGroups(
        [Description(Args.ServerIdDescription)] string server_id,
        [Description("Part of a group name to search for.")] string? groupname_filter = null,
        [Description(Args.RegionDescription)] string region = "ap1",
        [Description(Args.WorkspaceDescription)] string? workspace = null,
        CancellationToken cancellationToken = default) =>
        runner.RunAsync(region, workspace, server_id, async (ws, ct) =>
            await system.GroupsAsync(ws, Args.Uuid(server_id, "server_id"), Args.Optional(groupname_filter), ct).ConfigureAwait(false), cancellationToken);

    [McpServerTool(Name = "list_system_packages", Title = "List installed packages", ReadOnly = true, Destructive = false, Idempotent = true, OpenWorld = true)]
    [Description("Installed packages on a server (name, version, architecture, source), up to limit (default 100, at most 2000; pages are walked past 100). The result says how many matched in total, so use package_name to find one package rather than raising the limit. Maps to GET /api/proc/packages/.")]
    public Task<CallToolResult> ListSystemPackages(
        [Description(Args.ServerIdDescription)] string server_id,
        [Description("Part of a package name to search for, e.g. 'openssl'.")] string? package_name = null,
        [Description("Architecture filter, e.g. 'x86_64', 'amd64', 'all' or 'noarch'.")] string? architecture = null,
        [Description("Maximum number of packages to return (1-2000).")] int limit = 100,
        [Description(Args.RegionDescription)] string region = "ap1",
        [Description(Args.WorkspaceDescription)] string? workspace = null,
        CancellationToken cancellationToken = default) =>
        runner.RunAsync(region, workspace, server_id, async (ws, ct) =>
        {
            var id = Args.Uuid(server_id, "server_id");
            var max = Args.Range(limit, "limit", 1, MaxPackages);
            var (items, total) = await system.PackagesAsync(ws, id, Args.Optional(package_name), Args.Optional(architecture), max, ct).ConfigureAwait(false);
            var result = new JsonObject
            {
                ["total"] = total,
                ["returned"] = items.Count,
                ["truncated"] = total > items.Count,
                // The API's row id means nothing to a person; the rest is kept.
                ["packages"] = new JsonArray([.. items.OfType<JsonObject>().Select(Without("id"))]),
            };
            if (total > items.Count)
                result["note"] = $"{total} packages matched; {items.Count} are shown. Narrow with package_name or architecture, or raise limit (up to {MaxPackages}).";
            return result;
        }, cancellationToken);

    [McpServerTool(Name = "get_network_interfaces", Title = "Network interfaces", ReadOnly = true, Destructive = false, Idempotent = true, OpenWorld = true)]
    [Description("Network interfaces of a server: name, MAC, addresses, MTU, link speed (Mbit/s), and whether each is up, running, loopback or point-to-point. Maps to GET /api/proc/interfaces/.")]
    public Task<CallToolResult> GetNetworkInterfaces(
        [Description(Args.ServerIdDescription)] string server_id,
        [Description(Args.RegionDescription)] string region = "ap1",
        [Description(Args.WorkspaceDescription)] string? workspace = null,
        CancellationToken cancellationToken = default) =>
        runner.RunAsync(region, workspace, server_id, async (ws, ct) =>
            await system.InterfacesAsync(ws, Args.Uuid(server_id, "server_id"), ct).ConfigureAwait(false), cancellationToken);

    [McpServerTool(Name = "get_disk_info", Title = "Disks and partitions", ReadOnly = true, Destructive = false, Idempotent = true, OpenWorld = true)]
    [Description("Disks (name, serial, label) and partitions (device, disk, mount points, file system, virtual or not) of a server, together. For usage over time, get_disk_usage. Maps to GET /api/proc/disks/ and GET /api/proc/partitions/, fetched concurrently.")]
    public Task<CallToolResult> GetDiskInfo(
        [Description(Args.ServerIdDescription)] string server_id,
        [Description(Args.RegionDescription)] string region = "ap1",
        [Description(Args.WorkspaceDescription)] string? workspace = null,
        CancellationToken cancellationToken = default) =>
        runner.RunAsync(region, workspace, server_id, async (ws, ct) =>
        {
            var id = Args.Uuid(server_id, "server_id");
            var disks = system.DisksAsync(ws, id, ct);
            var partitions = system.PartitionsAsync(ws, id, ct);
            await Task.WhenAll(disks, partitions).ConfigureAwait(false);
            return new JsonObject { ["disks"] = disks.Result, ["partitions"] = partitions.Result };
        }, cancellationToken);

    [McpServerTool(Name = "get_system_time", Title = "System time and uptime", ReadOnly = true, Destructive = false, Idempotent = true, OpenWorld = true)]
    [Description("A server's clock as its agent last reported it: date and time, time zone, boot time and uptime (seconds, and readable). Maps to GET /api/proc/time/.")]
    public Task<CallToolResult> GetSystemTime(
        [Description(Args.ServerIdDescription)] string server_id,
        [Description(Args.RegionDescription)] string region = "ap1",
        [Description(Args.WorkspaceDescription)] string? workspace = null,
        CancellationToken cancellationToken = default) =>
        runner.RunAsync(region, workspace, server_id, async (ws, ct) =>
            Time(await system.TimeAsync(ws, Args.Uuid(server_id, "server_id"), ct).ConfigureAwait(false)), cancellationToken);

    [McpServerTool(Name = "get_server_overview", Title = "Server overview", ReadOnly = true, Destructive = false, Idempotent = true, OpenWorld = true)]
    [Description("Everything the agent reports about a server in one call: system info, OS version, time and uptime, network interfaces, disks and partitions, fetched concurrently. When one part cannot be read, the others are returned and that part is named under errors with its message and hint. Also readable as the resource alpacon://servers/{region}/{workspace}/{server_id}/overview.")]
    public Task<CallToolResult> GetServerOverview(
        [Description(Args.ServerIdDescription)] string server_id,
        [Description(Args.RegionDescription)] string region = "ap1",
        [Description(Args.WorkspaceDescription)] string? workspace = null,
        CancellationToken cancellationToken = default) =>
        runner.RunAsync(region, workspace, server_id, async (ws, ct) =>
            await OverviewAsync(system, ws, Args.Uuid(server_id, "server_id"), ct).ConfigureAwait(false), cancellationToken);

    /// <summary>The overview, shared by <c>get_server_overview</c> and the overview resource.</summary>
    public static Task<JsonObject> OverviewAsync(SystemInfoClient system, WorkspaceTarget ws, string serverId, CancellationToken ct) =>
        Parts.GatherAsync(ws,
        [
            ("system_info", Node(system.InfoAsync(ws, serverId, ct), Info)),
            ("os", Node(system.OsAsync(ws, serverId, ct), o => o)),
            ("time", Node(system.TimeAsync(ws, serverId, ct), Time)),
            ("network_interfaces", Node(system.InterfacesAsync(ws, serverId, ct), a => a)),
            ("disks", Node(system.DisksAsync(ws, serverId, ct), a => a)),
            ("partitions", Node(system.PartitionsAsync(ws, serverId, ct), a => a)),
        ], ct);

    /// <summary>The info record with its memory in GiB as well as bytes.</summary>
    private static JsonObject Info(JsonObject info)
    {
        if (info["physical_memory"] is JsonValue v && v.TryGetValue<long>(out var bytes))
            info["physical_memory_readable"] = SeriesSummary.Bytes(bytes);
        return info;
    }

    /// <summary>The time record with its uptime in days, hours and minutes as well as seconds.</summary>
    private static JsonObject Time(JsonObject time)
    {
        if (time["uptime"] is JsonValue v && (v.TryGetValue<double>(out var seconds) || double.TryParse(v.ToString(), NumberStyles.Float, CultureInfo.InvariantCulture, out seconds)))
            time["uptime_readable"] = SeriesSummary.Duration(TimeSpan.FromSeconds(seconds));
        return time;
    }

    private static async Task<JsonNode?> Node<T>(Task<T> work, Func<T, JsonNode> shape) => shape(await work.ConfigureAwait(false));

    private static Func<JsonObject, JsonNode> Without(string field) => o =>
    {
        var copy = (JsonObject)o.DeepClone();
        copy.Remove(field);
        return copy;
    };
}
