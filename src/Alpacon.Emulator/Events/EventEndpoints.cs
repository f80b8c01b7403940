using System.Text.Json.Nodes;
using Alpacon.Emulator.Core;

namespace Alpacon.Emulator.Events;

/// <summary>
/// <c>/api/events/events/</c> (server history), <c>/api/events/sessions/</c> and <c>/api/events/subscriptions/</c>
/// (event streaming), and the event socket at <c>/ws/events/{channel}/{key}/</c>, whose URL is its credential.
/// </summary>
public static class EventEndpoints
{
    /// <summary>Event types a subscription may name.</summary>
    private static readonly HashSet<string> EventTypes = new(StringComparer.Ordinal) { "command_output", "command_fin", "command_status", "sudo", "event" };

    public static RouteGroupBuilder MapEvents(this RouteGroupBuilder api)
    {
        api.MapGet("/events/events/", ListEvents);
        api.MapGet("/events/events/{id}/", GetEvent);
        api.MapPost("/events/sessions/", CreateSession);
        api.MapPost("/events/subscriptions/", Subscribe);
        return api;
    }

    /// <summary>The event socket lives outside <c>/api/</c>: it authenticates by its URL, not by a header.</summary>
    public static IEndpointRouteBuilder MapEventStream(this IEndpointRouteBuilder app)
    {
        app.Map("/ws/events/{channel}/{key}/", ServeSocket);
        return app;
    }

    private static Task ListEvents(HttpContext ctx)
    {
        var log = ctx.RequestServices.GetRequiredService<EventLog>();
        var server = Api.Query(ctx, "server");
        var reporter = Api.Query(ctx, "reporter");
        var search = Api.Query(ctx, "search");
        var events = log.All().Where(e => (server is null || e.Server.Id == server) && (reporter is null || e.Reporter == reporter)
            && Api.Matches(search, e.Record, e.Description, e.Reporter, e.Server.Name));
        if (Api.Query(ctx, "ordering") == "added_at")
            events = events.Reverse();
        return Api.Page(ctx, [.. events.Select(e => (JsonNode)e.ToJson())]);
    }

    private static Task GetEvent(HttpContext ctx)
    {
        var log = ctx.RequestServices.GetRequiredService<EventLog>();
        return log.Find(Api.RouteId(ctx)) is { } e ? Api.Json(ctx, e.ToJson()) : Api.NotFound(ctx);
    }

    private static async Task CreateSession(HttpContext ctx)
    {
        if (Principals.Of(ctx).User is not { } user)
        {
            await Api.Forbidden(ctx);
            return;
        }
        var hub = ctx.RequestServices.GetRequiredService<EventHub>();
        if (!hub.IsAvailable)
        {
            await Api.NotFound(ctx);
            return;
        }
        var (sessionId, channelId, key) = hub.CreateSession(user);
        var scheme = ctx.Request.IsHttps ? "wss" : "ws";
        await Api.Created(ctx, new JsonObject
        {
            ["id"] = sessionId,
            ["websocket_url"] = $"{scheme}://{ctx.Request.Host}/ws/events/{channelId}/{key}/",
            ["channel_id"] = channelId,
        });
    }

    private static async Task Subscribe(HttpContext ctx)
    {
        if (Principals.Of(ctx).User is not { } user)
        {
            await Api.Forbidden(ctx);
            return;
        }
        if (await Api.ReadObject(ctx) is not { } body)
            return;
        var channel = Api.String(body, "channel");
        var type = Api.String(body, "event_type");
        var target = Api.String(body, "target_id");
        if (type is null || !EventTypes.Contains(type))
        {
            await Api.FieldError(ctx, "event_type", $"\"{type}\" is not a valid choice.");
            return;
        }
        if (!Ids.IsUuid(target))
        {
            await Api.FieldError(ctx, "target_id", "Must be a valid UUID.");
            return;
        }
        var hub = ctx.RequestServices.GetRequiredService<EventHub>();
        if (channel is null || !hub.Subscribe(channel, user, type, target!))
        {
            await Api.FieldError(ctx, "channel", "Invalid pk - object does not exist.");
            return;
        }
        await Api.Created(ctx, new JsonObject { ["id"] = Ids.New(), ["channel"] = channel, ["event_type"] = type, ["target_id"] = target });
    }

    private static async Task ServeSocket(HttpContext ctx)
    {
        if (!ctx.WebSockets.IsWebSocketRequest)
        {
            await Api.Detail(ctx, StatusCodes.Status400BadRequest, "Expected a WebSocket upgrade.");
            return;
        }
        var hub = ctx.RequestServices.GetRequiredService<EventHub>();
        if (!await hub.ServeAsync(ctx, Api.RouteId(ctx, "channel"), Api.RouteId(ctx, "key")))
            await Api.NotFound(ctx);
    }
}
