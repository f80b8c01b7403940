using System.ComponentModel;
using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Alpacon.Api.Commands;
using Alpacon.Api.Configuration;
using Alpacon.Api.Http;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace Alpacon.Mcp.Tools;

/// <summary>
/// The Command API: run a shell command on one or many servers and wait for its output, follow or cancel a command,
/// list recent ones, and the agent-side acknowledge/finish endpoints of the original catalogue.
/// </summary>
[McpServerToolType]
public sealed partial class CommandTools(ToolRunner runner, CommandsClient commands, CommandExecutor executor)
{
    private const int MaxTimeout = 3600;
    private const int MaxServers = 100;
    private const int MaxCommands = 200;

    /// <summary>The hard cap on a wait, as a multiple of the timeout (the timeout restarts on progress).</summary>
    private const int CapFactor = 3;

    private const string SudoAdvice = " Do not add sudo out of habit: sudo lines may wait for a human's approval. Put secrets in env (referenced as $NAME), never in the line.";

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex EnvName();

    [McpServerTool(Name = "execute_command", Title = "Run a command on a server", ReadOnly = false, Destructive = true, Idempotent = false, OpenWorld = true)]
    [Description("Runs a shell command on one server through the Alpacon agent and waits for it: returns output (stdout+stderr, head and tail within max_output), exit_code, success, elapsed_time and command_id. The command is submitted exactly once (never retried). Completion is noticed from the event stream as soon as the command ends; status changes and output are sent as progress notifications while it runs. A command needing approval returns at once with status awaiting_approval and its command_id: it runs by itself once approved, so never resubmit it. If the call is cancelled before the command was delivered, it is cancelled upstream too. The token's command ACL decides which lines may run." + SudoAdvice + " Maps to POST /api/events/commands/ (shell system), then GET /api/events/commands/{id}/.")]
    public Task<CallToolResult> ExecuteCommand(
        [Description(Args.ServerIdDescription)] string server_id,
        [Description("The shell command line, e.g. 'df -h /' or 'systemctl status nginx'.")] string command,
        [Description("Account to run as on the server (default: the agent's default account).")] string? username = null,
        [Description("Group to run as (default: alpacon).")] string? groupname = null,
        [Description("Extra environment variables. The place for secrets: reference them as $NAME in the command. Never logged or echoed.")] Dictionary<string, string>? env = null,
        [Description("Text passed to the command's standard input. Never logged or echoed.")] string? data = null,
        [Description("Seconds to wait without progress (1-3600); any status change or output restarts it, up to 3x in total. On timeout the command keeps running and its command_id is returned.")] int timeout = 300,
        [Description("Most characters of output to return (head and tail are kept); default 16000.")] int max_output = CommandResults.DefaultMaxOutput,
        [Description(Args.RegionDescription)] string region = "ap1",
        [Description(Args.WorkspaceDescription)] string? workspace = null,
        IProgress<ProgressNotificationValue>? progress = null,
        CancellationToken cancellationToken = default) =>
        runner.RunAsync(region, workspace, server_id, async (ws, ct) =>
        {
            var request = Request(Args.Uuid(server_id, "server_id"), command, username, groupname, env, data);
            var wait = Wait(timeout);
            var budget = Args.Range(max_output, "max_output", 200, CommandResults.MaxMaxOutput);
            var reporter = new ProgressReporter(progress, single: true);
            var run = (await executor.RunAsync(ws, [request], parallel: true, wait, reporter.Report, ct).ConfigureAwait(false))[0];
            return Single(run, budget, ws);
        }, cancellationToken);

    [McpServerTool(Name = "execute_command_multi_server", Title = "Run a command on several servers", ReadOnly = false, Destructive = true, Idempotent = false, OpenWorld = true)]
    [Description("Runs the same shell command on several servers and waits for all of them. Identical results are grouped: servers that printed the same output with the same exit code read as one entry (with their names), so the outliers stand out; results lists each server's status, exit code and command_id. parallel=true submits to all at once; parallel=false runs one server at a time, each finished before the next starts (a rolling run). Each command is submitted exactly once. Progress notifications report each server as it finishes. Servers needing approval are reported as awaiting_approval (never resubmit)." + SudoAdvice + " Maps to one POST /api/events/commands/ per server.")]
    public Task<CallToolResult> ExecuteCommandMultiServer(
        [Description("Server UUIDs (from servers_list), at most 100.")] string[] server_ids,
        [Description("The shell command line to run on every server.")] string command,
        [Description("true: all servers at once; false: one after the other, each waited for.")] bool parallel = true,
        [Description("Account to run as on each server (default: the agent's default account).")] string? username = null,
        [Description("Group to run as (default: alpacon).")] string? groupname = null,
        [Description("Extra environment variables (the place for secrets, referenced as $NAME). Never logged or echoed.")] Dictionary<string, string>? env = null,
        [Description("Text passed to each command's standard input. Never logged or echoed.")] string? data = null,
        [Description("Seconds to wait per server without progress (1-3600); progress restarts it, up to 3x in total.")] int timeout = 300,
        [Description("Most characters of output per distinct result (head and tail are kept); default 16000.")] int max_output = CommandResults.DefaultMaxOutput,
        [Description(Args.RegionDescription)] string region = "ap1",
        [Description(Args.WorkspaceDescription)] string? workspace = null,
        IProgress<ProgressNotificationValue>? progress = null,
        CancellationToken cancellationToken = default) =>
        runner.RunAsync(region, workspace, null, async (ws, ct) =>
        {
            if (server_ids is not { Length: > 0 })
                throw new ToolInputException("'server_ids' must list at least one server.", "Call servers_list to find server ids.");
            if (server_ids.Length > MaxServers)
                throw new ToolInputException($"'server_ids' lists {server_ids.Length} servers; the limit is {MaxServers}.", "Split the servers into several calls.");
            var ids = server_ids.Select((id, i) => Args.Uuid(id, $"server_ids[{i}]")).Distinct().ToList();
            var requests = ids.Select(id => Request(id, command, username, groupname, env, data)).ToList();
            var wait = Wait(timeout);
            var budget = Args.Range(max_output, "max_output", 200, CommandResults.MaxMaxOutput);
            var reporter = new ProgressReporter(progress, single: false, total: requests.Count);
            var runs = await executor.RunAsync(ws, requests, parallel, wait, reporter.Report, ct).ConfigureAwait(false);
            var outcome = Multi(ws, command, parallel, runs, budget);
            if (NoneRan(outcome, runs.Count) is { } failure)
                throw failure;
            return outcome;
        }, cancellationToken);

    [McpServerTool(Name = "list_commands", Title = "List recent commands", ReadOnly = true, Destructive = false, Idempotent = true, OpenWorld = true)]
    [Description("Recent commands, newest first, optionally of one server: line, status, exit code, who ran it and when, with the start of the result. Use get_command_status for one command's full output. Maps to GET /api/events/commands/?ordering=-added_at.")]
    public Task<CallToolResult> ListCommands(
        [Description("Only commands of this server (UUID from servers_list).")] string? server_id = null,
        [Description("Maximum number of commands to return (1-200).")] int limit = 20,
        [Description(Args.RegionDescription)] string region = "ap1",
        [Description(Args.WorkspaceDescription)] string? workspace = null,
        CancellationToken cancellationToken = default) =>
        runner.RunAsync(region, workspace, null, async (ws, ct) =>
        {
            var server = Args.OptionalUuid(server_id, "server_id");
            var max = Args.Range(limit, "limit", 1, MaxCommands);
            var (items, total) = await commands.ListAsync(ws, server, max, ct).ConfigureAwait(false);
            var list = new JsonArray();
            foreach (var item in items.OfType<JsonObject>())
            {
                var o = CommandResults.Summary(item, CommandResults.ListFields);
                if (item["result"]?.ToString() is { Length: > 0 } result)
                    o["result_excerpt"] = result.Length <= 200 ? result : result[..200] + "…";
                list.Add((JsonNode)o);
            }
            var data = new JsonObject { ["total"] = total, ["returned"] = list.Count, ["commands"] = list };
            if (total > list.Count)
                data["note"] = $"{total} commands in all; the newest {list.Count} are shown.";
            return data;
        }, cancellationToken);

    [McpServerTool(Name = "get_command_status", Title = "Command status and output", ReadOnly = true, Destructive = false, Idempotent = true, OpenWorld = true)]
    [Description("A command's status and, once it ended, its output (rebuilt from the streamed chunks when the result field is empty), exit code, success, elapsed time and timestamps. completed=true means it ended (handled_at is set). Use it to follow a command that was awaiting approval or still running when execute_command returned. Maps to GET /api/events/commands/{id}/ (+ /chunks/).")]
    public Task<CallToolResult> GetCommandStatus(
        [Description("Command UUID, as returned by execute_command or list_commands.")] string command_id,
        [Description("Most characters of output to return (head and tail are kept); default 16000.")] int max_output = CommandResults.DefaultMaxOutput,
        [Description(Args.RegionDescription)] string region = "ap1",
        [Description(Args.WorkspaceDescription)] string? workspace = null,
        CancellationToken cancellationToken = default) =>
        runner.RunAsync(region, workspace, null, async (ws, ct) =>
        {
            var id = Args.Uuid(command_id, "command_id");
            var budget = Args.Range(max_output, "max_output", 200, CommandResults.MaxMaxOutput);
            var command = await commands.GetAsync(ws, id, ct).ConfigureAwait(false);
            var handled = CommandsClient.IsHandled(command);
            // Output so far is worth showing for a running command too: it streams into /chunks/.
            var output = handled || CommandsClient.Status(command) == "running" ? await commands.OutputAsync(ws, command, ct).ConfigureAwait(false) : command["result"]?.ToString() ?? "";
            var o = CommandWaiter.Settled(command) == CommandWaitEnd.AwaitingApproval ? CommandResults.AwaitingApproval(command, CommandResults.DetailFields) : CommandResults.Summary(command);
            o["completed"] = handled;
            if (output.Length > 0 || handled)
                CommandResults.AddOutput(o, output, budget);
            if (CommandResults.Denial(output) is { } denial)
                o["sudo_denial"] = denial;
            return o;
        }, cancellationToken);

    [McpServerTool(Name = "delete_command", Title = "Cancel a command", ReadOnly = false, Destructive = true, Idempotent = false, OpenWorld = true)]
    [Description("Cancels a command that has not been delivered to the server's agent yet (scheduled, queued or awaiting approval): it will never run. Once delivered, a command can no longer be cancelled and runs to completion; the error then says so with its current status. Maps to DELETE /api/events/commands/{id}/.")]
    public Task<CallToolResult> DeleteCommand(
        [Description("Command UUID, as returned by execute_command or list_commands.")] string command_id,
        [Description(Args.RegionDescription)] string region = "ap1",
        [Description(Args.WorkspaceDescription)] string? workspace = null,
        CancellationToken cancellationToken = default) =>
        runner.RunAsync(region, workspace, null, async (ws, ct) =>
        {
            var id = Args.Uuid(command_id, "command_id");
            try
            {
                await commands.CancelAsync(ws, id, ct).ConfigureAwait(false);
            }
            catch (AlpaconApiException e) when (e.StatusCode == HttpStatusCode.BadRequest)
            {
                JsonObject? state = null;
                try
                {
                    state = CommandResults.Summary(await commands.GetAsync(ws, id, ct).ConfigureAwait(false));
                }
                catch (AlpaconApiException)
                {
                    // The refusal stands on its own; the status only makes it concrete.
                }
                var status = state?["status"]?.ToString();
                throw new ToolFailureException(
                    $"The command can no longer be cancelled{(status is null ? "" : $" (it is {status})")}: {e.Message}",
                    "A command can only be cancelled before it is delivered to the agent; after that it runs to completion. Follow it with get_command_status; to undo its effect, run a command that reverses it.",
                    state ?? e.Body?.DeepClone(), 400, e.Code, e);
            }
            return new JsonObject { ["command_id"] = id, ["cancelled"] = true, ["message"] = "Cancelled before delivery: the command will not run." };
        }, cancellationToken);

    [McpServerTool(Name = "acknowledge_command", Title = "Acknowledge a command (agent endpoint)", ReadOnly = false, Destructive = false, Idempotent = false, OpenWorld = true)]
    [Description("Agent-side call of the Command API, kept from the original catalogue: reports that the agent accepted a command (success=true, POST …/ack/) or refused it (success=false, POST …/reject/ with result as the reason). The real API expects the agent's server credentials here and refuses user tokens (403); the Alpacon agent does this by itself. To follow a command use get_command_status; to stop one use delete_command. Maps to POST /api/events/commands/{id}/ack/ or /reject/.")]
    public Task<CallToolResult> AcknowledgeCommand(
        [Description("Command UUID.")] string command_id,
        [Description("true: the command was accepted and started (ack); false: it was refused (reject).")] bool success = true,
        [Description("With success=false, the reason for refusing it.")] string? result = null,
        [Description(Args.RegionDescription)] string region = "ap1",
        [Description(Args.WorkspaceDescription)] string? workspace = null,
        CancellationToken cancellationToken = default) =>
        runner.RunAsync(region, workspace, null, async (ws, ct) =>
        {
            var id = Args.Uuid(command_id, "command_id");
            var action = success ? "ack" : "reject";
            var answer = await AgentEndpoint(action, () => success
                ? commands.AckAsync(ws, id, ct)
                : commands.RejectAsync(ws, id, Args.Optional(result) ?? "refused", ct)).ConfigureAwait(false);
            return new JsonObject { ["command_id"] = id, ["reported"] = action, ["response"] = answer };
        }, cancellationToken);

    [McpServerTool(Name = "finish_command", Title = "Finish a command (agent endpoint)", ReadOnly = false, Destructive = false, Idempotent = false, OpenWorld = true)]
    [Description("Agent-side call of the Command API, kept from the original catalogue: reports a command's outcome (success, result, elapsed_time, exit_code), which sets handled_at. The real API expects the agent's server credentials here and refuses user tokens (403); the Alpacon agent reports outcomes by itself. To read an outcome use get_command_status. Maps to POST /api/events/commands/{id}/fin/.")]
    public Task<CallToolResult> FinishCommand(
        [Description("Command UUID.")] string command_id,
        [Description("Whether the command succeeded.")] bool success = true,
        [Description("The command's output or an error message.")] string? result = null,
        [Description("Seconds the command ran.")] double? elapsed_time = null,
        [Description("The exit code (default: 0 on success, 1 otherwise).")] int? exit_code = null,
        [Description(Args.RegionDescription)] string region = "ap1",
        [Description(Args.WorkspaceDescription)] string? workspace = null,
        CancellationToken cancellationToken = default) =>
        runner.RunAsync(region, workspace, null, async (ws, ct) =>
        {
            var id = Args.Uuid(command_id, "command_id");
            if (elapsed_time is < 0)
                throw new ToolInputException("'elapsed_time' cannot be negative.");
            var answer = await AgentEndpoint("fin", () => commands.FinishAsync(ws, id, success, result, elapsed_time, exit_code, ct)).ConfigureAwait(false);
            return new JsonObject { ["command_id"] = id, ["reported"] = "fin", ["success"] = success, ["exit_code"] = exit_code ?? (success ? 0 : 1), ["response"] = answer };
        }, cancellationToken);

    /// <summary>
    /// Calls an agent-only endpoint and explains the API's refusal of a user token plainly. Any 401/403 gets that
    /// explanation, whatever <c>code</c> the API gives (an ACL or work-session code is still the same refusal of a user
    /// token on an agent endpoint); the code is kept in the result.
    /// </summary>
    internal static async Task<JsonNode?> AgentEndpoint(string action, Func<Task<JsonNode?>> call)
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (AlpaconApiException e) when (e.StatusCode is HttpStatusCode.Forbidden or HttpStatusCode.Unauthorized)
        {
            var status = (int)e.StatusCode!.Value;
            throw new ToolFailureException(
                $"The API refused the {action}/ call: it is an agent endpoint, which takes the agent's server credentials, and your user token is not accepted there ({status}{(e.Code is null ? "" : $" {e.Code}")}).",
                "Nothing needs doing: the Alpacon agent acknowledges and finishes commands by itself. Follow a command with get_command_status, or cancel one not yet delivered with delete_command.",
                e.Body?.DeepClone(), status, e.Code, e);
        }
    }

    private static CommandRequest Request(string serverId, string line, string? username, string? groupname, Dictionary<string, string>? env, string? data)
    {
        var text = Args.Required(line, "command", 8192);
        if (InlineCredentials.Find(text) is { } found)
        {
            throw new ToolInputException(
                $"The command line carries a credential ({found}); it was not submitted. The API refuses such lines (command_inline_credential), and they would be kept in the command history.",
                "Pass the secret through the 'env' argument, e.g. env={\"PGPASSWORD\": \"…\"}, and refer to it as $PGPASSWORD in the command (mysql: MYSQL_PWD).");
        }
        foreach (var name in env?.Keys ?? Enumerable.Empty<string>())
        {
            if (!EnvName().IsMatch(name))
                throw new ToolInputException($"'env' has an invalid variable name '{Args.Shorten(name)}'.", "Names are letters, digits and underscores, not starting with a digit.");
        }
        return new CommandRequest(serverId, text, Args.OptionalAccountName(username, "username"), Args.OptionalAccountName(groupname, "groupname"), env, data);
    }

    private static CommandWaitOptions Wait(int timeout)
    {
        var seconds = Args.Range(timeout, "timeout", 1, MaxTimeout);
        return new CommandWaitOptions(TimeSpan.FromSeconds(seconds), TimeSpan.FromSeconds(seconds * CapFactor));
    }

    private static JsonNode Single(CommandRun run, int budget, WorkspaceTarget ws)
    {
        if (run.SubmissionUncertain)
            throw MaybeCreated(run.Error!, ws);
        if (run.Error is { } error)
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(error);
        if (run.Result is not { } result)
            return Cancelled(run);
        return result.End switch
        {
            CommandWaitEnd.Completed => WithVia(CommandResults.Completed(result, budget), result),
            CommandWaitEnd.AwaitingApproval => CommandResults.AwaitingApproval(result.Command),
            CommandWaitEnd.TimedOut => CommandResults.TimedOut(result),
            _ => throw CommandResults.Failed(result.Command),
        };
    }

    private const string MaybeCreatedHint = "Submissions are never retried automatically: before submitting again, check list_commands for a command created after all, and follow it with get_command_status if it is there.";

    /// <summary>
    /// A submission that failed without an answer saying whether the command was created (timeout, reset, 5xx): the
    /// API's error, plus that the command may exist and run, and where to look for it.
    /// </summary>
    private static ToolFailureException MaybeCreated(Exception error, WorkspaceTarget ws)
    {
        var described = ToolErrors.From(error, ws);
        return new ToolFailureException(
            $"{described.Message.TrimEnd('.')}. The command may have been created all the same: the request was sent once and not retried.",
            MaybeCreatedHint, described.Details, described.StatusCode, described.ErrorCode, error);
    }

    /// <summary>The call was cancelled by the client: what became of the command upstream.</summary>
    private static JsonObject Cancelled(CommandRun run)
    {
        var o = run.Submitted is { } submitted ? CommandResults.Summary(submitted, CommandResults.RunFields) : new JsonObject();
        o["completed"] = false;
        o["call_cancelled"] = true;
        // The POST is never aborted (CommandExecutor), so a run with no command and no error was cancelled before it.
        o["upstream"] = run.Cancellation?.Message ?? "The call was cancelled before the command was submitted: nothing was sent.";
        if (run.Cancellation is { Cancelled: true })
            o["status"] = "cancelled";
        return o;
    }

    private static JsonObject WithVia(JsonObject o, CommandWaitResult result)
    {
        o["noticed_via"] = result.NoticedVia;
        return o;
    }

    private static JsonObject Multi(WorkspaceTarget ws, string line, bool parallel, IReadOnlyList<CommandRun> runs, int budget)
    {
        var results = new JsonArray();
        var groups = new List<(string Output, int? Exit, bool? Success, List<string> Servers, CommandWaitResult First)>();
        int succeeded = 0, failed = 0, pending = 0, errors = 0, timedOut = 0, cancelled = 0;
        foreach (var run in runs)
        {
            var name = run.Result?.Command["server"]?["name"]?.ToString() ?? run.Submitted?["server"]?["name"]?.ToString();
            JsonObject entry;
            if (run.Error is { } error)
            {
                errors++;
                entry = Parts.Describe(run.SubmissionUncertain ? MaybeCreated(error, ws) : error, ws);
                entry["status"] = "error";
                if (run.SubmissionUncertain)
                    entry["may_have_been_created"] = true;
                if (run.CommandId is { } submitted)
                    entry["command_id"] = submitted; // submitted, then the wait failed: the command may still run
            }
            else if (run.Result is not { } result)
            {
                cancelled++;
                entry = Cancelled(run);
            }
            else
            {
                entry = new JsonObject { ["command_id"] = result.Command["id"]?.DeepClone(), ["status"] = result.Command["status"]?.DeepClone() };
                switch (result.End)
                {
                    case CommandWaitEnd.Completed:
                        var exit = result.Command["exit_code"] is JsonValue v && v.TryGetValue<int>(out var code) ? code : (int?)null;
                        var success = result.Command["success"] is JsonValue s && s.TryGetValue<bool>(out var ok) ? ok : (bool?)null;
                        if (success == true)
                            succeeded++;
                        else
                            failed++;
                        var index = groups.FindIndex(g => g.Exit == exit && g.Output == result.Output);
                        if (index < 0)
                        {
                            groups.Add((result.Output, exit, success, [], result));
                            index = groups.Count - 1;
                        }
                        groups[index].Servers.Add(name ?? run.Request.ServerId);
                        entry["exit_code"] = exit;
                        entry["elapsed_time"] = result.Command["elapsed_time"]?.DeepClone();
                        entry["group"] = index + 1;
                        break;
                    case CommandWaitEnd.AwaitingApproval:
                        pending++;
                        entry["next_step"] = "Awaiting a human's approval; it runs by itself once approved. Do not resubmit.";
                        break;
                    case CommandWaitEnd.TimedOut:
                        timedOut++;
                        entry["next_step"] = "Still running when the wait ran out; follow it with get_command_status.";
                        break;
                    default:
                        errors++;
                        var failure = CommandResults.Failed(result.Command);
                        entry["message"] = failure.Message;
                        entry["hint"] = failure.Hint;
                        break;
                }
            }
            var head = new JsonObject { ["server_id"] = run.Request.ServerId, ["server_name"] = name };
            foreach (var (key, value) in entry.ToList())
            {
                entry.Remove(key);
                head[key] = value;
            }
            results.Add((JsonNode)head);
        }

        // Biggest group first, and group numbers follow that order.
        var order = groups.Select((g, i) => (g, i)).OrderByDescending(x => x.g.Servers.Count).ThenBy(x => x.i).ToList();
        var renumber = order.Select((x, rank) => (x.i, rank)).ToDictionary(x => x.i + 1, x => x.rank + 1);
        foreach (var r in results.OfType<JsonObject>())
        {
            if (r["group"] is JsonValue g && g.TryGetValue<int>(out var old))
                r["group"] = renumber[old];
        }
        var groupList = new JsonArray();
        foreach (var (g, _) in order)
        {
            var o = new JsonObject
            {
                ["group"] = groupList.Count + 1,
                ["count"] = g.Servers.Count,
                ["servers"] = new JsonArray([.. g.Servers.Select(s => (JsonNode)s)]),
                ["exit_code"] = g.Exit,
                ["success"] = g.Success,
            };
            CommandResults.AddOutput(o, g.Output, budget);
            if (CommandResults.Denial(g.Output) is { } denial)
                o["sudo_denial"] = denial;
            groupList.Add((JsonNode)o);
        }
        var summary = new JsonObject { ["servers"] = runs.Count, ["succeeded"] = succeeded, ["failed"] = failed };
        if (pending > 0)
            summary["awaiting_approval"] = pending;
        if (timedOut > 0)
            summary["timed_out"] = timedOut;
        if (errors > 0)
            summary["errors"] = errors;
        if (cancelled > 0)
            summary["cancelled"] = cancelled;
        summary["distinct_results"] = groupList.Count;
        return new JsonObject
        {
            ["command"] = line,
            ["parallel"] = parallel,
            ["summary"] = summary,
            ["groups"] = groupList,
            ["results"] = results,
        };
    }

    /// <summary>
    /// The call's failure when the command could not run on any server (every result is an error: the submission
    /// failed, or the command ended without running): then the call is an error, with every server's result in its
    /// details. Partial failure stays a success that lists each server's error. Nothing is resubmitted here either.
    /// </summary>
    private static ToolFailureException? NoneRan(JsonObject data, int servers)
    {
        if (servers == 0 || (int?)data["summary"]?["errors"] != servers)
            return null;
        var results = data["results"]!.AsArray().OfType<JsonObject>().ToList();
        var messages = results.Select(r => (string?)r["message"]).OfType<string>().Distinct(StringComparer.Ordinal).ToList();
        var first = messages.FirstOrDefault() ?? "unknown error";
        var message = servers == 1
            ? $"Running the command failed on {(string?)results[0]["server_name"] ?? (string?)results[0]["server_id"]}: {first}"
            : $"Running the command failed on every server ({servers}): {first}" + (messages.Count > 1 ? $" (and {messages.Count - 1} other errors: see details.results)" : "");
        var hints = results.Select(r => (string?)r["hint"]).Distinct(StringComparer.Ordinal).ToList();
        var hint = hints is [{ } shared] ? shared : "No server ran the command: see details.results for each server's error and hint.";
        // A submission that timed out, lost its connection or got a 5xx may have created the command all the same.
        if (hint != MaybeCreatedHint && results.Any(r => (bool?)r["may_have_been_created"] == true))
            hint += " " + MaybeCreatedHint;
        var statuses = results.Select(r => (int?)r["status_code"]).Distinct().ToList();
        var codes = results.Select(r => (string?)r["error_code"]).Distinct(StringComparer.Ordinal).ToList();
        return new ToolFailureException(message, hint, data, statuses is [{ } status] ? status : null, codes is [{ } code] ? code : null);
    }

    /// <summary>
    /// Sends status changes and output as MCP progress notifications (when the client asked for them with a progress
    /// token; otherwise the SDK's reporter does nothing). MCP requires each notification's progress to be larger than
    /// the one before. For one server it counts updates. For several it counts finished runs out of the total, every
    /// run that ended counting (completed, failed, timed out or errored), so it reaches the total; the updates between
    /// two ends move it on by ever smaller steps below the next whole number. An update whose value a float can no
    /// longer place above the last one is not sent (its output is still in the result).
    /// </summary>
    private sealed class ProgressReporter(IProgress<ProgressNotificationValue>? progress, bool single, int total = 1)
    {
        private const int MaxMessage = 2000;
        private readonly Lock gate = new();
        private int updates;
        private int finished;
        private int sinceEnd;
        private float last = float.NegativeInfinity;

        public void Report(CommandRun run, CommandUpdate update)
        {
            if (progress is null || (single && update.Ended))
                return; // one server's end is the result itself
            lock (gate)
            {
                var server = run.Submitted?["server"]?["name"]?.ToString() ?? run.Request.ServerId;
                string message;
                float value;
                if (update.Ended)
                {
                    finished++;
                    sinceEnd = 0;
                    value = finished;
                    message = $"{server}: {update.Status} ({finished} of {total} done)";
                }
                else
                {
                    if (update.Output is { } output)
                    {
                        var text = output.Length <= MaxMessage ? output : "…" + output[^MaxMessage..];
                        message = single ? text : $"{server}: {text}";
                    }
                    else
                    {
                        message = $"{server}: {update.Status}";
                    }
                    sinceEnd++;
                    value = single ? ++updates : (float)(finished + sinceEnd / (sinceEnd + 1.0));
                    if (!single && value >= finished + 1)
                        return; // rounded up to the next end's value, which that end must still be able to exceed
                }
                if (value <= last)
                    return;
                last = value;
                progress.Report(single
                    ? new ProgressNotificationValue { Progress = value, Message = message }
                    : new ProgressNotificationValue { Progress = value, Total = total, Message = message });
            }
        }
    }
}
