using System.Text;
using System.Text.Json.Nodes;
using Alpacon.Api.Configuration;
using Alpacon.Api.Http;

namespace Alpacon.Api.Commands;

/// <summary>What to run where: the body of <c>POST /api/events/commands/</c>. <see cref="ToString"/> never shows env or data.</summary>
public sealed record CommandRequest(string ServerId, string Line, string? Username = null, string? Groupname = null, IReadOnlyDictionary<string, string>? Environment = null, string? Data = null)
{
    public JsonObject ToJson()
    {
        var body = new JsonObject { ["server"] = ServerId, ["shell"] = "system", ["line"] = Line, ["run_after"] = new JsonArray() };
        if (!string.IsNullOrEmpty(Username))
            body["username"] = Username;
        if (!string.IsNullOrEmpty(Groupname))
            body["groupname"] = Groupname;
        if (Environment is { Count: > 0 })
            body["env"] = new JsonObject(Environment.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)kv.Value)));
        if (Data is not null)
            body["data"] = Data;
        return body;
    }

    /// <summary>Secrets travel in env and data: neither is printed.</summary>
    public override string ToString() => $"command on {ServerId}: {Line} (env: {Environment?.Count ?? 0} names, data: {(Data is null ? "none" : "given")})";
}

/// <summary>
/// The Command API (<c>/api/events/commands/</c>, alpacon-api.md §2.6, §5). Creating a command is sent exactly once:
/// the resilience handler never retries a POST, because a retried submission could run a command twice.
/// </summary>
public sealed class CommandsClient(AlpaconHttp http)
{
    private const string Root = "/api/events/commands/";

    /// <summary>Statuses of a command that has not ended yet.</summary>
    public static readonly IReadOnlySet<string> InProgress = new HashSet<string>(StringComparer.Ordinal) { "scheduled", "queued", "delivered", "verifying", "running", "acked" };

    /// <summary>Statuses that end a command without a result: the wait stops at once with the reason.</summary>
    public static readonly IReadOnlySet<string> FailedEarly = new HashSet<string>(StringComparer.Ordinal) { "stuck", "denied", "rejected", "cancelled", "error" };

    /// <summary>Submits one command and returns it (the API answers with an array of one; a bare object is accepted too).</summary>
    public async Task<JsonObject> SubmitAsync(WorkspaceTarget ws, CommandRequest request, CancellationToken cancellationToken = default)
    {
        var body = await http.PostAsync(ws, Root, request.ToJson(), cancellationToken).ConfigureAwait(false);
        return body switch
        {
            JsonArray { Count: > 0 } array when array[0] is JsonObject first => first,
            JsonObject o when o["id"] is not null => o,
            _ => throw new AlpaconApiException($"POST {Root} answered without the created command."),
        };
    }

    public async Task<JsonObject> GetAsync(WorkspaceTarget ws, string commandId, CancellationToken cancellationToken = default) =>
        await http.GetAsync(ws, $"{Root}{commandId}/", cancellationToken: cancellationToken).ConfigureAwait(false) as JsonObject
        ?? throw new AlpaconApiException($"GET {Root}{commandId}/ answered without a command.");

    /// <summary>Commands newest first, optionally of one server; also how many there are.</summary>
    public Task<(JsonArray Items, int Total)> ListAsync(WorkspaceTarget ws, string? serverId, int limit, CancellationToken cancellationToken = default) =>
        http.GetListAsync(ws, Root, new Query().Add("server", serverId).Add("ordering", "-added_at"), limit, cancellationToken);

    /// <summary>Streamed output from <paramref name="fromSeq"/> (to <paramref name="toSeq"/>), in order.</summary>
    public async Task<IReadOnlyList<(int Seq, string Content)>> ChunksAsync(WorkspaceTarget ws, string commandId, int fromSeq = 0, int? toSeq = null, CancellationToken cancellationToken = default)
    {
        var items = await http.GetAllAsync(ws, $"{Root}{commandId}/chunks/", new Query().Add("seq__gte", fromSeq).Add("seq__lte", toSeq).Add("ordering", "seq"), cancellationToken: cancellationToken).ConfigureAwait(false);
        return [.. items.OfType<JsonObject>()
            .Select(c => (Seq: c["seq"] is JsonValue v && v.TryGetValue<int>(out var n) ? n : -1, Content: c["content"]?.ToString() ?? ""))
            .Where(c => c.Seq >= 0)
            .OrderBy(c => c.Seq)];
    }

    /// <summary>The command's combined output: <c>result</c>, or the chunks concatenated by seq when <c>result</c> is empty.</summary>
    public async Task<string> OutputAsync(WorkspaceTarget ws, JsonObject command, CancellationToken cancellationToken = default)
    {
        if (command["result"]?.ToString() is { Length: > 0 } result)
            return result;
        var id = command["id"]?.ToString();
        if (id is null)
            return "";
        var chunks = await ChunksAsync(ws, id, cancellationToken: cancellationToken).ConfigureAwait(false);
        var output = new StringBuilder();
        foreach (var (_, content) in chunks)
            output.Append(content);
        return output.ToString();
    }

    /// <summary>Cancels a command not yet delivered (204); the API answers 400 once it was sent to the server.</summary>
    public Task<JsonNode?> CancelAsync(WorkspaceTarget ws, string commandId, CancellationToken cancellationToken = default) =>
        http.DeleteAsync(ws, $"{Root}{commandId}/", cancellationToken);

    /// <summary>Agent endpoint: <c>POST …/ack/</c> with an empty body. User tokens are expected to be refused (403).</summary>
    public Task<JsonNode?> AckAsync(WorkspaceTarget ws, string commandId, CancellationToken cancellationToken = default) =>
        http.PostAsync(ws, $"{Root}{commandId}/ack/", null, cancellationToken);

    /// <summary>Agent endpoint: <c>POST …/reject/ {reason}</c>, the agent refusing a command.</summary>
    public Task<JsonNode?> RejectAsync(WorkspaceTarget ws, string commandId, string reason, CancellationToken cancellationToken = default) =>
        http.PostAsync(ws, $"{Root}{commandId}/reject/", new JsonObject { ["reason"] = reason }, cancellationToken);

    /// <summary>Agent endpoint: <c>POST …/fin/ {success, result, elapsed_time, exit_code}</c>.</summary>
    public Task<JsonNode?> FinishAsync(WorkspaceTarget ws, string commandId, bool success, string? result, double? elapsedTime, int? exitCode, CancellationToken cancellationToken = default) =>
        http.PostAsync(ws, $"{Root}{commandId}/fin/", new JsonObject
        {
            ["success"] = success,
            ["result"] = result ?? "",
            ["elapsed_time"] = elapsedTime,
            ["exit_code"] = exitCode ?? (success ? 0 : 1),
        }, cancellationToken);

    /// <summary>True once the command ended with an outcome: <c>handled_at</c> is set (or the status says success/failed).</summary>
    public static bool IsHandled(JsonObject command) =>
        command["handled_at"] is JsonValue handled && handled.ToString().Length > 0 || Status(command) is "success" or "failed" or "completed";

    public static string Status(JsonObject command) => command["status"]?.ToString() ?? "";
}
