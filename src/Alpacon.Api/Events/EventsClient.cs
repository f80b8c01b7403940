using System.Text.Json.Nodes;
using Alpacon.Api.Configuration;
using Alpacon.Api.Http;

namespace Alpacon.Api.Events;

/// <summary>A server's event history (<c>/api/events/events/</c>) and event streaming sessions and subscriptions.</summary>
public sealed class EventsClient(AlpaconHttp http)
{
    /// <summary>Events newest first, filtered by server, reporter and free text, up to <paramref name="limit"/>; also how many matched.</summary>
    public Task<(JsonArray Items, int Total)> ListAsync(WorkspaceTarget ws, string? serverId, string? reporter, string? search, int limit, CancellationToken cancellationToken = default) =>
        http.GetListAsync(ws, "/api/events/events/",
            new Query().Add("server", serverId).Add("reporter", reporter).Add("search", search).Add("ordering", "-added_at"), limit, cancellationToken);

    public Task<JsonNode?> GetAsync(WorkspaceTarget ws, string eventId, CancellationToken cancellationToken = default) =>
        http.GetAsync(ws, $"/api/events/events/{eventId}/", cancellationToken: cancellationToken);

    /// <summary>
    /// <c>POST /api/events/sessions/ {}</c>: a channel for live events. Its <see cref="EventSession.WebSocketUrl"/> is a
    /// credential: never log or return it.
    /// </summary>
    public async Task<EventSession> CreateSessionAsync(WorkspaceTarget ws, CancellationToken cancellationToken = default)
    {
        var body = await http.PostAsync(ws, "/api/events/sessions/", new JsonObject(), cancellationToken).ConfigureAwait(false);
        var url = body?["websocket_url"]?.GetValue<string>();
        var channel = body?["channel_id"]?.ToString();
        if (url is null || channel is null || !Uri.TryCreate(url, UriKind.Absolute, out var uri))
            throw new AlpaconApiException("POST /api/events/sessions/ answered without a websocket_url and channel_id.");
        return new EventSession(body?["id"]?.ToString() ?? "", channel, uri);
    }

    /// <summary><c>POST /api/events/subscriptions/ {channel, event_type, target_id}</c>.</summary>
    public Task<JsonNode?> SubscribeAsync(WorkspaceTarget ws, string channelId, string eventType, string targetId, CancellationToken cancellationToken = default) =>
        http.PostAsync(ws, "/api/events/subscriptions/", new JsonObject { ["channel"] = channelId, ["event_type"] = eventType, ["target_id"] = targetId }, cancellationToken);
}

/// <summary>An event streaming session: its channel and socket URL (a credential).</summary>
public sealed record EventSession(string Id, string ChannelId, Uri WebSocketUrl)
{
    /// <summary>Never prints the socket URL.</summary>
    public override string ToString() => $"event session {Id} (channel {ChannelId})";
}
