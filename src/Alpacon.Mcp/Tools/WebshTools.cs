using System.ComponentModel;
using System.Text.Json.Nodes;
using Alpacon.Api;
using Alpacon.Api.Configuration;
using Alpacon.Api.Websh;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace Alpacon.Mcp.Tools;

/// <summary>
/// Websh: interactive shell sessions over WebSocket. Commands run in the session's shell (state such as the working
/// directory and variables persists between calls), framed by a marker carrying a nonce and the exit status, so
/// each result has the command's whole output and exit code and never depends on a pause in the output.
/// WebSocket URLs are bearer credentials (alpacon-api.md §3): no result carries one, not even masked; channel and
/// session ids name what a URL would.
/// </summary>
[McpServerToolType]
public sealed class WebshTools(ToolRunner runner, WebshClient client, ChannelPool pool, WorkspaceDirectory workspaces, AlpaconApiOptions api)
{
    private const string TimeoutDescription = "Seconds to wait for the command to finish (1-600), counted from the call: waiting behind another command in the same session, and for the shell to be ready on a new channel or after an interrupt, counts too (a command not typed in time is not typed at all, and the call fails). On timeout the output so far is returned with timed_out=true and the command is interrupted with Ctrl-C, so the shell stays usable.";
    private const string MaxOutputDescription = "Most characters of output to return (256-1000000, default 16384). Longer output keeps its head and tail with a note of what was cut.";
    private const string SessionIdDescription = "Websh session UUID, as returned by websh_session_create or websh_sessions_list.";
    private const int DefaultMaxOutput = 16384;
    private const int MaxCommandLength = 64 * 1024;

    [McpServerTool(Name = "websh_session_create", Title = "Create Websh session", ReadOnly = false, Destructive = false, Idempotent = false, OpenWorld = true)]
    [Description("Open an interactive shell (Websh) session on a server and connect to it at once, so the session is ready for websh_command_execute and shows alpacon-mcp as its client. Maps to POST /api/websh/sessions/ and a WebSocket to the session's master channel. Returns the session id and the pooled channel id (the WebSocket URL is a credential and is not returned). Prefer the Command API for one-off commands; use Websh when state (cd, variables) must persist. Close it with websh_session_terminate when done.")]
    public Task<CallToolResult> WebshSessionCreate(
        [Description(Args.ServerIdDescription)] string server_id,
        [Description("Linux account to log in as; default: the account of the token's user.")] string? username = null,
        [Description(Args.RegionDescription)] string region = "ap1",
        [Description(Args.WorkspaceDescription)] string? workspace = null,
        CancellationToken cancellationToken = default) =>
        runner.RunAsync(region, workspace, server_id, async (ws, ct) =>
        {
            var id = Args.Uuid(server_id, "server_id");
            var user = Args.OptionalAccountName(username, "username");
            var created = await client.CreateSessionAsync(ws, id, user, ct).ConfigureAwait(false) as JsonObject
                ?? throw new WebshException("The API answered the session creation without a body.");
            var result = SessionSummary(created);
            var sessionId = (string?)created["id"];
            var channelId = (string?)created["userchannel_id"];
            var url = (string?)created["websocket_url"];
            if (sessionId is null || channelId is null || url is null)
            {
                result["connected"] = false;
                result["connect_error"] = "The API returned no userchannel_id or websocket_url; use websh_session_reconnect.";
                return result;
            }
            var target = WebshUrls.Rebase(url, ws.BaseUrl);
            result["channel_id"] = channelId;
            try
            {
                await pool.ConnectAsync(channelId, target, ws, sessionId, ct).ConfigureAwait(false);
                result["connected"] = true;
            }
            catch (WebshException e)
            {
                // The session exists either way: say so, and how to attach to it.
                result["connected"] = false;
                result["connect_error"] = e.Message;
                result["hint"] = "The session was created but its channel did not connect; call websh_session_reconnect with this session id.";
            }
            return result;
        }, cancellationToken);

    [McpServerTool(Name = "websh_sessions_list", Title = "List Websh sessions", ReadOnly = true, Destructive = false, Idempotent = true, OpenWorld = true)]
    [Description("List open Websh sessions (newest first, at most 100), optionally of one server: id, server, account, client User-Agent, start time, whether alpacon-mcp opened it, and the channels this server holds open to it. Maps to GET /api/websh/sessions/?is_connectable=true.")]
    public Task<CallToolResult> WebshSessionsList(
        [Description("Only sessions on this server (UUID, from servers_list); omit for all servers.")] string? server_id = null,
        [Description(Args.RegionDescription)] string region = "ap1",
        [Description(Args.WorkspaceDescription)] string? workspace = null,
        CancellationToken cancellationToken = default) =>
        runner.RunAsync(region, workspace, Args.Optional(server_id), async (ws, ct) =>
        {
            var id = Args.OptionalUuid(server_id, "server_id");
            var (items, total) = await client.ListSessionsAsync(ws, id, 100, ct).ConfigureAwait(false);
            var sessions = new JsonArray();
            foreach (var item in items.OfType<JsonObject>())
            {
                var summary = SessionSummary(item);
                summary["opened_by_alpacon_mcp"] = ((string?)item["user_agent"])?.Contains("alpacon-mcp", StringComparison.Ordinal) == true;
                if ((string?)item["id"] is { } sessionId)
                    summary["pooled_channels"] = new JsonArray([.. pool.ForSession(ws, sessionId).Where(c => c.IsOpen).Select(c => (JsonNode)c.Id)]);
                sessions.Add((JsonNode)summary);
            }
            return new JsonObject { ["count"] = sessions.Count, ["total"] = total, ["sessions"] = sessions };
        }, cancellationToken);

    [McpServerTool(Name = "websh_command_execute", Title = "Run command in Websh session", ReadOnly = false, Destructive = true, Idempotent = false, OpenWorld = true)]
    [Description("Run a shell command in an open Websh session and return its output, exit_code, timed_out and duration_ms. The session's shell keeps its state between calls (cd, variables), as a terminal does. There is no REST endpoint for this: the command is typed on the session's WebSocket (a pooled channel, opened with /api/websh/user-channels/ when needed) and its end is detected by a marker with the exit status, never by waiting for silence. Output is cleaned of prompts, echo and colours and limited to max_output_chars. Commands that page (systemctl, git log) should get --no-pager or '| cat'; commands that wait for input time out and are interrupted.")]
    public Task<CallToolResult> WebshCommandExecute(
        [Description(SessionIdDescription)] string session_id,
        [Description("Shell command line, run as typed in the terminal (several lines allowed).")] string command,
        [Description(Args.RegionDescription)] string region = "ap1",
        [Description(Args.WorkspaceDescription)] string? workspace = null,
        [Description(TimeoutDescription)] int timeout = 10,
        [Description(MaxOutputDescription)] int max_output_chars = DefaultMaxOutput,
        CancellationToken cancellationToken = default) =>
        runner.RunAsync(region, workspace, null, async (ws, ct) =>
        {
            var id = Args.Uuid(session_id, "session_id");
            var (text, wait, budget) = ExecutionArgs(command, timeout, max_output_chars);
            var channel = await SessionChannelAsync(ws, id, ct).ConfigureAwait(false);
            WebshExecution execution;
            try
            {
                execution = await channel.ExecuteAsync(text, wait, ct).ConfigureAwait(false);
            }
            catch (WebshChannelClosedException e) when (e.PartialOutput is null && !e.Closure.IsCleanEnd)
            {
                // The channel died (or was replaced) before the command was sent: nothing ran, so the session's current
                // channel, or a fresh one, may run it.
                await pool.RemoveAsync(channel, "dropped").ConfigureAwait(false);
                channel = await SessionChannelAsync(ws, id, ct).ConfigureAwait(false);
                execution = await ExecuteAsync(channel, text, wait, ct).ConfigureAwait(false);
            }
            catch (WebshChannelClosedException)
            {
                await pool.RemoveAsync(channel, "closed").ConfigureAwait(false);
                throw;
            }
            if (execution.SessionEnded)
                await pool.RemoveAsync(channel, "session ended").ConfigureAwait(false);
            var result = new JsonObject { ["session_id"] = id };
            return ExecutionJson(result, channel, execution, budget);
        }, cancellationToken);

    [McpServerTool(Name = "websh_session_reconnect", Title = "Reconnect Websh session", ReadOnly = false, Destructive = false, Idempotent = false, OpenWorld = true)]
    [Description("Attach to an open Websh session again (after a dropped connection, or to a session opened elsewhere by the same user): creates a new user channel with POST /api/websh/user-channels/ (is_master=true, read_only=false), connects it and pools it in place of this server's previous channels of the session, which are closed (a command still running on one goes on in the shell, but its call returns an error). The shell, its working directory and variables are unchanged. Returns the new channel id (the WebSocket URL is a credential and is not returned) and the channels it replaced.")]
    public Task<CallToolResult> WebshSessionReconnect(
        [Description(SessionIdDescription)] string session_id,
        [Description(Args.RegionDescription)] string region = "ap1",
        [Description(Args.WorkspaceDescription)] string? workspace = null,
        CancellationToken cancellationToken = default) =>
        runner.RunAsync(region, workspace, null, async (ws, ct) =>
        {
            var id = Args.Uuid(session_id, "session_id");
            // Replaced, not added to: commands run one at a time only on one channel, and two would type into one shell.
            var (channel, _, previous) = await pool.ReplaceForSessionAsync(ws, id, c => NewChannelAsync(ws, id, c), ct).ConfigureAwait(false);
            return new JsonObject
            {
                ["session_id"] = id,
                ["channel_id"] = channel.Id,
                ["connected"] = channel.IsOpen,
                ["replaced_channels"] = ReplacedJson(previous),
            };
        }, cancellationToken);

    [McpServerTool(Name = "websh_session_terminate", Title = "Terminate Websh session", ReadOnly = false, Destructive = true, Idempotent = true, OpenWorld = true)]
    [Description("Close a Websh session: its shell ends (running commands are killed) and every channel is closed by the server with code 4000. Maps to POST /api/websh/sessions/{id}/close/; this server's pooled channels of the session are removed.")]
    public Task<CallToolResult> WebshSessionTerminate(
        [Description(SessionIdDescription)] string session_id,
        [Description(Args.RegionDescription)] string region = "ap1",
        [Description(Args.WorkspaceDescription)] string? workspace = null,
        CancellationToken cancellationToken = default) =>
        runner.RunAsync(region, workspace, null, async (ws, ct) =>
        {
            var id = Args.Uuid(session_id, "session_id");
            await client.CloseSessionAsync(ws, id, ct).ConfigureAwait(false);
            var channels = new JsonArray();
            foreach (var channel in pool.ForSession(ws, id))
            {
                // The server closes the sockets itself (4000); wait briefly for that, then let go either way.
                await channel.WaitClosedAsync(TimeSpan.FromSeconds(3), ct).ConfigureAwait(false);
                channels.Add((JsonNode)new JsonObject
                {
                    ["channel_id"] = channel.Id,
                    ["close_code"] = channel.Closed?.Code,
                    ["clean"] = channel.Closed?.IsCleanEnd ?? false,
                });
                await pool.RemoveAsync(channel, "session terminated").ConfigureAwait(false);
            }
            return new JsonObject { ["session_id"] = id, ["closed"] = true, ["channels"] = channels };
        }, cancellationToken);

    [McpServerTool(Name = "websh_websocket_execute", Title = "Run command over Websh URL", ReadOnly = false, Destructive = true, Idempotent = false, OpenWorld = true)]
    [Description("Run one command over a Websh WebSocket URL (from the Alpacon API or CLI) and return output, exit_code, timed_out and duration_ms, as websh_command_execute does. Uses the pooled channel for that URL if there is one, else connects, runs and disconnects. Only URLs on the host of a configured workspace are accepted, so this tool cannot reach arbitrary hosts.")]
    public Task<CallToolResult> WebshWebsocketExecute(
        [Description("Websh WebSocket URL (ws:// or wss://, /ws/websh/<channel_id>/<token>/) on a configured workspace's host.")] string websocket_url,
        [Description("Shell command line, run as typed in the terminal.")] string command,
        [Description(TimeoutDescription)] int timeout = 10,
        [Description(MaxOutputDescription)] int max_output_chars = DefaultMaxOutput,
        CancellationToken cancellationToken = default) =>
        runner.RunLocalAsync(async ct =>
        {
            var (ws, url) = AuthorizeUrl(websocket_url);
            var (text, wait, budget) = ExecutionArgs(command, timeout, max_output_chars);
            var channelId = WebshUrls.ChannelId(url) ?? "unpooled";
            if (pool.Find(channelId) is { IsOpen: true } pooled)
                return (ExecutionJson(new JsonObject(), pooled, await ExecuteAsync(pooled, text, wait, ct).ConfigureAwait(false), budget, pooledChannel: true), ws.Region, ws.Workspace);
            var info = new WebshChannelInfo(channelId, null, ws.Region, ws.Workspace, WebshUrls.Mask(url), DateTimeOffset.UtcNow);
            await using var channel = await WebshChannel.ConnectAsync(url, info, WebshUrls.Origin(ws.BaseUrl), api.UserAgent, pool.Options, ct).ConfigureAwait(false);
            var execution = await channel.ExecuteAsync(text, wait, ct).ConfigureAwait(false);
            return (ExecutionJson(new JsonObject(), channel, execution, budget, pooledChannel: false), ws.Region, ws.Workspace);
        }, cancellationToken);

    [McpServerTool(Name = "websh_channel_connect", Title = "Connect Websh channel", ReadOnly = false, Destructive = false, Idempotent = true, OpenWorld = true)]
    [Description("Connect to a Websh user channel by its WebSocket URL and pool it as its session's channel, for websh_channel_execute and websh_command_execute, in place of any other channel of the session this server holds. A session has one pooled channel so that commands never type into its shell at once: the channels replaced are closed as websh_session_reconnect does (a command still running on one goes on in the shell, but its call returns an error) and listed in replaced_channels. Connecting a channel that is already pooled and open reuses it. Sessions made by websh_session_create and websh_session_reconnect are pooled already. Only URLs on the host of a configured workspace are accepted.")]
    public Task<CallToolResult> WebshChannelConnect(
        [Description("User channel id (the <channel_id> in /ws/websh/<channel_id>/<token>/).")] string channel_id,
        [Description("Websh WebSocket URL from user channel creation (ws:// or wss:// on a configured workspace's host).")] string websocket_url,
        [Description("Session id the channel belongs to (the URL does not say): the channel becomes the session's pooled channel, which websh_command_execute uses.")] string session_id,
        CancellationToken cancellationToken = default) =>
        runner.RunLocalAsync(async ct =>
        {
            var id = ChannelId(channel_id);
            var session = Args.Uuid(session_id, "session_id");
            var (ws, url) = AuthorizeUrl(websocket_url);
            if (WebshUrls.ChannelId(url) is { } inUrl && !string.Equals(inUrl, id, StringComparison.OrdinalIgnoreCase))
                throw new ToolInputException($"'channel_id' is {id} but the URL is for channel {Args.Shorten(inUrl)}.", "Pass the id that appears in the URL.");
            // A channel is pooled under one session: taking it for another would close that session's own channels.
            if (pool.Find(id) is { IsOpen: true } pooled && pooled.Info.SessionId != session)
                throw new ToolInputException($"Channel {id} is pooled as a channel of session {pooled.Info.SessionId ?? "(none)"}, not {session}.", "Pass the session the channel belongs to (websh_channels_list shows it).");
            // Replaced, not added to, as websh_session_reconnect does: two pooled channels of one session would each
            // take commands, and their keys would interleave in the one shell.
            var (channel, reused, previous) = await pool.ReplaceForSessionAsync(ws, session, _ => Task.FromResult((id, url)), ct).ConfigureAwait(false);
            var data = new JsonObject
            {
                ["channel_id"] = channel.Id,
                ["session_id"] = channel.Info.SessionId,
                ["connected"] = channel.IsOpen,
                ["reused"] = reused,
                ["replaced_channels"] = ReplacedJson(previous),
            };
            return (data, ws.Region, ws.Workspace);
        }, cancellationToken);

    [McpServerTool(Name = "websh_channel_execute", Title = "Run command on Websh channel", ReadOnly = false, Destructive = true, Idempotent = false, OpenWorld = true)]
    [Description("Run a command on a pooled Websh channel (see websh_channels_list) and return output, exit_code, timed_out and duration_ms. Calls on the same channel run one after another. A channel found dead is reported and removed from the pool.")]
    public Task<CallToolResult> WebshChannelExecute(
        [Description("Pooled user channel id (websh_channels_list).")] string channel_id,
        [Description("Shell command line, run as typed in the terminal.")] string command,
        [Description(TimeoutDescription)] int timeout = 10,
        [Description(MaxOutputDescription)] int max_output_chars = DefaultMaxOutput,
        CancellationToken cancellationToken = default) =>
        runner.RunLocalAsync(async ct =>
        {
            var id = ChannelId(channel_id);
            var (text, wait, budget) = ExecutionArgs(command, timeout, max_output_chars);
            var channel = pool.Find(id)
                ?? throw new ToolInputException($"No channel {id} is in the pool.", "websh_channels_list shows the pooled channels; websh_session_reconnect or websh_channel_connect opens one.");
            var execution = await ExecuteAsync(channel, text, wait, ct).ConfigureAwait(false);
            if (execution.SessionEnded)
                await pool.RemoveAsync(channel, "session ended").ConfigureAwait(false);
            return (ExecutionJson(new JsonObject(), channel, execution, budget), channel.Info.Region, channel.Info.Workspace);
        }, cancellationToken);

    [McpServerTool(Name = "websh_channels_list", Title = "List Websh channels", ReadOnly = true, Destructive = false, Idempotent = true, OpenWorld = false)]
    [Description("List the Websh channels this server holds open: channel and session ids, workspace, state, idle time and commands run. A channel that has died (session ended, connection dropped, ping unanswered) is shown once with why, and removed.")]
    public Task<CallToolResult> WebshChannelsList(CancellationToken cancellationToken = default) =>
        runner.RunLocalAsync(async _ =>
        {
            var list = new JsonArray();
            foreach (var (channel, open) in await pool.ListAsync().ConfigureAwait(false))
            {
                var entry = new JsonObject
                {
                    ["channel_id"] = channel.Id,
                    ["session_id"] = channel.Info.SessionId,
                    ["region"] = channel.Info.Region,
                    ["workspace"] = channel.Info.Workspace,
                    ["state"] = open ? "open" : "dead",
                    ["connected_at"] = channel.Info.ConnectedAt.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
                    ["idle_seconds"] = (long)channel.IdleFor.TotalSeconds,
                    ["executions"] = channel.Executions,
                };
                if (!open)
                {
                    entry["ended"] = channel.Closed?.ToString();
                    entry["removed"] = true;
                }
                list.Add((JsonNode)entry);
            }
            return ((JsonNode?)new JsonObject { ["count"] = list.Count, ["channels"] = list }, null, null);
        }, cancellationToken);

    [McpServerTool(Name = "websh_channel_disconnect", Title = "Disconnect Websh channel", ReadOnly = false, Destructive = false, Idempotent = true, OpenWorld = false)]
    [Description("Close a pooled Websh channel's WebSocket and remove it from the pool. The session stays open on the server (websh_session_terminate ends it).")]
    public Task<CallToolResult> WebshChannelDisconnect(
        [Description("Pooled user channel id to disconnect.")] string channel_id,
        CancellationToken cancellationToken = default) =>
        runner.RunLocalAsync(async _ =>
        {
            var id = ChannelId(channel_id);
            var channel = pool.Find(id);
            var disconnected = await pool.DisconnectAsync(id).ConfigureAwait(false);
            var data = new JsonObject { ["channel_id"] = id, ["disconnected"] = disconnected };
            if (!disconnected)
                data["note"] = "The channel was not in the pool (already disconnected or never connected).";
            return (data, channel?.Info.Region, channel?.Info.Workspace);
        }, cancellationToken);

    /// <summary>The session's pooled channel, or a new one (found or opened atomically per session).</summary>
    private Task<WebshChannel> SessionChannelAsync(WorkspaceTarget ws, string sessionId, CancellationToken ct) =>
        pool.ForSessionAsync(ws, sessionId, c => NewChannelAsync(ws, sessionId, c), ct);

    /// <summary>Creates a user channel on an open session: its id and WebSocket URL, for the pool to connect.</summary>
    private async Task<(string ChannelId, Uri Url)> NewChannelAsync(WorkspaceTarget ws, string sessionId, CancellationToken ct)
    {
        var detail = await client.GetSessionAsync(ws, sessionId, ct).ConfigureAwait(false);
        if (detail?["closed_at"] is JsonValue closed && closed.GetValueKind() == System.Text.Json.JsonValueKind.String)
            throw new WebshException($"Websh session {sessionId} was closed at {closed}.", "Create a new session with websh_session_create.");
        var created = await client.CreateUserChannelAsync(ws, sessionId, cancellationToken: ct).ConfigureAwait(false);
        var channelId = (string?)created?["id"];
        var url = (string?)created?["websocket_url"];
        if (channelId is null || url is null)
            throw new WebshException("The API created a user channel without an id or websocket_url.");
        return (channelId, WebshUrls.Rebase(url, ws.BaseUrl));
    }

    /// <summary>The channels a new one of their session replaced: each with its state when it was closed, and why it had ended.</summary>
    private static JsonArray ReplacedJson(IReadOnlyList<(string ChannelId, WebshClosure? Ended)> previous)
    {
        var replaced = new JsonArray();
        foreach (var (channelId, ended) in previous)
        {
            var entry = new JsonObject { ["channel_id"] = channelId, ["state"] = ended is null ? "open" : "dead" };
            if (ended is not null)
                entry["ended"] = ended.ToString();
            replaced.Add((JsonNode)entry);
        }
        return replaced;
    }

    /// <summary>Runs on a pooled channel; a channel that turns out closed is removed from the pool before the error goes up.</summary>
    private async Task<WebshExecution> ExecuteAsync(WebshChannel channel, string command, TimeSpan timeout, CancellationToken ct)
    {
        try
        {
            return await channel.ExecuteAsync(command, timeout, ct).ConfigureAwait(false);
        }
        catch (WebshChannelClosedException)
        {
            await pool.RemoveAsync(channel, "closed").ConfigureAwait(false);
            throw;
        }
    }

    private (WorkspaceTarget Workspace, Uri Url) AuthorizeUrl(string websocketUrl)
    {
        var url = Args.Required(websocketUrl, "websocket_url", 2048).Trim();
        try
        {
            var ws = WebshUrls.Authorize(url, workspaces.All());
            return (ws, new Uri(url));
        }
        catch (ArgumentException e)
        {
            throw new ToolInputException(e.Message, "Use a URL returned for one of your configured workspaces; websh_session_reconnect gives a fresh channel without handling URLs.");
        }
    }

    /// <summary>A user channel id: a UUID, as Alpacon gives every channel (the id in /ws/websh/&lt;channel_id&gt;/&lt;token&gt;/).</summary>
    private static string ChannelId(string? value)
    {
        try
        {
            return Args.Uuid(value, "channel_id");
        }
        catch (ToolInputException e)
        {
            throw new ToolInputException(e.Message, "websh_channels_list shows the pooled channel ids.");
        }
    }

    private static (string Command, TimeSpan Timeout, int Budget) ExecutionArgs(string command, int timeout, int maxOutput)
    {
        var text = Args.Required(command, "command", MaxCommandLength);
        if (Marker.Problem(text) is { } problem)
            throw new ToolInputException(problem);
        Args.Range(timeout, "timeout", 1, 600);
        Args.Range(maxOutput, "max_output_chars", 256, 1_000_000);
        return (text, TimeSpan.FromSeconds(timeout), maxOutput);
    }

    private static JsonObject ExecutionJson(JsonObject result, WebshChannel channel, WebshExecution e, int budget, bool pooledChannel = true)
    {
        var output = TerminalText.Budget(e.Output, budget, e.DroppedChars, e.DroppedLines);
        if (pooledChannel)
            result["channel_id"] = channel.Id;
        if (channel.Info.SessionId is { } session && !result.ContainsKey("session_id"))
            result["session_id"] = session;
        result["output"] = output.Text;
        result["exit_code"] = e.ExitCode;
        result["timed_out"] = e.TimedOut;
        result["duration_ms"] = (long)e.Duration.TotalMilliseconds;
        if (e.Queued > TimeSpan.FromMilliseconds(50))
            result["queued_ms"] = (long)e.Queued.TotalMilliseconds;
        if (output.Truncated)
            result["truncated"] = new JsonObject { ["total_chars"] = output.TotalChars, ["cut_chars"] = output.CutChars, ["cut_lines"] = output.CutLines };
        if (e.TimedOut)
            result["note"] = "The command did not finish in time and was interrupted with Ctrl-C; the output so far is shown. Raise 'timeout' for slow commands; commands waiting for input cannot be answered here.";
        if (e.SessionEnded)
        {
            result["session_ended"] = true;
            result["note"] = "The shell exited and the session ended; create a new one with websh_session_create.";
        }
        return result;
    }

    /// <summary>The fields of a session an assistant needs; never its websocket_url.</summary>
    private static JsonObject SessionSummary(JsonObject s) => new()
    {
        ["id"] = s["id"]?.DeepClone(),
        ["server"] = s["server"] is JsonObject server ? new JsonObject { ["id"] = server["id"]?.DeepClone(), ["name"] = server["name"]?.DeepClone() } : s["server"]?.DeepClone(),
        ["username"] = s["username"]?.DeepClone(),
        ["groupname"] = s["groupname"]?.DeepClone(),
        ["rows"] = s["rows"]?.DeepClone(),
        ["cols"] = s["cols"]?.DeepClone(),
        ["user_agent"] = s["user_agent"]?.DeepClone(),
        ["remote_ip"] = s["remote_ip"]?.DeepClone(),
        ["added_at"] = s["added_at"]?.DeepClone(),
        ["closed_at"] = s["closed_at"]?.DeepClone(),
    };
}
