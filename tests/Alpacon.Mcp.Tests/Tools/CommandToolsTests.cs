using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using Alpacon.Api.Http;
using Alpacon.Emulator.Commands;
using Alpacon.Emulator.Core;
using Alpacon.Emulator.Faults;
using Alpacon.Mcp.Tests.Infrastructure;
using Alpacon.Mcp.Tools;
using Microsoft.Extensions.DependencyInjection;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using Xunit.Abstractions;
using static Alpacon.Mcp.Tests.Infrastructure.McpHarness;

namespace Alpacon.Mcp.Tests.Tools;

[Collection(EmulatorCollection.Name)]
public sealed class CommandToolsTests(EmulatorFixture emulator, ITestOutputHelper output)
{
    private const string Root = "/api/events/commands/";
    private static readonly string Web01 = Seed.ServerId("web-01");
    private static readonly string Db01 = Seed.ServerId("db-01");
    private static readonly string Legacy01 = Seed.ServerId("legacy-01");

    private CommandStore Store => emulator.Emulator.Services.GetRequiredService<CommandStore>();

    private RequestJournal Journal => emulator.Emulator.Journal;

    private IReadOnlyList<JournalEntry> Since(TimeSpan before, string method, string path) =>
        [.. Journal.Matching(method, path).Where(e => e.At >= before && e.Path == path)];

    private CommandRecord Find(string? id) => Store.Find(id) ?? throw new InvalidOperationException($"no command {id}");

    /// <summary>A command that waits in <c>scheduled</c> for an hour: cancellable, and untouched by the agent meanwhile.</summary>
    private CommandRecord Scheduled(string serverId, string line)
    {
        Server server;
        lock (emulator.Emulator.World.Gate)
            server = emulator.Emulator.World.FindServer(serverId)!;
        return Store.Submit(server, null, "system", line, null, "", "alpacon", new Dictionary<string, string>(), DateTimeOffset.UtcNow.AddHours(1));
    }

    private static async Task Eventually(Func<bool> condition)
    {
        for (var i = 0; i < 600 && !condition(); i++)
            await Task.Delay(25);
        Assert.True(condition());
    }

    [Fact]
    public async Task ExecuteCommand_ReturnsOutputAndExitCode_FromOnePost()
    {
        await using var c = await ConnectAsync(emulator);
        var before = Journal.Elapsed;
        var body = Success(await c.CallAsync("execute_command", new() { ["server_id"] = Web01, ["command"] = "cat /etc/hostname" }));

        var data = body["data"]!;
        Assert.Equal("web-01\n", (string?)data["output"]);
        Assert.Equal(0, (int?)data["exit_code"]);
        Assert.True((bool?)data["success"]);
        Assert.Equal("success", (string?)data["status"]);
        Assert.True((bool?)data["completed"]);
        Assert.NotNull(data["elapsed_time"]);
        Assert.Equal(Web01, (string?)body["server_id"]);
        var post = Assert.Single(Since(before, "POST", Root));
        var sent = JsonNode.Parse(post.Body!)!;
        Assert.Equal("system", (string?)sent["shell"]);
        Assert.Equal(Web01, (string?)sent["server"]);
        Assert.Equal("cat /etc/hostname", (string?)sent["line"]);
        Assert.Equal("success", Find((string?)data["command_id"]).Status);
    }

    [Fact]
    public async Task ExecuteCommand_NoticesCompletionFromTheEventStream_RightAfterTheAgentsFin()
    {
        await using var c = await ConnectAsync(emulator);
        var before = Journal.Elapsed;
        // The safety-net polls read at about 0.1, 0.3, 0.7, 1.5, 2.5 s (CommandWaiter.PollInterval): the fin comes in
        // the middle of a gap, half a second from either poll. (With 'sleep 0.7' it came at the third poll, and a busy
        // machine decided which of the two noticed it first.)
        var data = Success(await c.CallAsync("execute_command", new() { ["server_id"] = Web01, ["command"] = "echo start; sleep 2; echo done" }))["data"]!;
        var id = (string)data["command_id"]!;

        Assert.Equal("start\ndone\n", (string?)data["output"]); // streamed in two chunks: rebuilt from /chunks/
        Assert.Equal("event_stream", (string?)data["noticed_via"]);
        var fin = Assert.Single(Since(before, "POST", $"{Root}{id}/fin/"));
        var reads = Since(before, "GET", $"{Root}{id}/");
        var final = Assert.Single(reads, r => r.At >= fin.At);
        // The read that found the end came after the fin, and nothing polled after it.
        Assert.True(final.Sequence == reads.Max(r => r.Sequence));
        Assert.Single(Since(before, "GET", $"{Root}{id}/chunks/"), ch => ch.At >= fin.At);
        Assert.Single(Since(before, "POST", "/api/events/sessions/"));
        output.WriteLine($"fin handled at {fin.CompletedAt!.Value.TotalMilliseconds:0.0} ms, final read at {final.At.TotalMilliseconds:0.0} ms: {(final.At - fin.CompletedAt.Value).TotalMilliseconds:0.0} ms after; {reads.Count} reads in all");
    }

    [Fact]
    public async Task ExecuteCommand_UnderA503_PostsOnce_AndReportsTheFailure()
    {
        await using var c = await ConnectAsync(emulator);
        var before = Journal.Elapsed;
        Store.FailNextSubmissions(1);
        var error = Error(await c.CallAsync("execute_command", new() { ["server_id"] = Web01, ["command"] = "uptime" }));

        Assert.Equal(503, (int?)error["status_code"]);
        Assert.Single(Since(before, "POST", Root));
        Assert.DoesNotContain(Journal.Entries, e => e.At >= before && e.Method == "GET" && e.Path.StartsWith(Root, StringComparison.Ordinal)); // nothing to wait for
    }

    [Fact]
    public async Task ExecuteCommand_SendsStatusAndOutputAsProgressNotifications()
    {
        await using var c = await ConnectAsync(emulator);
        var progress = new Collector();
        var result = await c.Client.CallToolAsync("execute_command", new Dictionary<string, object?> { ["server_id"] = Web01, ["command"] = "echo one; sleep 0.3; echo two" }, progress);
        Success(result);

        await Eventually(() => progress.Messages.Any(m => m.Contains("two", StringComparison.Ordinal)));
        var messages = progress.Messages.ToList();
        Assert.Contains(messages, m => m.EndsWith(": queued", StringComparison.Ordinal));
        Assert.Contains("one\n", messages);
        Assert.Contains("two\n", messages);
        Assert.True(messages.IndexOf("one\n") < messages.IndexOf("two\n"));
        AssertStrictlyIncreasing(progress.Values.Select(v => v.Progress).ToList());
    }

    /// <summary>MCP: each progress notification carries a larger value than the one before; a repeat is a protocol error.</summary>
    private static void AssertStrictlyIncreasing(IReadOnlyList<float> values)
    {
        Assert.NotEmpty(values);
        for (var i = 1; i < values.Count; i++)
            Assert.True(values[i] > values[i - 1], $"progress {values[i]} after {values[i - 1]} (all: {string.Join(", ", values)})");
    }

    [Fact]
    public async Task ExecuteCommandMultiServer_Progress_GrowsWithEveryNotification_AndReachesTheTotal_CountingErrors()
    {
        await using var c = await ConnectAsync(emulator);
        var progress = new Collector();
        string[] ids = [Web01, Db01, Seed.ServerId("web-02")];
        Store.FailNextSubmissions(1); // one server's submission fails: it ends as an error and still counts as finished

        var result = await c.Client.CallToolAsync("execute_command_multi_server", new Dictionary<string, object?> { ["server_ids"] = ids, ["command"] = "echo one; sleep 0.2; echo two" }, progress);

        var data = Success(result)["data"]!;
        Assert.Equal(1, (int?)data["summary"]!["errors"]);
        await Eventually(() => progress.Values.Any(v => v.Progress == ids.Length));
        var values = progress.Values.ToList();
        // The client may hand notifications over out of order, so the values are checked in the order they were sent.
        AssertStrictlyIncreasing([.. values.Select(v => v.Progress).Order()]);
        Assert.All(values, v => Assert.Equal(ids.Length, v.Total));
        Assert.Equal(ids.Length, values.Max(v => v.Progress));
        Assert.Equal([1f, 2f, 3f], values.Select(v => v.Progress).Where(p => p == MathF.Floor(p) && p > 0).Order());
        Assert.Contains(values, v => (v.Message ?? "").Contains(": error (", StringComparison.Ordinal));
        Assert.Contains(values, v => (v.Message ?? "").Contains("two\n", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ExecuteCommand_WithoutTheEventStream_PassesOnOutput_AndOutputKeepsTheWaitAlive()
    {
        await using var c = await ConnectAsync(emulator);
        var progress = new Collector();
        var before = Journal.Elapsed;
        CallToolResult result;
        // An older server without event streaming: completion and output are seen only by polling. The command prints
        // every 0.8 s and runs past the 2 s timeout, which only its output can keep alive (its status stays running).
        using (emulator.Emulator.Services.GetRequiredService<Alpacon.Emulator.Events.EventHub>().Unavailable())
        {
            result = await c.Client.CallToolAsync("execute_command", new Dictionary<string, object?>
            {
                ["server_id"] = Web01,
                ["command"] = "echo one; sleep 0.8; echo two; sleep 0.8; echo three; sleep 0.8; echo four",
                ["timeout"] = 2,
            }, progress);
        }

        var data = Success(result)["data"]!;
        Assert.True((bool?)data["completed"]);
        Assert.Equal("one\ntwo\nthree\nfour\n", (string?)data["output"]);
        Assert.Equal("poll", (string?)data["noticed_via"]);
        Assert.Equal(404, Assert.Single(Since(before, "POST", "/api/events/sessions/")).Status);
        var id = (string)data["command_id"]!;
        var fin = Assert.Single(Since(before, "POST", $"{Root}{id}/fin/"));
        Assert.True(Since(before, "GET", $"{Root}{id}/chunks/").Count(ch => ch.At < fin.At) >= 2, "new output was read while the command ran");
        // What a poll of the running command found went out as progress; lines printed between two polls arrive together,
        // and the last ones come with the result.
        await Eventually(() => progress.Messages.Any(m => m.Contains("two\n", StringComparison.Ordinal)));
        Assert.Contains(progress.Messages, m => m.StartsWith("one\n", StringComparison.Ordinal));
        AssertStrictlyIncreasing([.. progress.Values.Select(v => v.Progress).Order()]);
    }

    [Fact]
    public async Task ExecuteCommand_CancelledWhileThePostIsInFlight_DeletesTheCreatedCommand()
    {
        await using var c = await ConnectAsync(emulator);
        var before = Journal.Elapsed;
        var line = $"echo in-flight-{Guid.NewGuid():N}";
        // The emulator creates the command at once but holds the POST's answer back: the call is cancelled meanwhile.
        using var slow = emulator.Emulator.Faults.Add(new FaultRule(FaultKind.Latency, Root) { Method = "POST", Count = 1, Delay = TimeSpan.FromSeconds(4) });
        var requestId = new RequestId("cancel-" + Guid.NewGuid().ToString("N"));
        var call = c.Client.SendRequestAsync<CallToolRequestParams, CallToolResult>(
            RequestMethods.ToolsCall,
            new CallToolRequestParams { Name = "execute_command", Arguments = new Dictionary<string, JsonElement> { ["server_id"] = JsonSerializer.SerializeToElement(Legacy01), ["command"] = JsonSerializer.SerializeToElement(line) } },
            McpJsonUtilities.DefaultOptions, requestId).AsTask();
        await Eventually(() => Store.All().Any(r => r.Line == line));
        var post = Assert.Single(Since(before, "POST", Root));
        Assert.Null(post.CompletedAt); // the answer is still held back
        await c.Client.SendNotificationAsync(NotificationMethods.CancelledNotification, new CancelledNotificationParams { RequestId = requestId, Reason = "test" }, McpJsonUtilities.DefaultOptions);

        await Eventually(() => Journal.Matching("DELETE", Root).Any(e => e.At >= before && e.Status != 0));
        var command = Store.All().Single(r => r.Line == line);
        var delete = Assert.Single(Journal.Matching("DELETE", Root), e => e.At >= before);
        Assert.Equal($"{Root}{command.Id}/", delete.Path);
        Assert.Equal(204, delete.Status);
        Assert.Equal("cancelled", command.Status);
        Assert.Equal(201, post.Status); // the POST was not aborted: its answer named the command to cancel
        Assert.True(delete.At >= post.CompletedAt);
        await Task.WhenAny(call, Task.Delay(TimeSpan.FromSeconds(2)));
    }

    [Fact]
    public async Task ExecuteCommand_PostTimesOut_SaysTheCommandMayExist_AndWhereToLook()
    {
        await using var c = await ConnectAsync(emulator, configure: s => s.Api = new Alpacon.Api.AlpaconApiOptions { RequestTimeout = TimeSpan.FromSeconds(1) });
        var before = Journal.Elapsed;
        var line = $"echo maybe-{Guid.NewGuid():N}";
        JsonObject error;
        using (emulator.Emulator.Faults.Add(new FaultRule(FaultKind.Latency, Root) { Method = "POST", Count = 1, Delay = TimeSpan.FromSeconds(6) }))
            error = Error(await c.CallAsync("execute_command", new() { ["server_id"] = Web01, ["command"] = line }));

        Assert.Contains("timed out", (string?)error["message"]);
        Assert.Contains("may have been created", (string?)error["message"]);
        Assert.Contains("check list_commands", (string?)error["hint"]);
        Assert.Single(Since(before, "POST", Root)); // never retried
        Assert.Single(Store.All(), r => r.Line == line); // and indeed created, once
        await Store.WhenFinalAsync(Store.All().Single(r => r.Line == line));
    }

    [Fact]
    public async Task ExecuteCommand_CancelledByTheClient_CancelsTheUndeliveredCommandUpstream()
    {
        await using var c = await ConnectAsync(emulator);
        var before = Journal.Elapsed;
        // The SDK's client does not send notifications/cancelled when a call's token fires, so the test sends the wire
        // sequence a real client (Claude Code on its tool timeout) does: the call, then the cancellation of its id.
        var requestId = new RequestId("cancel-" + Guid.NewGuid().ToString("N"));
        var call = c.Client.SendRequestAsync<CallToolRequestParams, CallToolResult>(
            RequestMethods.ToolsCall,
            new CallToolRequestParams { Name = "execute_command", Arguments = new Dictionary<string, JsonElement> { ["server_id"] = JsonSerializer.SerializeToElement(Legacy01), ["command"] = JsonSerializer.SerializeToElement("ls /") } },
            McpJsonUtilities.DefaultOptions, requestId).AsTask();
        await Eventually(() => Since(before, "POST", Root).Count == 1);
        await c.Client.SendNotificationAsync(NotificationMethods.CancelledNotification, new CancelledNotificationParams { RequestId = requestId, Reason = "test" }, McpJsonUtilities.DefaultOptions);

        await Eventually(() => Journal.Matching("DELETE", Root).Any(e => e.At >= before && e.Status != 0));
        var post = Assert.Single(Since(before, "POST", Root));
        var delete = Assert.Single(Journal.Matching("DELETE", Root), e => e.At >= before);
        var command = Find(delete.Path[Root.Length..].TrimEnd('/'));
        Assert.Equal("ls /", command.Line);
        Assert.Equal(204, delete.Status);
        Assert.Equal("cancelled", command.Status);
        Assert.True(delete.At > post.At);
        await Task.WhenAny(call, Task.Delay(TimeSpan.FromSeconds(2))); // MCP says a cancelled call gets no answer; either way is fine
    }

    [Fact]
    public async Task ExecuteCommand_SudoLine_ReturnsPendingAtOnce_ThenRunsWhenApproved()
    {
        await using var c = await ConnectAsync(emulator);
        var before = Journal.Elapsed;
        var data = Success(await c.CallAsync("execute_command", new() { ["server_id"] = Web01, ["command"] = "sudo cat /etc/hostname" }))["data"]!;
        var id = (string)data["command_id"]!;

        Assert.Equal("awaiting_approval", (string?)data["status"]);
        Assert.True((bool?)data["pending"]);
        Assert.Contains("Do NOT submit it again", (string?)data["next_step"]);
        Assert.Empty(Since(before, "GET", $"{Root}{id}/")); // no polling: the POST's answer said it all

        Assert.True(Store.Approve(id));
        await Store.WhenFinalAsync(Find(id));
        var status = Success(await c.CallAsync("get_command_status", new() { ["command_id"] = id }))["data"]!;
        Assert.Equal("success", (string?)status["status"]);
        Assert.True((bool?)status["completed"]);
        Assert.Equal("web-01\n", (string?)status["output"]);
    }

    [Fact]
    public async Task DeniedCommand_ShowsDenied_AndCanNoLongerBeCancelled()
    {
        await using var c = await ConnectAsync(emulator);
        var id = (string)Success(await c.CallAsync("execute_command", new() { ["server_id"] = Web01, ["command"] = "sudo rm -rf /opt/app" }))["data"]!["command_id"]!;
        Assert.True(Store.Deny(id));
        await Store.WhenFinalAsync(Find(id));

        var status = Success(await c.CallAsync("get_command_status", new() { ["command_id"] = id }))["data"]!;
        Assert.Equal("denied", (string?)status["status"]);
        Assert.False((bool?)status["completed"]);
        var error = Error(await c.CallAsync("delete_command", new() { ["command_id"] = id }));
        Assert.Equal(400, (int?)error["status_code"]);
        Assert.Contains("it is denied", (string?)error["message"]);
        Assert.Contains("before it is delivered", (string?)error["hint"]);
    }

    [Fact]
    public async Task ExecuteCommand_OnADisconnectedServer_FailsFastWhenStuck()
    {
        await using var c = await ConnectAsync(emulator);
        var error = Error(await c.CallAsync("execute_command", new() { ["server_id"] = Legacy01, ["command"] = "uptime" }));

        Assert.Contains("never picked up", (string?)error["message"]);
        Assert.Contains("server_get", (string?)error["hint"]);
        Assert.Equal("stuck", (string?)error["details"]!["status"]);
        Assert.Equal("agent_disconnected", (string?)error["details"]!["error_phase"]);
        Assert.NotNull(error["details"]!["command_id"]);
    }

    [Fact]
    public async Task ExecuteCommand_SilentForLongerThanTheTimeout_ReturnsTheIdToFollow()
    {
        await using var c = await ConnectAsync(emulator);
        var data = Success(await c.CallAsync("execute_command", new() { ["server_id"] = Web01, ["command"] = "sleep 4; echo late", ["timeout"] = 1 }))["data"]!;

        Assert.True((bool?)data["timed_out"]);
        Assert.False((bool?)data["completed"]);
        Assert.Equal("running", (string?)data["status"]);
        Assert.Contains("get_command_status", (string?)data["next_step"]);
        await Store.WhenFinalAsync(Find((string?)data["command_id"]));
    }

    [Fact]
    public async Task ExecuteCommand_TokenAcl_RefusesLinesOutsideIt_WithAHint()
    {
        await using var c = await ConnectAsync(emulator, token: Seed.OperatorToken);
        var allowed = Success(await c.CallAsync("execute_command", new() { ["server_id"] = Web01, ["command"] = "df -h /" }))["data"]!;
        var error = Error(await c.CallAsync("execute_command", new() { ["server_id"] = Web01, ["command"] = "rm -rf /tmp/cache" }));
        var chained = Error(await c.CallAsync("execute_command", new() { ["server_id"] = Web01, ["command"] = "cat /etc/hostname; rm -rf /tmp" }));

        Assert.Equal(0, (int?)allowed["exit_code"]);
        Assert.StartsWith("Filesystem", (string?)allowed["output"]);
        Assert.Equal(403, (int?)error["status_code"]);
        Assert.Equal("api_token_acl_not_allowed", (string?)error["error_code"]);
        Assert.Contains("ACL", (string?)error["hint"]);
        Assert.Equal("api_token_acl_not_allowed", (string?)chained["error_code"]);
    }

    [Fact]
    public async Task ExecuteCommand_InlineCredential_IsRefusedBeforeSubmission()
    {
        await using var c = await ConnectAsync(emulator);
        var before = Journal.Elapsed;
        var error = Error(await c.CallAsync("execute_command", new() { ["server_id"] = Db01, ["command"] = "mysql -uroot -pS3cr3t -e 'select 1'" }));

        Assert.Contains("credential", (string?)error["message"]);
        Assert.Contains("env", (string?)error["hint"]);
        Assert.DoesNotContain("S3cr3t", error.ToJsonString());
        Assert.Empty(Since(before, "POST", Root));
    }

    [Fact]
    public async Task ExecuteCommand_EnvAndData_ReachTheCommand_AndAreNotEchoed()
    {
        await using var c = await ConnectAsync(emulator);
        var before = Journal.Elapsed;
        var body = Success(await c.CallAsync("execute_command", new()
        {
            ["server_id"] = Web01,
            ["command"] = "echo \"token=$API_TOKEN\" | wc -c; cat",
            ["env"] = new JsonObject { ["API_TOKEN"] = "tok-SECRETVALUE" },
            ["data"] = "stdin-SECRETDATA\n",
        }));

        Assert.Equal("22\nstdin-SECRETDATA\n", (string?)body["data"]!["output"]);
        var sent = JsonNode.Parse(Assert.Single(Since(before, "POST", Root)).Body!)!;
        Assert.Equal("tok-SECRETVALUE", (string?)sent["env"]!["API_TOKEN"]);
        Assert.DoesNotContain("SECRETVALUE", body.ToJsonString());
    }

    [Fact]
    public async Task ExecuteCommandMultiServer_GroupsIdenticalOutputs_AndListsTheExceptions()
    {
        await using var c = await ConnectAsync(emulator);
        var before = Journal.Elapsed;
        string[] ids = [.. new[] { "web-01", "web-02", "web-03", "web-04", "db-01", "legacy-01" }.Select(Seed.ServerId)];
        var data = Success(await c.CallAsync("execute_command_multi_server", new() { ["server_ids"] = ids, ["command"] = "head -n 1 /etc/os-release" }))["data"]!;

        Assert.Equal(6, Since(before, "POST", Root).Count);
        Assert.Equal(6, (int?)data["summary"]!["servers"]);
        Assert.Equal(5, (int?)data["summary"]!["succeeded"]);
        Assert.Equal(1, (int?)data["summary"]!["errors"]);
        var groups = data["groups"]!.AsArray();
        Assert.Equal(2, groups.Count);
        Assert.Equal(4, (int?)groups[0]!["count"]);
        Assert.Equal(["web-01", "web-02", "web-03", "web-04"], groups[0]!["servers"]!.AsArray().Select(s => (string)s!).Order());
        Assert.Equal("PRETTY_NAME=\"Ubuntu 22.04.5 LTS\"\n", (string?)groups[0]!["output"]);
        Assert.Equal(["db-01"], groups[1]!["servers"]!.AsArray().Select(s => (string)s!));
        var results = data["results"]!.AsArray();
        Assert.Equal(ids, results.Select(r => (string)r!["server_id"]!));
        Assert.Equal(1, (int?)results[0]!["group"]);
        Assert.Equal(2, (int?)results[4]!["group"]);
        Assert.Equal("stuck", (string?)results[5]!["status"]);
        Assert.Contains("never picked up", (string?)results[5]!["message"]);
    }

    [Fact]
    public async Task ExecuteCommandMultiServer_NoServerCouldRunIt_IsAnError_WithEachServersResult()
    {
        await using var c = await ConnectAsync(emulator);
        var before = Journal.Elapsed;
        string[] ids = [Web01, Db01];
        JsonObject body;
        using (emulator.Emulator.Faults.Add(new FaultRule(FaultKind.ServerError, Root) { Method = "POST", Count = 2 }))
            body = Error(await c.CallAsync("execute_command_multi_server", new() { ["server_ids"] = ids, ["command"] = "hostname" }));

        Assert.StartsWith("Running the command failed on every server (2): POST /api/events/commands/ failed: 503", (string?)body["message"]);
        Assert.Equal(503, (int?)body["status_code"]);
        Assert.Contains("check list_commands", (string?)body["hint"]);
        Assert.Equal(2, (int?)body["details"]!["summary"]!["errors"]);
        Assert.Equal(ids, body["details"]!["results"]!.AsArray().Select(r => (string)r!["server_id"]!));
        Assert.Equal(2, Since(before, "POST", Root).Count); // each submission sent once, never retried
    }

    [Fact]
    public async Task ExecuteCommandMultiServer_Sequential_RunsOneServerAfterTheOther()
    {
        await using var c = await ConnectAsync(emulator);
        var before = Journal.Elapsed;
        var data = Success(await c.CallAsync("execute_command_multi_server", new()
        {
            ["server_ids"] = new[] { Web01, Db01 },
            ["command"] = "hostname",
            ["parallel"] = false,
        }))["data"]!;

        Assert.Equal(2, (int?)data["summary"]!["distinct_results"]);
        var posts = Since(before, "POST", Root);
        var firstId = (string)data["results"]![0]!["command_id"]!;
        var firstFin = Assert.Single(Since(before, "POST", $"{Root}{firstId}/fin/"));
        Assert.True(posts[1].At > firstFin.At, "the second server starts only after the first one ended");
    }

    [Fact]
    public async Task GetCommandStatus_RebuildsOutputFromChunks_WhenResultIsEmpty()
    {
        await using var c = await ConnectAsync(emulator);
        var id = (string)Success(await c.CallAsync("execute_command", new() { ["server_id"] = Web01, ["command"] = "echo a; sleep 0.1; echo b; exit 3" }))["data"]!["command_id"]!;
        var before = Journal.Elapsed;
        var data = Success(await c.CallAsync("get_command_status", new() { ["command_id"] = id }))["data"]!;

        Assert.Equal("", Find(id).Result);
        Assert.Equal("a\nb\n", (string?)data["output"]);
        Assert.Equal(3, (int?)data["exit_code"]);
        Assert.False((bool?)data["success"]);
        Assert.Equal("failed", (string?)data["status"]);
        Assert.True((bool?)data["completed"]);
        Assert.NotNull(data["handled_at"]);
        var chunks = Assert.Single(Since(before, "GET", $"{Root}{id}/chunks/"));
        Assert.Equal("0", chunks.QueryValue("seq__gte"));
        Assert.Equal("seq", chunks.QueryValue("ordering"));
    }

    [Fact]
    public async Task ExecuteCommand_LongOutput_KeepsHeadAndTailWithinTheBudget()
    {
        await using var c = await ConnectAsync(emulator);
        var data = Success(await c.CallAsync("execute_command", new() { ["server_id"] = Web01, ["command"] = "seq 1 20000", ["max_output"] = 1000 }))["data"]!;

        var text = (string)data["output"]!;
        Assert.True((bool?)data["truncated"]);
        Assert.StartsWith("1\n2\n3\n", text);
        Assert.EndsWith("19999\n20000\n", text);
        Assert.InRange(text.Length, 1000, 1100);
        Assert.Equal(Enumerable.Range(1, 20000).Sum(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture).Length + 1), (int?)data["total_bytes"]);
        Assert.Contains("max_output", (string?)data["output_note"]);
    }

    [Fact]
    public async Task DeleteCommand_CancelsAnUndeliveredCommand_AndExplainsWhenItIsTooLate()
    {
        await using var c = await ConnectAsync(emulator);
        var scheduled = Scheduled(Web01, "uptime");
        var before = Journal.Elapsed;
        var ok = Success(await c.CallAsync("delete_command", new() { ["command_id"] = scheduled.Id }))["data"]!;
        Assert.True((bool?)ok["cancelled"]);
        Assert.Equal("cancelled", scheduled.Status);
        Assert.Equal(204, Assert.Single(Since(before, "DELETE", $"{Root}{scheduled.Id}/")).Status);

        var done = (string)Success(await c.CallAsync("execute_command", new() { ["server_id"] = Web01, ["command"] = "uptime" }))["data"]!["command_id"]!;
        var error = Error(await c.CallAsync("delete_command", new() { ["command_id"] = done }));
        Assert.Equal(400, (int?)error["status_code"]);
        Assert.Contains("already been sent to the server", (string?)error["message"]);
        Assert.Contains("runs to completion", (string?)error["hint"]);
        Assert.Equal("success", (string?)error["details"]!["status"]);
    }

    [Fact]
    public async Task AcknowledgeAndFinish_WithAUserToken_AreRefusedAsAgentEndpoints()
    {
        await using var c = await ConnectAsync(emulator);
        var command = Scheduled(Web01, "uptime");
        var ack = Error(await c.CallAsync("acknowledge_command", new() { ["command_id"] = command.Id }));
        var fin = Error(await c.CallAsync("finish_command", new() { ["command_id"] = command.Id, ["result"] = "x" }));

        Assert.Equal(403, (int?)ack["status_code"]);
        Assert.Contains("agent endpoint", (string?)ack["message"]);
        Assert.Contains("get_command_status", (string?)ack["hint"]);
        Assert.Equal(403, (int?)fin["status_code"]);
        Assert.Contains("agent endpoint", (string?)fin["message"]);
        Assert.Equal("scheduled", command.Status);
        Store.Cancel(command);
    }

    [Theory]
    [InlineData(403, "api_token_acl_not_allowed")]
    [InlineData(403, "work_session_required")]
    [InlineData(401, "auth_mfa_required")]
    [InlineData(403, null)]
    public async Task AgentEndpoint_AnyRefusal_IsExplainedAsAnAgentEndpoint_KeepingTheCode(int status, string? code)
    {
        var refusal = new AlpaconApiException($"POST /api/events/commands/x/ack/ failed: {status}", (System.Net.HttpStatusCode)status, code, code is null ? null : new JsonObject { ["code"] = code });

        var e = await Assert.ThrowsAsync<ToolFailureException>(() => CommandTools.AgentEndpoint("ack", () => throw refusal));

        Assert.Contains("agent endpoint", e.Message);
        Assert.Contains("get_command_status", e.Hint);
        Assert.Equal((status, code), (e.StatusCode, e.ErrorCode));
        if (code is not null)
            Assert.Contains(code, e.Message);
    }

    [Fact]
    public async Task AcknowledgeAndFinish_WhereTheApiAllowsIt_PostTheContractBodies()
    {
        await using var c = await ConnectAsync(emulator, token: EmulatorFixture.AgentEndpointsTestToken);
        var command = Scheduled(Web01, "uptime");
        var before = Journal.Elapsed;
        Success(await c.CallAsync("acknowledge_command", new() { ["command_id"] = command.Id }));
        Assert.Equal("running", command.Status);
        Success(await c.CallAsync("finish_command", new() { ["command_id"] = command.Id, ["success"] = false, ["result"] = "boom", ["elapsed_time"] = 1.5, ["exit_code"] = 2 }));

        var ack = Assert.Single(Since(before, "POST", $"{Root}{command.Id}/ack/"));
        Assert.Null(ack.Body);
        var fin = JsonNode.Parse(Assert.Single(Since(before, "POST", $"{Root}{command.Id}/fin/")).Body!)!;
        Assert.False((bool?)fin["success"]);
        Assert.Equal("boom", (string?)fin["result"]);
        Assert.Equal(1.5, (double?)fin["elapsed_time"]);
        Assert.Equal(2, (int?)fin["exit_code"]);
        var status = Success(await c.CallAsync("get_command_status", new() { ["command_id"] = command.Id }))["data"]!;
        Assert.Equal("failed", (string?)status["status"]);
        Assert.Equal("boom", (string?)status["output"]);
        Assert.Equal(2, (int?)status["exit_code"]);
    }

    [Fact]
    public async Task ListCommands_FiltersByServer_NewestFirst()
    {
        await using var c = await ConnectAsync(emulator);
        Success(await c.CallAsync("execute_command", new() { ["server_id"] = Db01, ["command"] = "echo first" }));
        Success(await c.CallAsync("execute_command", new() { ["server_id"] = Db01, ["command"] = "echo second" }));
        var before = Journal.Elapsed;
        var data = Success(await c.CallAsync("list_commands", new() { ["server_id"] = Db01, ["limit"] = 2 }))["data"]!;

        var list = data["commands"]!.AsArray();
        Assert.Equal(["echo second", "echo first"], list.Select(x => (string)x!["line"]!));
        Assert.All(list, x => Assert.Equal("db-01", (string?)x!["server_name"]));
        Assert.Equal("second\n", (string?)list[0]!["result_excerpt"]);
        var get = Assert.Single(Since(before, "GET", Root));
        Assert.Equal(Db01, get.QueryValue("server"));
        Assert.Equal("-added_at", get.QueryValue("ordering"));
    }

    private sealed class Collector : IProgress<ProgressNotificationValue>
    {
        private readonly ConcurrentQueue<ProgressNotificationValue> values = new();

        public IEnumerable<ProgressNotificationValue> Values => values;

        public IEnumerable<string> Messages => values.Select(v => v.Message ?? "");

        public void Report(ProgressNotificationValue value)
        {
            values.Enqueue(value);
        }
    }
}
