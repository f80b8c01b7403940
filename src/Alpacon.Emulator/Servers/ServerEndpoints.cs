using System.Text.Json.Nodes;
using Alpacon.Emulator.Core;

namespace Alpacon.Emulator.Servers;

/// <summary><c>/api/servers/servers/</c> and <c>/api/servers/notes/</c>.</summary>
public static class ServerEndpoints
{
    private const int MaxNoteLength = 512;
    private const int MaxPinnedNotes = 3;

    public static RouteGroupBuilder MapServers(this RouteGroupBuilder api)
    {
        api.MapGet("/servers/servers/", ListServers);
        api.MapGet("/servers/servers/{id}/", GetServer);
        api.MapMethods("/servers/servers/{id}/", ["PATCH"], PatchServer);
        api.MapGet("/servers/notes/", ListNotes);
        api.MapPost("/servers/notes/", CreateNote);
        api.MapGet("/servers/notes/{id}/", GetNote);
        api.MapDelete("/servers/notes/{id}/", DeleteNote);
        return api;
    }

    private static Task ListServers(HttpContext ctx)
    {
        var world = ctx.RequestServices.GetRequiredService<World>();
        var name = Api.Query(ctx, "name");
        var search = Api.Query(ctx, "search");
        var descending = Api.Query(ctx, "ordering") is { } o && o.StartsWith('-');
        List<JsonNode> items;
        lock (world.Gate)
        {
            var servers = world.Servers.Where(s => (name is null || s.Name == name) && Api.Matches(search, s.Name, s.RemoteIp, s.OsName));
            servers = descending ? servers.OrderByDescending(s => s.Name, StringComparer.Ordinal) : servers.OrderBy(s => s.Name, StringComparer.Ordinal);
            items = [.. servers.Select(s => (JsonNode)s.ToJson())];
        }
        return Api.Page(ctx, items);
    }

    private static Task GetServer(HttpContext ctx)
    {
        var world = ctx.RequestServices.GetRequiredService<World>();
        lock (world.Gate)
            return world.FindServer(Api.RouteId(ctx)) is { } server ? Api.Json(ctx, server.ToJson()) : Api.NotFound(ctx);
    }

    private static async Task PatchServer(HttpContext ctx)
    {
        var world = ctx.RequestServices.GetRequiredService<World>();
        if (await Api.ReadObject(ctx) is not { } body)
            return;
        JsonObject? result = null;
        lock (world.Gate)
        {
            if (world.FindServer(Api.RouteId(ctx)) is { } server)
            {
                if (Api.String(body, "name") is { Length: > 0 } name)
                    server.Name = name;
                if (Api.String(body, "description") is { } description)
                    server.Description = description;
                result = server.ToJson();
            }
        }
        await (result is null ? Api.NotFound(ctx) : Api.Json(ctx, result));
    }

    private static Task ListNotes(HttpContext ctx)
    {
        var world = ctx.RequestServices.GetRequiredService<World>();
        var principal = Principals.Of(ctx);
        var serverId = Api.Query(ctx, "server");
        var pinned = Api.BoolQuery(ctx, "pinned");
        List<JsonNode> items;
        lock (world.Gate)
        {
            items = [.. world.Notes
                .Where(n => (serverId is null || n.Server.Id == serverId) && (pinned is null || n.Pinned == pinned)
                    && (!n.Private || n.Author == principal.User))
                .OrderByDescending(n => n.Pinned).ThenByDescending(n => n.UpdatedAt)
                .Select(n => (JsonNode)n.ToJson())];
        }
        return Api.Page(ctx, items);
    }

    private static async Task CreateNote(HttpContext ctx)
    {
        var world = ctx.RequestServices.GetRequiredService<World>();
        var principal = Principals.Of(ctx);
        if (await Api.ReadObject(ctx) is not { } body)
            return;
        var serverId = Api.String(body, "server");
        var content = Api.String(body, "content");
        if (string.IsNullOrWhiteSpace(content))
        {
            await Api.FieldError(ctx, "content", "This field may not be blank.");
            return;
        }
        if (content.Length > MaxNoteLength)
        {
            await Api.FieldError(ctx, "content", $"Ensure this field has no more than {MaxNoteLength} characters.");
            return;
        }
        (int Status, JsonNode Body) outcome;
        lock (world.Gate)
        {
            var pinned = Api.Bool(body, "pinned") ?? false;
            if (world.FindServer(serverId) is not { } server)
            {
                outcome = (400, new JsonObject { ["server"] = new JsonArray($"Invalid pk \"{serverId}\" - object does not exist.") });
            }
            else if (pinned && world.Notes.Count(n => n.Server == server && n.Pinned) >= MaxPinnedNotes)
            {
                outcome = (400, new JsonObject { ["non_field_errors"] = new JsonArray($"There can be at most {MaxPinnedNotes} pinned notes per server.") });
            }
            else
            {
                var note = new Note
                {
                    Id = Ids.New(),
                    Server = server,
                    Author = principal.User!,
                    Content = content,
                    Private = Api.Bool(body, "private") ?? false,
                    Pinned = pinned,
                    AddedAt = world.Now,
                    UpdatedAt = world.Now,
                };
                world.Notes.Add(note);
                outcome = (201, note.ToJson());
            }
        }
        await Api.Json(ctx, outcome.Body, outcome.Status);
    }

    private static Task GetNote(HttpContext ctx)
    {
        var world = ctx.RequestServices.GetRequiredService<World>();
        lock (world.Gate)
            return world.Notes.Find(n => n.Id == Api.RouteId(ctx)) is { } note ? Api.Json(ctx, note.ToJson()) : Api.NotFound(ctx);
    }

    private static Task DeleteNote(HttpContext ctx)
    {
        var world = ctx.RequestServices.GetRequiredService<World>();
        lock (world.Gate)
            return world.Notes.RemoveAll(n => n.Id == Api.RouteId(ctx)) > 0 ? Api.NoContent(ctx) : Api.NotFound(ctx);
    }
}
