using System.Net.WebSockets;
using System.Text.Json.Nodes;
using Alpacon.Emulator.Core;
using Alpacon.Emulator.Faults;

namespace Alpacon.Emulator.Websh;

/// <summary>
/// <c>/api/websh/sessions/</c>, <c>/api/websh/user-channels/</c> and the terminal WebSocket
/// <c>/ws/websh/{channel_id}/{token}/</c> (alpacon-api.md §2.7, §3).
/// </summary>
public static class WebshEndpoints
{
    public static RouteGroupBuilder MapWebsh(this RouteGroupBuilder api)
    {
        api.MapPost("/websh/sessions/", CreateSession);
        api.MapGet("/websh/sessions/", ListSessions);
        api.MapGet("/websh/sessions/{id}/", GetSession);
        api.MapMethods("/websh/sessions/{id}/", ["PATCH"], ResizeSession);
        api.MapPost("/websh/sessions/{id}/close/", CloseSession);
        api.MapPost("/websh/sessions/{id}/force-close/", ForceCloseSession);
        api.MapPost("/websh/user-channels/", CreateUserChannel);
        api.MapPost("/websh/sessions/{id}/execute/", Api.NotFoundPage); // b964's invented endpoint: absent on the real server
        return api;
    }

    /// <summary>The terminal socket; outside <c>/api</c>: the secret in the URL is the credential, not a token header.</summary>
    public static IEndpointRouteBuilder MapWebshTerminal(this IEndpointRouteBuilder app)
    {
        app.Map("/ws/websh/{channel}/{token}/", ConnectAsync);
        return app;
    }

    private static async Task CreateSession(HttpContext ctx)
    {
        var world = ctx.RequestServices.GetRequiredService<World>();
        var store = ctx.RequestServices.GetRequiredService<WebshStore>();
        var user = Principals.Of(ctx).User;
        if (user is null)
        {
            await Api.Forbidden(ctx);
            return;
        }
        if (await Api.ReadObject(ctx) is not { } body)
            return;
        Server? server;
        lock (world.Gate)
            server = world.FindServer(Api.String(body, "server"));
        if (server is null)
        {
            await Api.FieldError(ctx, "server", $"Invalid pk \"{Api.String(body, "server")}\" - object does not exist.");
            return;
        }
        if (!server.IsConnected)
        {
            await Api.Json(ctx, new JsonObject { ["non_field_errors"] = new JsonArray($"{server.Name} is not connected.") }, StatusCodes.Status400BadRequest);
            return;
        }
        var rows = Int(body, "rows") ?? 24;
        var cols = Int(body, "cols") ?? 80;
        if (rows is < 1 or > 500 || cols is < 1 or > 1000)
        {
            await Api.FieldError(ctx, rows is < 1 or > 500 ? "rows" : "cols", "Ensure this value is between 1 and 1000.");
            return;
        }
        var username = Api.String(body, "username") is { Length: > 0 } u ? u : user.Username;
        if (username != user.Username && username != "root" && !user.IsStaff && !user.IsSuperuser)
        {
            await Api.FieldError(ctx, "username", $"You may only open sessions as yourself ({user.Username}).");
            return;
        }
        var account = world.Hosts.Get(server).FindAccount(username);
        if (account is null)
        {
            await Api.FieldError(ctx, "username", $"The user {username} does not exist on {server.Name}.");
            return;
        }
        var groupname = Api.String(body, "groupname") is { Length: > 0 } g ? g : account.Group;
        var (session, channel) = store.CreateSession(server, user, username, groupname, rows, cols, ctx.Connection.RemoteIpAddress?.ToString() ?? "127.0.0.1");
        JsonObject result;
        lock (store.Gate)
        {
            result = session.ToJson();
            result["userchannel_id"] = channel.Id;
            result["websocket_url"] = channel.WebSocketUrl(Api.BaseUrl(ctx));
        }
        await Api.Created(ctx, result);
    }

    private static Task ListSessions(HttpContext ctx)
    {
        var store = ctx.RequestServices.GetRequiredService<WebshStore>();
        var principal = Principals.Of(ctx);
        var server = Api.Query(ctx, "server");
        var user = Api.Query(ctx, "user");
        var username = Api.Query(ctx, "username");
        var connectable = Api.BoolQuery(ctx, "is_connectable");
        List<JsonNode> items;
        lock (store.Gate)
        {
            items = [.. store.Sessions
                .Where(s => Visible(principal, s) && (server is null || s.Server.Id == server) && (user is null || s.Owner.Id == user)
                    && (username is null || s.Username == username) && (connectable is not true || s.ClosedAt is null))
                .Select(s => (JsonNode)s.ToJson())];
        }
        return Api.Page(ctx, items);
    }

    private static Task GetSession(HttpContext ctx)
    {
        var store = ctx.RequestServices.GetRequiredService<WebshStore>();
        var session = store.FindSession(Api.RouteId(ctx));
        if (session is null || !Visible(Principals.Of(ctx), session))
            return Api.NotFound(ctx);
        lock (store.Gate)
            return Api.Json(ctx, session.ToJson());
    }

    private static async Task ResizeSession(HttpContext ctx)
    {
        var store = ctx.RequestServices.GetRequiredService<WebshStore>();
        var session = store.FindSession(Api.RouteId(ctx));
        if (session is null || !Visible(Principals.Of(ctx), session))
        {
            await Api.NotFound(ctx);
            return;
        }
        if (await Api.ReadObject(ctx) is not { } body)
            return;
        JsonObject result;
        lock (store.Gate)
        {
            if (session.ClosedAt is null)
            {
                session.Rows = Int(body, "rows") ?? session.Rows;
                session.Cols = Int(body, "cols") ?? session.Cols;
                session.UpdatedAt = store.World.Now;
            }
            result = session.ToJson();
        }
        if (session.ClosedAt is not null)
            await Api.Json(ctx, new JsonObject { ["non_field_errors"] = new JsonArray("The session is already closed.") }, StatusCodes.Status400BadRequest);
        else
            await Api.Json(ctx, result);
    }

    private static Task CloseSession(HttpContext ctx) => Close(ctx, force: false);

    private static Task ForceCloseSession(HttpContext ctx) => Close(ctx, force: true);

    private static async Task Close(HttpContext ctx, bool force)
    {
        var store = ctx.RequestServices.GetRequiredService<WebshStore>();
        var principal = Principals.Of(ctx);
        var session = store.FindSession(Api.RouteId(ctx));
        if (session is null || !Visible(principal, session))
        {
            await Api.NotFound(ctx);
            return;
        }
        if (force ? principal.User is not { IsStaff: true } and not { IsSuperuser: true } : session.Owner != principal.User)
        {
            await Api.Forbidden(ctx);
            return;
        }
        await store.CloseSessionAsync(session.Id);
        await Api.NoContent(ctx);
    }

    private static async Task CreateUserChannel(HttpContext ctx)
    {
        var store = ctx.RequestServices.GetRequiredService<WebshStore>();
        var principal = Principals.Of(ctx);
        if (await Api.ReadObject(ctx) is not { } body)
            return;
        var session = Api.String(body, "session") is { } id ? store.FindSession(id) : null;
        if (session is null || !Visible(principal, session))
        {
            await Api.NotFound(ctx);
            return;
        }
        var readOnly = Api.Bool(body, "read_only") ?? false;
        var staff = principal.User is { IsStaff: true } or { IsSuperuser: true };
        // Owners get writable channels; watching someone else's session (read-only) is for staff.
        if (session.Owner != principal.User && !(readOnly && staff))
        {
            await Api.Forbidden(ctx);
            return;
        }
        if (session.ClosedAt is not null)
        {
            await Api.Json(ctx, new JsonObject { ["non_field_errors"] = new JsonArray("The session is already closed.") }, StatusCodes.Status400BadRequest);
            return;
        }
        var channel = store.CreateChannel(session, Api.Bool(body, "is_master") ?? !readOnly, readOnly);
        await Api.Created(ctx, channel.ToJson(Api.BaseUrl(ctx)));
    }

    private static async Task ConnectAsync(HttpContext ctx)
    {
        var store = ctx.RequestServices.GetRequiredService<WebshStore>();
        var channel = store.FindChannel(Api.RouteId(ctx, "channel"), Api.RouteId(ctx, "token"));
        if (channel is null)
        {
            await Api.NotFound(ctx);
            return;
        }
        if (!ctx.WebSockets.IsWebSocketRequest)
        {
            await Api.Detail(ctx, StatusCodes.Status400BadRequest, "Expected a WebSocket upgrade.");
            return;
        }
        // Recorded before the handshake completes: a client that reads the session once connected must find it.
        var userAgent = ctx.Request.Headers.UserAgent.ToString();
        lock (store.Gate)
        {
            channel.UserAgent = userAgent;
            channel.Session.UserAgent = userAgent;
            channel.Session.UpdatedAt = store.World.Now;
        }
        using var socket = await ctx.WebSockets.AcceptWebSocketAsync();
        var connection = new WebshConnection(socket, ctx, channel, FaultTable.WebSocketDrop(ctx));
        var terminal = channel.Session.Terminal;
        if (!terminal.Attach(connection))
        {
            await connection.CloseAsync(WebshConnection.SessionEnded, "session ended");
            return;
        }
        var buffer = new byte[8192];
        try
        {
            while (true)
            {
                var result = await socket.ReceiveAsync(buffer.AsMemory(), ctx.RequestAborted);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    terminal.Detach(connection);
                    if (socket.State == WebSocketState.CloseReceived)
                        await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "", CancellationToken.None);
                    break;
                }
                if (connection.DropIfDue())
                    break;
                // Keystrokes from a read-only (watch) channel never reach the PTY.
                if (!channel.ReadOnly && result.Count > 0)
                    await terminal.InputAsync(buffer.AsMemory(0, result.Count), ctx.RequestAborted);
                if (connection.StallDue)
                {
                    // A hung peer (fault injection): no more receives, so pings go unanswered; output still goes out.
                    // Waits until the client gives up and the connection is gone, or the session ends.
                    await Task.Delay(Timeout.InfiniteTimeSpan, ctx.RequestAborted);
                }
            }
        }
        catch (Exception e) when (e is WebSocketException or IOException or OperationCanceledException or ObjectDisposedException)
        {
            // The client went away without a close frame; the session stays open for a reconnect.
        }
        finally
        {
            terminal.Detach(connection);
            connection.Finished();
        }
    }

    private static bool Visible(Principal principal, WebshSession session) =>
        principal.User is { IsStaff: true } or { IsSuperuser: true } || session.Owner == principal.User;

    private static int? Int(JsonObject body, string name) =>
        body[name] is JsonValue v && v.TryGetValue<int>(out var n) ? n : null;
}
