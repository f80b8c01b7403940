using System.Text.Json.Nodes;
using Alpacon.Emulator.Core;
using Alpacon.Emulator.Events;

namespace Alpacon.Emulator.Commands;

/// <summary>
/// The Command API's state and the server side of each command's lifecycle: scheduling, approval, delivery to the
/// server's simulated agent (or <c>stuck</c> when it is disconnected), and the agent's reports (ack, chunk, fin,
/// reject), each published on the event stream and recorded in the server's event history. Everything is driven by
/// awaited delays and completions: nothing polls.
/// </summary>
public sealed class CommandStore : IDisposable
{
    private readonly Lock gate = new();
    private readonly List<CommandRecord> commands = [];
    private readonly World world;
    private readonly EventLog events;
    private readonly EventHub hub;
    private readonly SimulatedAgent agent;
    private int failures;
    private int failureStatus;

    public CommandStore(World world, EventLog events, EventHub hub, EmulatorOptions options)
    {
        this.world = world;
        this.events = events;
        this.hub = hub;
        Settings = options.Commands;
        agent = new SimulatedAgent(world, Settings);
    }

    public CommandSettings Settings { get; }

    /// <summary>Where the simulated agents send their reports: the emulator's own address, set once it listens.</summary>
    public Uri? AgentBaseUrl
    {
        get => agent.BaseUrl;
        set => agent.BaseUrl = value;
    }

    /// <summary>A test switch: the next <paramref name="count"/> command submissions answer <paramref name="status"/> (e.g. 503).</summary>
    public void FailNextSubmissions(int count, int status = StatusCodes.Status503ServiceUnavailable)
    {
        lock (gate)
        {
            failures = count;
            failureStatus = status;
        }
    }

    /// <summary>The status a submission must fail with (a pending <see cref="FailNextSubmissions"/>), or null.</summary>
    internal int? TakeFailure()
    {
        lock (gate)
        {
            if (failures <= 0)
                return null;
            failures--;
            return failureStatus;
        }
    }

    public CommandRecord? Find(string? id)
    {
        lock (gate)
            return commands.Find(c => c.Id == id);
    }

    /// <summary>Every command, newest first.</summary>
    public IReadOnlyList<CommandRecord> All()
    {
        lock (gate)
            return [.. Enumerable.Reverse(commands)]; // appended in time order
    }

    /// <summary>Reads a command's state under the store's lock.</summary>
    public T Read<T>(CommandRecord command, Func<CommandRecord, T> read)
    {
        lock (gate)
            return read(command);
    }

    /// <summary>Queues a shell command as <c>POST /api/events/commands/</c> does (after the endpoint's checks) and starts its lifecycle.</summary>
    public CommandRecord Submit(Server server, User? user, string shell, string line, string? data, string username, string groupname,
        IReadOnlyDictionary<string, string> environment, DateTimeOffset? scheduledAt)
    {
        var now = world.Now;
        var command = new CommandRecord
        {
            Id = Ids.New(),
            Server = server,
            RequestedBy = user,
            Shell = shell,
            Line = line,
            Data = data,
            Username = username,
            Groupname = groupname,
            Environment = environment,
            AddedAt = now,
            ScheduledAt = scheduledAt is { } at && at > now ? at : now,
            Status = scheduledAt is { } future && future > now ? "scheduled" : "queued",
        };
        return Start(command, needsApproval: shell == "system" && Settings.ApprovalPattern.IsMatch(line));
    }

    /// <summary>
    /// Runs arbitrary work on a server's simulated agent with a command's whole lifecycle (queued → delivered →
    /// running → success/failed; never delivered to a disconnected server), for other emulator areas (e.g. WebFTP
    /// transfers) that the real server carries out through agent commands. The record has shell <c>internal</c>.
    /// </summary>
    /// <param name="server">The server whose agent runs the work.</param>
    /// <param name="user">Who asked for it (the command's <c>requested_by</c>), or null for the system.</param>
    /// <param name="description">The command's <c>line</c>, e.g. <c>upload /tmp/report.csv</c>.</param>
    /// <param name="work">The work; its output becomes the command's result and its exit code decides success.</param>
    /// <param name="id">The command's id when the caller has already handed it out (a WebFTP transfer's <c>command</c>).</param>
    public CommandRecord SubmitInternal(Server server, User? user, string description, Func<CancellationToken, Task<(string Output, int ExitCode)>> work, string? id = null)
    {
        var now = world.Now;
        return Start(new CommandRecord
        {
            Id = id ?? Ids.New(),
            Server = server,
            RequestedBy = user,
            Shell = "internal",
            Line = description,
            AddedAt = now,
            ScheduledAt = now,
            Work = work,
        }, needsApproval: false);
    }

    /// <summary>Waits until <paramref name="command"/> is in a final state (success, failed, stuck, rejected, denied, cancelled, error).</summary>
    public Task WhenFinalAsync(CommandRecord command, CancellationToken cancellationToken = default) =>
        command.Final.Task.WaitAsync(cancellationToken);

    /// <summary>A human approves a command waiting in <c>awaiting_approval</c>; false when it is not waiting.</summary>
    public bool Approve(string id) => Decide(id, approved: true);

    /// <summary>A human denies a command waiting in <c>awaiting_approval</c>: it ends <c>denied</c>.</summary>
    public bool Deny(string id) => Decide(id, approved: false);

    /// <summary>Cancels a command that was not delivered yet; false (and nothing changes) once it was.</summary>
    public bool Cancel(CommandRecord command)
    {
        lock (gate)
        {
            if (!command.Cancellable)
                return false;
            command.Status = "cancelled";
        }
        command.Stop.Cancel();
        Ended(command, "cancelled", $"Command '{command.ShortLine()}' cancelled before delivery");
        return true;
    }

    /// <summary>The agent accepted the command: <c>acked_at</c> is set and it is <c>running</c>. Returns an error message, or null.</summary>
    public string? Ack(CommandRecord command)
    {
        lock (gate)
        {
            if (command.AckedAt is not null)
                return "Command already acknowledged.";
            if (command.IsFinal)
                return "Command already handled.";
            var now = world.Now;
            command.AckedAt = now;
            command.ResponseDelay = command.DeliveredAt is { } delivered ? Math.Round((now - delivered).TotalSeconds, 3) : 0;
            command.Status = "running";
        }
        return null;
    }

    /// <summary>One piece of streamed output; published as <c>command_output</c>.</summary>
    public string? AddChunk(CommandRecord command, int seq, string content)
    {
        lock (gate)
        {
            if (command.IsFinal)
                return "Command already handled.";
            if (seq != command.Chunks.Count)
                return $"Expected chunk {command.Chunks.Count}.";
            command.Chunks.Add(content);
        }
        hub.Publish("command_output", [command.Id], new JsonObject { ["command_id"] = command.Id, ["seq"] = seq, ["content"] = content });
        return null;
    }

    /// <summary>The agent's final report: <c>handled_at</c>, outcome and output; published as <c>command_fin</c>.</summary>
    public string? Finish(CommandRecord command, bool success, string result, double? elapsed, int? exitCode)
    {
        lock (gate)
        {
            if (command.HandledAt is not null || command.IsFinal)
                return "Command already handled.";
            command.HandledAt = world.Now;
            command.AckedAt ??= command.HandledAt;
            command.Success = success;
            command.ExitCode = exitCode ?? (success ? 0 : 1);
            command.ErrorPhase = command.ExitCode == 124 ? "agent_timeout" : null;
            command.Result = result;
            command.ElapsedTime = elapsed is { } e ? Math.Round(e, 3) : null;
            command.Status = success ? "success" : "failed";
        }
        Ended(command, "command", $"Command '{command.ShortLine()}' by {command.RequestedBy?.Username ?? "system"} {(success ? "succeeded" : "failed")} (exit {command.ExitCode})");
        return null;
    }

    /// <summary>The agent refused the command (unknown account, bad signature): it ends <c>rejected</c>.</summary>
    public string? Reject(CommandRecord command, string reason)
    {
        lock (gate)
        {
            if (command.IsFinal)
                return "Command already handled.";
            command.Status = "rejected";
            command.Result = reason;
            command.Success = false;
        }
        Ended(command, "command_rejected", $"Command '{command.ShortLine()}' rejected by the agent: {reason}");
        return null;
    }

    public void Dispose() => agent.Dispose();

    private CommandRecord Start(CommandRecord command, bool needsApproval)
    {
        lock (gate)
            commands.Add(command);
        _ = RunAsync(command, needsApproval);
        return command;
    }

    private bool Decide(string id, bool approved)
    {
        var command = Find(id);
        if (command is null)
            return false;
        lock (gate)
        {
            if (command.Status != "awaiting_approval")
                return false;
        }
        return command.Approval.TrySetResult(approved);
    }

    private async Task RunAsync(CommandRecord command, bool needsApproval)
    {
        var ct = command.Stop.Token;
        try
        {
            if (command.ScheduledAt > world.Now)
                await Task.Delay(command.ScheduledAt - world.Now, world.Time, ct).ConfigureAwait(false);
            if (needsApproval)
            {
                if (!Move(command, "awaiting_approval"))
                    return;
                events.Record(command.Server, "alpacon", "command_approval", $"Command '{command.ShortLine()}' by {command.RequestedBy?.Username ?? "system"} is awaiting approval");
                if (!await command.Approval.Task.WaitAsync(ct).ConfigureAwait(false))
                {
                    if (Move(command, "denied"))
                        Ended(command, "command_denied", $"Command '{command.ShortLine()}' was denied");
                    return;
                }
            }
            if (!Move(command, "queued"))
                return;
            bool connected;
            lock (world.Gate)
                connected = command.Server.IsConnected;
            if (!connected)
            {
                // The agent is not there to take it: it stays queued (and cancellable) until it is declared stuck.
                await Task.Delay(Settings.StuckAfter, world.Time, ct).ConfigureAwait(false);
                lock (gate)
                {
                    if (command.Status != "queued")
                        return;
                    command.Status = "stuck";
                    command.ErrorPhase = "agent_disconnected";
                }
                Ended(command, "command_stuck", $"Command '{command.ShortLine()}' stuck: the agent of {command.Server.Name} is disconnected");
                return;
            }
            await Task.Delay(Settings.DeliveryDelay, world.Time, ct).ConfigureAwait(false);
            lock (gate)
            {
                if (command.Status != "queued")
                    return;
                command.Status = "delivered";
                command.DeliveredAt = world.Now;
            }
        }
        catch (OperationCanceledException)
        {
            return; // cancelled before delivery; Cancel() already ended it
        }

        try
        {
            await agent.RunAsync(command).ConfigureAwait(false);
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException or InvalidOperationException)
        {
            lock (gate)
            {
                if (command.IsFinal)
                    return;
                command.Status = "error";
                command.ErrorPhase = "agent_disconnected";
                command.Result = "The agent lost its connection while running the command.";
            }
            Ended(command, "command_error", $"Command '{command.ShortLine()}' failed: the agent lost its connection");
        }
    }

    /// <summary>Moves a command that is not final yet to <paramref name="status"/>; false when it already ended (cancelled).</summary>
    private bool Move(CommandRecord command, string status)
    {
        lock (gate)
        {
            if (command.IsFinal)
                return false;
            command.Status = status;
            return true;
        }
    }

    /// <summary>A final state: tell subscribers (fin by server and by command), record the event, release waiters.</summary>
    private void Ended(CommandRecord command, string record, string description)
    {
        hub.Publish("command_fin", [command.Server.Id, command.Id], new JsonObject { ["id"] = command.Id });
        events.Record(command.Server, "alpacon", record, description, new JsonObject { ["command"] = command.Id });
        command.Final.TrySetResult();
    }
}
