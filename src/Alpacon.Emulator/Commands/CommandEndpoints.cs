using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Alpacon.Emulator.Core;

namespace Alpacon.Emulator.Commands;

/// <summary>
/// <c>/api/events/commands/</c>: create (one server per request, answered with an array), list, detail, output
/// chunks, cancel (DELETE, only before delivery), and the agent-only <c>ack/</c>, <c>chunk/</c>, <c>fin/</c> and
/// <c>reject/</c>, which answer 403 to user tokens. Test hooks at <c>/_emulator/commands/{id}/approve|deny</c>
/// play the human who decides on a command awaiting approval.
/// </summary>
public static class CommandEndpoints
{
    private static readonly HashSet<string> Shells = new(StringComparer.Ordinal) { "system", "internal", "osquery" };

    public static RouteGroupBuilder MapCommands(this RouteGroupBuilder api)
    {
        api.MapPost("/events/commands/", Create);
        api.MapGet("/events/commands/", List);
        api.MapGet("/events/commands/{id}/", Get);
        api.MapDelete("/events/commands/{id}/", Cancel);
        api.MapGet("/events/commands/{id}/chunks/", Chunks);
        api.MapPost("/events/commands/{id}/ack/", Ack);
        api.MapPost("/events/commands/{id}/chunk/", Chunk);
        api.MapPost("/events/commands/{id}/fin/", Fin);
        api.MapPost("/events/commands/{id}/reject/", Reject);
        return api;
    }

    /// <summary>The approval hooks live outside <c>/api/</c>: they stand for a person in the web console, not an API call.</summary>
    public static IEndpointRouteBuilder MapCommandHooks(this IEndpointRouteBuilder app)
    {
        app.MapPost("/_emulator/commands/{id}/approve", Approve);
        app.MapPost("/_emulator/commands/{id}/deny", Deny);
        return app;
    }

    private static CommandStore Store(HttpContext ctx) => ctx.RequestServices.GetRequiredService<CommandStore>();

    private static async Task Create(HttpContext ctx)
    {
        var principal = Principals.Of(ctx);
        if (principal.User is not { } user)
        {
            await Api.Forbidden(ctx);
            return;
        }
        var store = Store(ctx);
        if (store.TakeFailure() is { } status)
        {
            await Api.Detail(ctx, status, "Service temporarily unavailable, try again later.");
            return;
        }
        if (await Api.ReadObject(ctx) is not { } body)
            return;
        var world = ctx.RequestServices.GetRequiredService<World>();
        Server? server;
        lock (world.Gate)
            server = world.FindServer(Api.String(body, "server"));
        if (server is null)
        {
            await Api.FieldError(ctx, "server", Api.String(body, "server") is { } id ? $"Invalid pk \"{id}\" - object does not exist." : "This field is required.");
            return;
        }
        var shell = Api.String(body, "shell") ?? "system";
        if (!Shells.Contains(shell))
        {
            await Api.FieldError(ctx, "shell", $"\"{shell}\" is not a valid choice.");
            return;
        }
        if (Api.String(body, "line") is not { Length: > 0 } line || string.IsNullOrWhiteSpace(line))
        {
            await Api.FieldError(ctx, "line", "This field may not be blank.");
            return;
        }
        if (CommandRules.HasInlineCredential(line))
        {
            await Api.Coded(ctx, StatusCodes.Status400BadRequest, "command_inline_credential", "The command line contains a credential; pass secrets through env.", "command");
            return;
        }
        if (!CommandRules.Allowed(principal.Grant?.CommandAcl, line))
        {
            await Api.Coded(ctx, StatusCodes.Status403Forbidden, "api_token_acl_not_allowed", "The token's ACL does not allow this command.", "command");
            return;
        }
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        if (body["env"] is JsonObject env)
        {
            foreach (var (name, value) in env)
            {
                if (value is not JsonValue v || !v.TryGetValue<string>(out var text))
                {
                    await Api.FieldError(ctx, "env", $"The value of {name} must be a string.");
                    return;
                }
                environment[name] = text;
            }
        }
        DateTimeOffset? scheduledAt = null;
        if (Api.String(body, "scheduled_at") is { } at)
        {
            if (!DateTimeOffset.TryParse(at, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed))
            {
                await Api.FieldError(ctx, "scheduled_at", "Datetime has wrong format.");
                return;
            }
            scheduledAt = parsed;
        }
        var command = store.Submit(server, user, shell, line, Api.String(body, "data"), Api.String(body, "username") ?? "",
            Api.String(body, "groupname") is { Length: > 0 } group ? group : "alpacon", environment, scheduledAt);
        await Api.Created(ctx, new JsonArray(store.Read(command, c => c.ToJson())));
    }

    private static Task List(HttpContext ctx)
    {
        var store = Store(ctx);
        var server = Api.Query(ctx, "server");
        var requestedBy = Api.Query(ctx, "requested_by");
        var search = Api.Query(ctx, "search");
        IEnumerable<CommandRecord> commands = store.All()
            .Where(c => (server is null || c.Server.Id == server) && (requestedBy is null || c.RequestedBy?.Id == requestedBy) && Api.Matches(search, c.Line));
        if (Api.Query(ctx, "ordering") is "added_at" or "scheduled_at")
            commands = commands.Reverse();
        return Api.Page(ctx, [.. commands.Select(c => (JsonNode)store.Read(c, r => r.ToJson(detail: false)))]);
    }

    private static Task Get(HttpContext ctx)
    {
        var store = Store(ctx);
        return store.Find(Api.RouteId(ctx)) is { } command ? Api.Json(ctx, store.Read(command, c => c.ToJson())) : Api.NotFound(ctx);
    }

    private static Task Cancel(HttpContext ctx)
    {
        var store = Store(ctx);
        if (store.Find(Api.RouteId(ctx)) is not { } command)
            return Api.NotFound(ctx);
        return store.Cancel(command)
            ? Api.NoContent(ctx)
            : Api.Detail(ctx, StatusCodes.Status400BadRequest, store.Read(command, c => c.DeliveredAt is null
                ? $"Command cannot be cancelled as it is already {c.Status}."
                : "Command cannot be cancelled as it has already been sent to the server."));
    }

    private static Task Chunks(HttpContext ctx)
    {
        var store = Store(ctx);
        if (store.Find(Api.RouteId(ctx)) is not { } command)
            return Api.NotFound(ctx);
        var from = Api.IntQuery(ctx, "seq__gte") ?? 0;
        var to = Api.IntQuery(ctx, "seq__lte") ?? int.MaxValue;
        var chunks = store.Read(command, c => c.Chunks.Select((content, seq) => (seq, content)).Where(x => x.seq >= from && x.seq <= to).ToList());
        if (Api.Query(ctx, "ordering") == "-seq")
            chunks.Reverse();
        return Api.Page(ctx, [.. chunks.Select(x => (JsonNode)new JsonObject { ["seq"] = x.seq, ["content"] = x.content })]);
    }

    /// <summary>The command an agent request is about, or null after answering 404/403: only its server's agent may report on it.</summary>
    private static async Task<CommandRecord?> AgentCommand(HttpContext ctx)
    {
        var store = Store(ctx);
        if (store.Find(Api.RouteId(ctx)) is not { } command)
        {
            await Api.NotFound(ctx);
            return null;
        }
        var principal = Principals.Of(ctx);
        if (principal.Agent?.Id == command.Server.Id || principal.Grant?.AgentEndpoints == true)
            return command;
        await Api.Forbidden(ctx);
        return null;
    }

    private static async Task Ack(HttpContext ctx)
    {
        if (await AgentCommand(ctx) is not { } command)
            return;
        await Answer(ctx, Store(ctx).Ack(command));
    }

    private static async Task Chunk(HttpContext ctx)
    {
        if (await AgentCommand(ctx) is not { } command || await Api.ReadObject(ctx) is not { } body)
            return;
        if (body["seq"] is not JsonValue seq || !seq.TryGetValue<int>(out var n) || Api.String(body, "content") is not { } content)
        {
            await Api.FieldError(ctx, "seq", "seq (int) and content (string) are required.");
            return;
        }
        await Answer(ctx, Store(ctx).AddChunk(command, n, content));
    }

    private static async Task Fin(HttpContext ctx)
    {
        if (await AgentCommand(ctx) is not { } command || await Api.ReadObject(ctx) is not { } body)
            return;
        var success = Api.Bool(body, "success") ?? false;
        double? elapsed = body["elapsed_time"] is JsonValue e && e.GetValueKind() == JsonValueKind.Number ? e.GetValue<double>() : null;
        int? exit = body["exit_code"] is JsonValue x && x.TryGetValue<int>(out var code) ? code : null;
        await Answer(ctx, Store(ctx).Finish(command, success, Api.String(body, "result") ?? "", elapsed, exit));
    }

    private static async Task Reject(HttpContext ctx)
    {
        if (await AgentCommand(ctx) is not { } command || await Api.ReadObject(ctx) is not { } body)
            return;
        await Answer(ctx, Store(ctx).Reject(command, Api.String(body, "reason") ?? "rejected by the agent"));
    }

    private static Task Answer(HttpContext ctx, string? error) =>
        error is null ? Api.Json(ctx, new JsonObject { ["success"] = true }) : Api.Detail(ctx, StatusCodes.Status400BadRequest, error);

    private static Task Approve(HttpContext ctx) =>
        Store(ctx).Approve(Api.RouteId(ctx)) ? Api.NoContent(ctx) : Api.NotFound(ctx);

    private static Task Deny(HttpContext ctx) =>
        Store(ctx).Deny(Api.RouteId(ctx)) ? Api.NoContent(ctx) : Api.NotFound(ctx);
}
