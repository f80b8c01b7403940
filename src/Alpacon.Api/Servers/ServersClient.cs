using System.Text.Json;
using System.Text.Json.Nodes;
using Alpacon.Api.Configuration;
using Alpacon.Api.Http;

namespace Alpacon.Api.Servers;

/// <summary>Servers and their notes (<c>/api/servers/servers/</c>, <c>/api/servers/notes/</c>).</summary>
public sealed class ServersClient(AlpaconHttp http)
{
    /// <summary>
    /// Every server of the workspace, walking all pages (the API gives 15 per page by default), each kept as
    /// <paramref name="select"/> makes it while the pages are read (no full JsonNode per server).
    /// </summary>
    public Task<JsonArray> ListAsync(WorkspaceTarget ws, Func<JsonElement, JsonNode?> select, CancellationToken cancellationToken = default) =>
        http.GetAllAsync(ws, "/api/servers/servers/", select, new Query().Add("ordering", "name"), cancellationToken: cancellationToken);

    /// <summary>One server by id, from its detail route (a <c>?id=</c> filter is silently ignored by the API).</summary>
    public Task<JsonNode?> GetAsync(WorkspaceTarget ws, string serverId, CancellationToken cancellationToken = default) =>
        http.GetAsync(ws, $"/api/servers/servers/{serverId}/", cancellationToken: cancellationToken);

    /// <summary>The notes of one server, all pages.</summary>
    public Task<JsonArray> ListNotesAsync(WorkspaceTarget ws, string serverId, CancellationToken cancellationToken = default) =>
        http.GetAllAsync(ws, "/api/servers/notes/", new Query().Add("server", serverId), cancellationToken: cancellationToken);

    /// <summary>Creates a note. The API has no title, so a title is folded into the content as a bold first line.</summary>
    public Task<JsonNode?> CreateNoteAsync(WorkspaceTarget ws, string serverId, string? title, string content, bool isPrivate = false, bool pinned = false, CancellationToken cancellationToken = default) =>
        http.PostAsync(ws, "/api/servers/notes/", new JsonObject
        {
            ["server"] = serverId,
            ["content"] = NoteContent(title, content),
            ["private"] = isPrivate,
            ["pinned"] = pinned,
        }, cancellationToken);

    public static string NoteContent(string? title, string content) =>
        string.IsNullOrWhiteSpace(title) ? content : $"**{title.Trim()}**\n\n{content}";
}
