using System.ComponentModel;
using System.Text.Json.Nodes;
using Alpacon.Api.Events;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace Alpacon.Mcp.Tools;

/// <summary>What happened on servers: agent starts, reboots, package upgrades, logins, alerts, commands.</summary>
[McpServerToolType]
public sealed class EventTools(ToolRunner runner, EventsClient events)
{
    private const int MaxEvents = 500;

    [McpServerTool(Name = "list_events", Title = "List server events", ReadOnly = true, Destructive = false, Idempotent = true, OpenWorld = true)]
    [Description("Recent events of the workspace or of one server, newest first: agent starts, reboots, package upgrades, logins, alerts, commands and their outcomes. Filter by server_id and by reporter (e.g. 'alpamon', 'alpacon', 'apt', 'dnf'). The result says how many matched in total. To find events by text, use search_events. Maps to GET /api/events/events/?ordering=-added_at.")]
    public Task<CallToolResult> ListEvents(
        [Description("Only events of this server (UUID from servers_list).")] string? server_id = null,
        [Description("Only events from this reporter, e.g. 'alpamon' (the agent), 'alpacon' (the platform), 'apt' or 'dnf'.")] string? reporter = null,
        [Description("Maximum number of events to return (1-500).")] int limit = 50,
        [Description(Args.RegionDescription)] string region = "ap1",
        [Description(Args.WorkspaceDescription)] string? workspace = null,
        CancellationToken cancellationToken = default) =>
        runner.RunAsync(region, workspace, null, async (ws, ct) =>
        {
            var server = Args.OptionalUuid(server_id, "server_id");
            var max = Args.Range(limit, "limit", 1, MaxEvents);
            var (items, total) = await events.ListAsync(ws, server, Args.Optional(reporter), null, max, ct).ConfigureAwait(false);
            return Page(items, total);
        }, cancellationToken);

    [McpServerTool(Name = "get_event", Title = "Event details", ReadOnly = true, Destructive = false, Idempotent = true, OpenWorld = true)]
    [Description("One event in full: server, reporter, record, description, count, attached data and timestamps. Maps to GET /api/events/events/{id}/.")]
    public Task<CallToolResult> GetEvent(
        [Description("Event UUID, as returned by list_events or search_events.")] string event_id,
        [Description(Args.RegionDescription)] string region = "ap1",
        [Description(Args.WorkspaceDescription)] string? workspace = null,
        CancellationToken cancellationToken = default) =>
        runner.RunAsync(region, workspace, null, async (ws, ct) =>
            await events.GetAsync(ws, Args.Uuid(event_id, "event_id"), ct).ConfigureAwait(false), cancellationToken);

    [McpServerTool(Name = "search_events", Title = "Search server events", ReadOnly = true, Destructive = false, Idempotent = true, OpenWorld = true)]
    [Description("Events whose record, description, reporter or server name contain the search text (e.g. 'reboot', 'openssl', 'disk', a user name), newest first, optionally of one server. Maps to GET /api/events/events/?search=…&ordering=-added_at.")]
    public Task<CallToolResult> SearchEvents(
        [Description("Text to look for in the event's record, description, reporter or server name.")] string search_query,
        [Description("Only events of this server (UUID from servers_list).")] string? server_id = null,
        [Description("Maximum number of events to return (1-500).")] int limit = 20,
        [Description(Args.RegionDescription)] string region = "ap1",
        [Description(Args.WorkspaceDescription)] string? workspace = null,
        CancellationToken cancellationToken = default) =>
        runner.RunAsync(region, workspace, null, async (ws, ct) =>
        {
            var query = Args.Required(search_query, "search_query", 200).Trim();
            var server = Args.OptionalUuid(server_id, "server_id");
            var max = Args.Range(limit, "limit", 1, MaxEvents);
            var (items, total) = await events.ListAsync(ws, server, null, query, max, ct).ConfigureAwait(false);
            var result = Page(items, total);
            result["search_query"] = query;
            return result;
        }, cancellationToken);

    private static JsonObject Page(JsonArray items, int total)
    {
        var result = new JsonObject
        {
            ["total"] = total,
            ["returned"] = items.Count,
            ["events"] = new JsonArray([.. items.OfType<JsonObject>().Select(Compact)]),
        };
        if (total > items.Count)
            result["note"] = $"{total} events matched; the newest {items.Count} are shown. Narrow with server_id, reporter or search_events, or raise limit.";
        return result;
    }

    /// <summary>An event in a list: the server by name and id, no update time (it equals added_at), data only when present.</summary>
    private static JsonObject Compact(JsonObject e)
    {
        var o = new JsonObject
        {
            ["id"] = e["id"]?.DeepClone(),
            ["server"] = e["server"]?["name"]?.DeepClone(),
            ["server_id"] = e["server"]?["id"]?.DeepClone(),
            ["reporter"] = e["reporter"]?.DeepClone(),
            ["record"] = e["record"]?.DeepClone(),
            ["description"] = e["description"]?.DeepClone(),
            ["added_at"] = e["added_at"]?.DeepClone(),
        };
        if (e["count"] is JsonValue count && count.TryGetValue<int>(out var n) && n > 1)
            o["count"] = n;
        if (e["data"] is JsonObject { Count: > 0 } data)
            o["data"] = data.DeepClone();
        return o;
    }
}
