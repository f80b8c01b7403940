using System.Text;
using System.Text.Json.Nodes;
using Alpacon.Emulator.Core;

namespace Alpacon.Emulator.Commands;

/// <summary>
/// One command of the Command API and its lifecycle: scheduled/queued (or awaiting_approval) → delivered →
/// running (acked) → success/failed (handled), or stuck, rejected, denied, cancelled. Guarded by the store's lock.
/// </summary>
public sealed class CommandRecord
{
    public required string Id { get; init; }
    public required Server Server { get; init; }
    public required User? RequestedBy { get; init; }
    public required string Shell { get; init; }
    public required string Line { get; init; }
    public string? Data { get; init; }
    public string Username { get; init; } = "";
    public string Groupname { get; init; } = "alpacon";

    /// <summary>Extra environment: where secrets go. Never serialised back.</summary>
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();

    public DateTimeOffset AddedAt { get; init; }
    public DateTimeOffset ScheduledAt { get; init; }
    public DateTimeOffset? DeliveredAt { get; set; }
    public DateTimeOffset? AckedAt { get; set; }
    public DateTimeOffset? HandledAt { get; set; }
    public string Status { get; set; } = "queued";
    public bool? Success { get; set; }
    public int? ExitCode { get; set; }
    public string? ErrorPhase { get; set; }
    public string Result { get; set; } = "";
    public double? ElapsedTime { get; set; }
    public double? ResponseDelay { get; set; }

    /// <summary>Output the agent streamed, by sequence number.</summary>
    public List<string> Chunks { get; } = [];

    /// <summary>Stops the lifecycle when the command is cancelled (before delivery).</summary>
    internal CancellationTokenSource Stop { get; } = new();

    /// <summary>Completed by an approval (true) or a denial (false) while <c>awaiting_approval</c>.</summary>
    internal TaskCompletionSource<bool> Approval { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completed when the command reaches a final state.</summary>
    internal TaskCompletionSource Final { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>For <c>internal</c> commands submitted in-process: the work the agent runs instead of a shell line.</summary>
    internal Func<CancellationToken, Task<(string Output, int ExitCode)>>? Work { get; init; }

    /// <summary>Not yet delivered to the agent, so a DELETE still cancels it.</summary>
    public bool Cancellable => Status is "scheduled" or "queued" or "awaiting_approval";

    public bool IsFinal => Status is "success" or "failed" or "stuck" or "rejected" or "denied" or "cancelled" or "error";

    public string Output => Chunks.Count > 0 && Result.Length == 0 ? string.Concat(Chunks) : Result;

    public JsonObject ToJson(bool detail = true)
    {
        var o = new JsonObject
        {
            ["id"] = Id,
            ["shell"] = Shell,
            ["line"] = Line,
        };
        if (detail)
            o["data"] = Data;
        o["username"] = Username;
        o["groupname"] = Groupname;
        o["status"] = Status;
        o["success"] = Success;
        o["exit_code"] = ExitCode;
        o["error_phase"] = ErrorPhase;
        o["result"] = Result;
        o["cancellable"] = Cancellable;
        o["response_delay"] = ResponseDelay;
        o["elapsed_time"] = ElapsedTime;
        o["added_at"] = Api.Iso(AddedAt);
        if (detail)
        {
            o["scheduled_at"] = Api.Iso(ScheduledAt);
            o["delivered_at"] = DeliveredAt is { } d ? Api.Iso(d) : null;
            o["acked_at"] = AckedAt is { } a ? Api.Iso(a) : null;
            o["handled_at"] = HandledAt is { } h ? Api.Iso(h) : null;
        }
        o["server"] = Server.Summary();
        o["requested_by"] = RequestedBy?.Summary();
        if (detail)
            o["run_after"] = new JsonArray();
        return o;
    }

    /// <summary>The line shortened for an event's description.</summary>
    public string ShortLine()
    {
        var flat = new StringBuilder(Line.Length);
        foreach (var ch in Line)
            flat.Append(char.IsControl(ch) ? ' ' : ch);
        var text = flat.ToString().Trim();
        return text.Length <= 80 ? text : text[..80] + "…";
    }
}
