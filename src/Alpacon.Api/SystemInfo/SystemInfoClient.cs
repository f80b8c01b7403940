using System.Net;
using System.Text.Json.Nodes;
using Alpacon.Api.Configuration;
using Alpacon.Api.Http;

namespace Alpacon.Api.SystemInfo;

/// <summary>
/// The inventory the agent syncs per server (<c>/api/proc/*</c>, every list filtered by <c>server</c>).
/// <c>info</c>, <c>os</c> and <c>time</c> hold one record per sync, newest first: the first is the current one.
/// </summary>
public sealed class SystemInfoClient(AlpaconHttp http)
{
    /// <summary>Shells that refuse an interactive login (<c>/usr/sbin/nologin</c>, <c>/bin/false</c>, ...).</summary>
    private static readonly HashSet<string> NoLoginShells = new(StringComparer.Ordinal) { "nologin", "false", "sync", "halt", "shutdown" };

    /// <summary>Hardware, CPU, memory and host names.</summary>
    public Task<JsonObject> InfoAsync(WorkspaceTarget ws, string serverId, CancellationToken cancellationToken = default) =>
        LatestAsync(ws, "info", serverId, cancellationToken);

    public Task<JsonObject> OsAsync(WorkspaceTarget ws, string serverId, CancellationToken cancellationToken = default) =>
        LatestAsync(ws, "os", serverId, cancellationToken);

    /// <summary>Clock, time zone, boot time and uptime (seconds).</summary>
    public Task<JsonObject> TimeAsync(WorkspaceTarget ws, string serverId, CancellationToken cancellationToken = default) =>
        LatestAsync(ws, "time", serverId, cancellationToken);

    /// <summary>
    /// Local accounts. With <paramref name="loginEnabledOnly"/> the API is asked for <c>login_enabled=true</c>, a filter
    /// not every server version knows (unknown filters are silently ignored), so the shells are checked here as well.
    /// </summary>
    public async Task<JsonArray> UsersAsync(WorkspaceTarget ws, string serverId, string? search = null, bool loginEnabledOnly = false, CancellationToken cancellationToken = default)
    {
        var query = new Query().Add("server", serverId).Add("search", search).Add("login_enabled", loginEnabledOnly ? true : null);
        var users = await http.GetAllAsync(ws, "/api/proc/users/", query, cancellationToken: cancellationToken).ConfigureAwait(false);
        return loginEnabledOnly ? [.. users.Where(u => CanLogin(u?["shell"]?.ToString())).Select(u => u?.DeepClone())] : users;
    }

    public Task<JsonArray> GroupsAsync(WorkspaceTarget ws, string serverId, string? search = null, CancellationToken cancellationToken = default) =>
        http.GetAllAsync(ws, "/api/proc/groups/", new Query().Add("server", serverId).Add("search", search), cancellationToken: cancellationToken);

    /// <summary>Installed packages, walking pages of 100 until <paramref name="limit"/>; also the number that matched.</summary>
    public Task<(JsonArray Items, int Total)> PackagesAsync(WorkspaceTarget ws, string serverId, string? search, string? arch, int limit, CancellationToken cancellationToken = default) =>
        http.GetListAsync(ws, "/api/proc/packages/", new Query().Add("server", serverId).Add("search", search).Add("arch", arch), limit, cancellationToken);

    public Task<JsonArray> InterfacesAsync(WorkspaceTarget ws, string serverId, CancellationToken cancellationToken = default) =>
        ListAsync(ws, "interfaces", serverId, cancellationToken);

    public Task<JsonArray> DisksAsync(WorkspaceTarget ws, string serverId, CancellationToken cancellationToken = default) =>
        ListAsync(ws, "disks", serverId, cancellationToken);

    public Task<JsonArray> PartitionsAsync(WorkspaceTarget ws, string serverId, CancellationToken cancellationToken = default) =>
        ListAsync(ws, "partitions", serverId, cancellationToken);

    /// <summary>True unless the shell is empty or one that refuses logins (nologin, false, sync, halt, shutdown).</summary>
    public static bool CanLogin(string? shell) =>
        !string.IsNullOrWhiteSpace(shell) && !NoLoginShells.Contains(shell.Trim().TrimEnd('/').Split('/')[^1]);

    /// <summary>The first up, non-loopback interface's name, in the API's order, or null.</summary>
    public static string? DefaultInterface(JsonArray interfaces) =>
        interfaces.OfType<JsonObject>()
            .FirstOrDefault(i => Flag(i, "is_up") && !Flag(i, "is_loopback") && i["name"]?.ToString() is { Length: > 0 })?["name"]?.ToString();

    /// <summary>The partition mounted at <c>/</c>, or null.</summary>
    public static JsonObject? RootPartition(JsonArray partitions) =>
        partitions.OfType<JsonObject>().FirstOrDefault(p => p["mount_points"] is JsonArray mounts && mounts.Any(m => m?.ToString() == "/"));

    private static bool Flag(JsonObject o, string name) => o[name] is JsonValue v && v.TryGetValue<bool>(out var b) && b;

    private Task<JsonArray> ListAsync(WorkspaceTarget ws, string kind, string serverId, CancellationToken cancellationToken) =>
        http.GetAllAsync(ws, $"/api/proc/{kind}/", new Query().Add("server", serverId), cancellationToken: cancellationToken);

    /// <summary>The newest record of a one-record kind; none means the agent has not reported it yet.</summary>
    private async Task<JsonObject> LatestAsync(WorkspaceTarget ws, string kind, string serverId, CancellationToken cancellationToken)
    {
        var body = await http.GetAsync(ws, $"/api/proc/{kind}/", new Query().Add("server", serverId).Add("page_size", 1), cancellationToken).ConfigureAwait(false);
        return AlpaconHttp.Page(body).Results.FirstOrDefault() is JsonObject record
            ? (JsonObject)record.DeepClone()
            : throw new AlpaconApiException($"Alpacon has no '{kind}' record for server {serverId}: its agent has not reported it yet.", HttpStatusCode.NotFound);
    }
}
