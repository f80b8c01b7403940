using System.Text.Json.Nodes;
using Alpacon.Api.Configuration;
using Alpacon.Api.Http;

namespace Alpacon.Api.Websh;

/// <summary>
/// Websh sessions and user channels (<c>/api/websh/</c>, alpacon-api.md §2.7). There is no REST endpoint that runs a
/// command: commands go over a session's WebSocket (<see cref="WebshChannel"/>).
/// </summary>
public sealed class WebshClient(AlpaconHttp http)
{
    /// <summary>Terminal size of new sessions: what the Alpacon CLI and the old MCP used when no terminal is attached.</summary>
    public const int Rows = 24;

    public const int Cols = 80;

    /// <summary>Creates a session (201 with <c>id</c>, <c>userchannel_id</c> and the master channel's <c>websocket_url</c>).</summary>
    public Task<JsonNode?> CreateSessionAsync(WorkspaceTarget ws, string serverId, string? username, CancellationToken cancellationToken = default)
    {
        var body = new JsonObject { ["server"] = serverId, ["rows"] = Rows, ["cols"] = Cols };
        if (!string.IsNullOrEmpty(username))
            body["username"] = username;
        return http.PostAsync(ws, "/api/websh/sessions/", body, cancellationToken);
    }

    /// <summary>Open sessions (<c>is_connectable=true</c>), newest first, optionally of one server; at most <paramref name="limit"/>.</summary>
    public Task<(JsonArray Items, int Total)> ListSessionsAsync(WorkspaceTarget ws, string? serverId, int limit, CancellationToken cancellationToken = default)
    {
        var query = new Query().Add("server", serverId).Add("is_connectable", "true");
        return http.GetListAsync(ws, "/api/websh/sessions/", query, limit, cancellationToken);
    }

    public Task<JsonNode?> GetSessionAsync(WorkspaceTarget ws, string sessionId, CancellationToken cancellationToken = default) =>
        http.GetAsync(ws, $"/api/websh/sessions/{sessionId}/", cancellationToken: cancellationToken);

    /// <summary>A new user channel on the session's PTY (reconnect): 201 with a fresh <c>websocket_url</c>.</summary>
    public Task<JsonNode?> CreateUserChannelAsync(WorkspaceTarget ws, string sessionId, bool isMaster = true, bool readOnly = false, CancellationToken cancellationToken = default) =>
        http.PostAsync(ws, "/api/websh/user-channels/", new JsonObject { ["session"] = sessionId, ["is_master"] = isMaster, ["read_only"] = readOnly }, cancellationToken);

    /// <summary>Closes the session; the server ends its channels with close code 4000.</summary>
    public Task<JsonNode?> CloseSessionAsync(WorkspaceTarget ws, string sessionId, CancellationToken cancellationToken = default) =>
        http.PostAsync(ws, $"/api/websh/sessions/{sessionId}/close/", null, cancellationToken);
}
