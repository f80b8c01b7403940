using System.Text.Json.Nodes;
using Alpacon.Api.Websh;
using Alpacon.Emulator.Core;
using Alpacon.Emulator.Websh;
using Alpacon.Mcp.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using static Alpacon.Mcp.Tests.Infrastructure.McpHarness;

namespace Alpacon.Mcp.Tests.Websh;

/// <summary>
/// The Websh tools end to end through the SDK's McpClient, run once against the emulator's virtual shell and once
/// against a real bash in a pseudo-terminal (same endpoints, same WebSocket protocol, same client code).
/// </summary>
public abstract class WebshScenarios(EmulatorFixture emulator)
{
    protected static readonly string Web01 = Seed.ServerId("web-01");

    protected EmulatorFixture Emulator => emulator;

    protected RequestJournal Journal => emulator.Emulator.Journal;

    protected WebshStore Store => emulator.Emulator.Services.GetRequiredService<WebshStore>();

    protected static async Task<string> CreateSessionAsync(Connection c)
    {
        var data = Success(await c.CallAsync("websh_session_create", new() { ["server_id"] = Web01 }))["data"]!;
        Assert.True((bool)data["connected"]!, data.ToJsonString());
        return (string)data["id"]!;
    }

    protected static async Task<JsonNode> RunAsync(Connection c, string session, string command, int timeout = 10, int? maxOutput = null)
    {
        var args = new Dictionary<string, object?> { ["session_id"] = session, ["command"] = command, ["timeout"] = timeout };
        if (maxOutput is not null)
            args["max_output_chars"] = maxOutput;
        return Success(await c.CallAsync("websh_command_execute", args))["data"]!;
    }

    /// <summary>Asserts no result ever shows a channel's secret.</summary>
    protected void AssertNoSecrets(string sessionId, string text)
    {
        foreach (var channel in Store.ChannelsOf(sessionId))
            Assert.DoesNotContain(channel.Token, text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SessionCreate_ConnectsAtOnce_AndTheSessionShowsOurUserAgent()
    {
        await using var c = await ConnectAsync(emulator);
        var body = Success(await c.CallAsync("websh_session_create", new() { ["server_id"] = Web01 }));
        var data = body["data"]!;
        var id = (string)data["id"]!;
        Assert.Equal(Web01, (string?)body["server_id"]);
        Assert.True((bool)data["connected"]!);
        Assert.Equal("web-01", (string?)data["server"]!["name"]);
        Assert.Null(data["websocket_url"]); // a credential: not returned, not even masked
        AssertNoSecrets(id, body.ToJsonString());

        var post = Journal.Matching("POST", "/api/websh/sessions/").Last();
        Assert.Equal(201, post.Status);
        var sent = JsonNode.Parse(post.Body!)!;
        Assert.Equal(24, (int)sent["rows"]!);
        Assert.Equal(80, (int)sent["cols"]!);
        Assert.Contains("alpacon-mcp", Store.FindSession(id)!.UserAgent, StringComparison.Ordinal);

        var detail = Success(await c.CallAsync("websh_sessions_list", new() { ["server_id"] = Web01 }))["data"]!;
        var listed = detail["sessions"]!.AsArray().Single(s => (string?)s!["id"] == id)!;
        Assert.True((bool)listed["opened_by_alpacon_mcp"]!);
        Assert.Single(listed["pooled_channels"]!.AsArray());
        var list = Journal.Matching("GET", "/api/websh/sessions/").Last();
        Assert.Equal("true", list.QueryValue("is_connectable"));
        Assert.Equal(Web01, list.QueryValue("server"));
    }

    [Fact]
    public async Task CommandExecute_KeepsShellStateAcrossCalls()
    {
        await using var c = await ConnectAsync(emulator);
        var session = await CreateSessionAsync(c);
        var cd = await RunAsync(c, session, "cd /tmp");
        Assert.Equal("", (string?)cd["output"]);
        Assert.Equal(0, (int?)cd["exit_code"]);
        Assert.Equal("/tmp", (string?)(await RunAsync(c, session, "pwd"))["output"]);
        await RunAsync(c, session, "GREETING='hello there'");
        Assert.Equal("hello there", (string?)(await RunAsync(c, session, "echo \"$GREETING\""))["output"]);
    }

    [Fact]
    public async Task CommandExecute_ReportsExitCodes()
    {
        await using var c = await ConnectAsync(emulator);
        var session = await CreateSessionAsync(c);
        var failed = await RunAsync(c, session, "false");
        Assert.Equal(1, (int?)failed["exit_code"]);
        Assert.False((bool)failed["timed_out"]!);
        Assert.Equal(0, (int?)(await RunAsync(c, session, "true"))["exit_code"]);
        Assert.Equal(3, (int?)(await RunAsync(c, session, "(exit 3)"))["exit_code"]);
        var missing = await RunAsync(c, session, "ls /no/such/dir");
        Assert.Equal(2, (int?)missing["exit_code"]);
        Assert.Contains("No such file or directory", (string?)missing["output"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task CommandExecute_SlowCommand_WaitsForItsEndNotForSilence()
    {
        await using var c = await ConnectAsync(emulator);
        var session = await CreateSessionAsync(c);
        var result = await RunAsync(c, session, "sleep 2; echo done");
        Assert.Equal("done", (string?)result["output"]);
        Assert.Equal(0, (int?)result["exit_code"]);
        Assert.False((bool)result["timed_out"]!);
        Assert.True((long)result["duration_ms"]! > 0);
        // The next command sees nothing of the previous one.
        Assert.Equal("next", (string?)(await RunAsync(c, session, "echo next"))["output"]);
    }

    [Fact]
    public async Task CommandExecute_MultiLineCommand_RunsAsTyped()
    {
        await using var c = await ConnectAsync(emulator);
        var session = await CreateSessionAsync(c);
        var result = await RunAsync(c, session, "for i in 1 2 3\ndo\n  echo \"n=$i\"\ndone");
        Assert.Equal("n=1\nn=2\nn=3", (string?)result["output"]);
        Assert.Equal(0, (int?)result["exit_code"]);
    }

    [Fact]
    public async Task CommandExecute_WordsOfManyDigits_RunLikeAnyOther()
    {
        // Marker nonces are random hex, so now and then one starts with ten digits: the emulator's parser once took
        // such a word for a file descriptor number, overflowed, and its terminal stopped answering.
        await using var c = await ConnectAsync(emulator);
        var session = await CreateSessionAsync(c);
        var result = await RunAsync(c, session, "echo 12345678901234 6523409812e7");
        Assert.Equal("12345678901234 6523409812e7", (string?)result["output"]);
        Assert.Equal(0, (int?)result["exit_code"]);
        Assert.Equal("still here", (string?)(await RunAsync(c, session, "echo still here"))["output"]);
    }

    [Fact]
    public async Task CommandExecute_LongCommands_ArriveWhole()
    {
        // Commands over 1 KB are typed as several lines joined by backslash-newline (Marker.Wrap): quotes, '!', '$',
        // backslashes and characters of two to four bytes must come out of the join exactly as they went in.
        await using var c = await ConnectAsync(emulator);
        var session = await CreateSessionAsync(c);
        var words = string.Concat(Enumerable.Repeat("it's 한글✓ 😀 a!b ", 400)).TrimEnd();
        var one = await RunAsync(c, session, $"echo \"{words}\"", maxOutput: 100_000);
        Assert.Equal(words, (string?)one["output"]);
        Assert.Equal(0, (int?)one["exit_code"]);
        var lines = string.Join('\n', Enumerable.Range(1, 200).Select(i => $"line {i}: it's $HOME a!b 한글✓ \\ end"));
        var several = await RunAsync(c, session, $"cat <<'END'\n{lines}\nEND", maxOutput: 100_000);
        Assert.Equal(lines, (string?)several["output"]);
        Assert.Equal(0, (int?)several["exit_code"]);
    }

    [Fact]
    public async Task CommandExecute_MegabyteOfOutput_IsTruncatedToTheBudget()
    {
        await using var c = await ConnectAsync(emulator);
        var session = await CreateSessionAsync(c);
        var result = await RunAsync(c, session, "seq 1 200000", timeout: 60);
        var output = (string)result["output"]!;
        Assert.Equal(0, (int?)result["exit_code"]);
        Assert.InRange(output.Length, 10_000, 17_000);
        Assert.StartsWith("1\n2\n3\n", output, StringComparison.Ordinal);
        Assert.EndsWith("199999\n200000", output, StringComparison.Ordinal);
        Assert.Contains("cut from the middle", output, StringComparison.Ordinal);
        var truncated = result["truncated"]!;
        Assert.Equal(1_288_894, (long)truncated["total_chars"]!);
        Assert.True((long)truncated["cut_lines"]! > 190_000);

        var more = await RunAsync(c, session, "seq 1 200000", timeout: 60, maxOutput: 1_000_000);
        Assert.True(((string)more["output"]!).Length > 900_000);
    }

    [Fact]
    public async Task CommandExecute_Timeout_ReturnsWhatArrivedAndInterrupts_ShellStaysUsable()
    {
        await using var c = await ConnectAsync(emulator);
        var session = await CreateSessionAsync(c);
        await RunAsync(c, session, "true"); // a real login shell takes a moment to start; time the command, not the login
        var result = await RunAsync(c, session, "echo started; sleep 30; echo never", timeout: 1);
        Assert.True((bool)result["timed_out"]!);
        Assert.Null(result["exit_code"]);
        Assert.Equal("started", (string?)result["output"]);
        Assert.Contains("Ctrl-C", (string?)result["note"], StringComparison.Ordinal);
        var after = await RunAsync(c, session, "echo usable");
        Assert.Equal("usable", (string?)after["output"]);
        Assert.Equal(0, (int?)after["exit_code"]);
    }

    [Fact]
    public async Task CommandExecute_ConcurrentCallsOnOneChannel_AreSerialised()
    {
        await using var c = await ConnectAsync(emulator);
        var session = await CreateSessionAsync(c);
        var first = RunAsync(c, session, "echo a; sleep 1; echo b");
        var second = RunAsync(c, session, "echo c");
        var results = await Task.WhenAll(first, second);
        Assert.Equal("a\nb", (string?)results[0]["output"]);
        Assert.Equal("c", (string?)results[1]["output"]);
        Assert.Equal((string?)results[0]["channel_id"], (string?)results[1]["channel_id"]);
    }

    [Fact]
    public async Task CommandExecute_ConcurrentCallsOnASessionWithoutAChannel_OpenOneChannel()
    {
        await using var c = await ConnectAsync(emulator);
        var created = Success(await c.CallAsync("websh_session_create", new() { ["server_id"] = Web01 }))["data"]!;
        var session = (string)created["id"]!;
        Success(await c.CallAsync("websh_channel_disconnect", new() { ["channel_id"] = (string)created["channel_id"]! }));
        var since = Journal.Elapsed;

        // All three find no channel; one opens it, and the others queue on it rather than open their own.
        var results = await Task.WhenAll(RunAsync(c, session, "echo first"), RunAsync(c, session, "echo second"), RunAsync(c, session, "echo third"));
        Assert.Equal(["first", "second", "third"], results.Select(r => (string?)r["output"]));
        Assert.All(results, r => Assert.Equal(0, (int?)r["exit_code"]));
        Assert.Single(results.Select(r => (string?)r["channel_id"]).Distinct());
        Assert.Single(Journal.Entries, e => e.At >= since && e.Method == "POST" && e.Path == "/api/websh/user-channels/");
        var listed = Success(await c.CallAsync("websh_sessions_list", new() { ["server_id"] = Web01 }))["data"]!["sessions"]!.AsArray().Single(s => (string?)s!["id"] == session)!;
        Assert.Equal((string?)results[0]["channel_id"], (string?)Assert.Single(listed["pooled_channels"]!.AsArray()));
    }

    [Fact]
    public async Task DroppedSocket_IsReportedAndRemoved_AndTheNextCommandReconnects()
    {
        await using var c = await ConnectAsync(emulator);
        var session = await CreateSessionAsync(c);
        var first = await RunAsync(c, session, "cd /tmp");
        var channel = (string)first["channel_id"]!;
        Assert.Equal(1, Store.DropChannel(channel));

        // The pool notices the drop by itself (its receive loop), and reports the dead channel once.
        JsonNode? dead = null;
        for (var i = 0; i < 100 && dead is null; i++)
        {
            var list = Success(await c.CallAsync("websh_channels_list"))["data"]!["channels"]!.AsArray();
            dead = list.FirstOrDefault(x => (string?)x!["channel_id"] == channel && (string?)x["state"] == "dead");
            if (dead is null)
                await Task.Delay(50);
        }
        Assert.NotNull(dead);
        Assert.Contains("dropped", (string?)dead["ended"], StringComparison.Ordinal);
        var after = Success(await c.CallAsync("websh_channels_list"))["data"]!["channels"]!.AsArray();
        Assert.DoesNotContain(after, x => (string?)x!["channel_id"] == channel);

        var channelExecute = Error(await c.CallAsync("websh_channel_execute", new() { ["channel_id"] = channel, ["command"] = "pwd" }));
        Assert.Contains("No channel", (string?)channelExecute["message"], StringComparison.Ordinal);

        // The session survived the drop: a new channel is opened and the shell's state is intact.
        var again = await RunAsync(c, session, "pwd");
        Assert.Equal("/tmp", (string?)again["output"]);
        Assert.NotEqual(channel, (string?)again["channel_id"]);
        Assert.NotEmpty(Journal.Matching("POST", "/api/websh/user-channels/"));
    }

    [Fact]
    public async Task StalledPeer_StopsAnsweringPings_ChannelIsReportedDeadAndRemoved_AndTheNextCommandGetsANewChannel()
    {
        await using var c = await ConnectWithQuickPingsAsync();
        var session = await CreateSessionAsync(c);
        var channel = (string)(await RunAsync(c, session, "cd /tmp"))["channel_id"]!;
        Assert.Equal(1, Store.StallChannel(channel));

        // The server reads these keys, runs them and answers, then reads nothing more: no pongs from now on. On a
        // loaded machine the unanswered pings can end the channel before the answer is read; that is the same stall.
        var trigger = await c.CallAsync("websh_command_execute", new() { ["session_id"] = session, ["command"] = "echo before-stall" });
        var endedEarly = trigger.IsError == true;
        if (endedEarly)
            Assert.Contains("no answer to a ping", (string?)Error(trigger)["message"], StringComparison.Ordinal);
        else
            Assert.Equal("before-stall", (string?)Success(trigger)["data"]!["output"]);

        // Nothing is sent on the channel now, so only the unanswered pings can end it; the pool reports it once.
        JsonNode? dead = null;
        for (var i = 0; i < 300 && dead is null; i++)
        {
            var list = Success(await c.CallAsync("websh_channels_list"))["data"]!["channels"]!.AsArray();
            var entry = list.SingleOrDefault(x => (string?)x!["channel_id"] == channel);
            if (entry is null && endedEarly)
                break; // reported by the call it broke, and removed then
            if ((string?)entry!["state"] == "dead")
                dead = entry;
            else
                await Task.Delay(50);
        }
        if (dead is not null || !endedEarly)
        {
            Assert.NotNull(dead);
            Assert.True((bool)dead["removed"]!);
            Assert.Contains("no answer to a ping", (string?)dead["ended"], StringComparison.Ordinal);
        }
        var after = Success(await c.CallAsync("websh_channels_list"))["data"]!["channels"]!.AsArray();
        Assert.DoesNotContain(after, x => (string?)x!["channel_id"] == channel);
        var listed = Success(await c.CallAsync("websh_sessions_list", new() { ["server_id"] = Web01 }))["data"]!["sessions"]!.AsArray().Single(s => (string?)s!["id"] == session)!;
        Assert.Empty(listed["pooled_channels"]!.AsArray());
        Assert.Contains("No channel", (string?)Error(await c.CallAsync("websh_channel_execute", new() { ["channel_id"] = channel, ["command"] = "pwd" }))["message"], StringComparison.Ordinal);

        // The session and its shell outlived the stalled connection: the next command opens a new channel on it.
        var again = await RunAsync(c, session, "pwd");
        Assert.Equal("/tmp", (string?)again["output"]);
        Assert.Equal(0, (int?)again["exit_code"]);
        Assert.NotEqual(channel, (string?)again["channel_id"]);
    }

    [Fact]
    public async Task StalledPeer_DuringACommand_IsAClearError_NotAWaitForTheCommandTimeout()
    {
        await using var c = await ConnectWithQuickPingsAsync();
        var session = await CreateSessionAsync(c);
        var channel = (string)(await RunAsync(c, session, "true"))["channel_id"]!;
        Assert.Equal(1, Store.StallChannel(channel));
        await RunAsync(c, session, "echo before-stall"); // the last keys the server reads

        // Typed into a peer that reads nothing: no output and no end marker ever come. Without the ping timeout this
        // would run out its 10 s and come back as timed_out, a success; with it, the channel dies and the call fails.
        var error = Error(await c.CallAsync("websh_command_execute", new() { ["session_id"] = session, ["command"] = "echo never-read", ["timeout"] = 10 }));
        Assert.Contains("no answer to a ping", (string?)error["message"], StringComparison.Ordinal);
        Assert.Contains("may or may not", (string?)error["hint"], StringComparison.Ordinal);
        Assert.Null(error["details"]?["partial_output"]); // nothing arrived
        var again = await RunAsync(c, session, "echo fresh");
        Assert.Equal("fresh", (string?)again["output"]);
        Assert.NotEqual(channel, (string?)again["channel_id"]);
    }

    [Fact]
    public async Task DroppedSocket_DuringACommand_IsAnErrorNotASilentRerun()
    {
        await using var c = await ConnectAsync(emulator);
        var session = await CreateSessionAsync(c);
        var channel = (string)(await RunAsync(c, session, "true"))["channel_id"]!;
        var running = c.CallAsync("websh_command_execute", new() { ["session_id"] = session, ["command"] = "echo partial; sleep 5; echo late", ["timeout"] = 20 });
        await WaitForOutputAsync(session, "__\r\npartial");
        // Dropped when "late" is due: a drop now would reset the connection and could discard "partial" in flight.
        Assert.Equal(1, Store.DropChannel(channel, beforeNextMessage: true));
        var error = Error(await running);
        Assert.Contains("dropped", (string?)error["message"], StringComparison.Ordinal);
        Assert.Contains("may or may not", (string?)error["hint"], StringComparison.Ordinal);
        // What had arrived before the drop is kept.
        Assert.Equal("partial", (string?)error["details"]?["partial_output"]);
    }

    [Fact]
    public async Task SessionClosedByServer_EndsChannelsCleanly_AndIsReported()
    {
        await using var c = await ConnectAsync(emulator);
        var session = await CreateSessionAsync(c);
        var channel = (string)(await RunAsync(c, session, "true"))["channel_id"]!;
        Assert.True(await Store.CloseSessionAsync(session));

        var error = Error(await c.CallAsync("websh_channel_execute", new() { ["channel_id"] = channel, ["command"] = "pwd" }));
        Assert.Contains("4000", (string?)error["message"], StringComparison.Ordinal);
        Assert.Contains("websh_session_create", (string?)error["hint"], StringComparison.Ordinal);

        var again = Error(await c.CallAsync("websh_command_execute", new() { ["session_id"] = session, ["command"] = "pwd" }));
        Assert.Contains("closed", (string?)again["message"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reconnect_OpensANewChannelOnTheSameShell_InPlaceOfTheOldOne()
    {
        await using var c = await ConnectAsync(emulator);
        var session = await CreateSessionAsync(c);
        var old = (string)(await RunAsync(c, session, "cd /tmp"))["channel_id"]!;
        var body = Success(await c.CallAsync("websh_session_reconnect", new() { ["session_id"] = session }));
        var data = body["data"]!;
        var channel = (string)data["channel_id"]!;
        Assert.True((bool)data["connected"]!);
        Assert.NotEqual(old, channel);
        // The old channel is closed and gone from the pool: one channel per session, so commands cannot interleave.
        var replaced = Assert.Single(data["replaced_channels"]!.AsArray())!;
        Assert.Equal(old, (string?)replaced["channel_id"]);
        Assert.Equal("open", (string?)replaced["state"]);
        var pooled = Success(await c.CallAsync("websh_channels_list"))["data"]!["channels"]!.AsArray().Where(x => (string?)x!["session_id"] == session);
        Assert.Equal(channel, (string?)Assert.Single(pooled)!["channel_id"]);
        Assert.Equal(channel, (string?)(await RunAsync(c, session, "true"))["channel_id"]);
        AssertNoSecrets(session, body.ToJsonString());
        var post = Journal.Matching("POST", "/api/websh/user-channels/").Last();
        var sent = JsonNode.Parse(post.Body!)!;
        Assert.Equal(session, (string?)sent["session"]);
        Assert.True((bool)sent["is_master"]!);
        Assert.False((bool)sent["read_only"]!);
        Assert.NotEmpty(Journal.Matching("GET", $"/api/websh/sessions/{session}/"));

        var result = Success(await c.CallAsync("websh_channel_execute", new() { ["channel_id"] = channel, ["command"] = "pwd" }))["data"]!;
        Assert.Equal("/tmp", (string?)result["output"]);
    }

    [Fact]
    public async Task Terminate_ClosesTheSessionAndItsSocketsWith4000()
    {
        await using var c = await ConnectAsync(emulator);
        var session = await CreateSessionAsync(c);
        await RunAsync(c, session, "true");
        var data = Success(await c.CallAsync("websh_session_terminate", new() { ["session_id"] = session }))["data"]!;
        var channel = Assert.Single(data["channels"]!.AsArray())!;
        Assert.Equal(4000, (int?)channel["close_code"]);
        Assert.True((bool)channel["clean"]!);
        Assert.Single(Journal.Matching("POST", $"/api/websh/sessions/{session}/close/"));
        Assert.NotNull(Store.FindSession(session)!.ClosedAt);
        var list = Success(await c.CallAsync("websh_channels_list"))["data"]!["channels"]!.AsArray();
        Assert.DoesNotContain(list, x => (string?)x!["session_id"] == session);
    }

    [Fact]
    public async Task ChannelTools_ConnectListExecuteDisconnect_ByUrl()
    {
        await using var c = await ConnectAsync(emulator);
        var session = await CreateSessionAsync(c);
        var (channelId, url) = NewChannelUrl(session);

        var connect = Success(await c.CallAsync("websh_channel_connect", new() { ["channel_id"] = channelId, ["websocket_url"] = url, ["session_id"] = session }));
        Assert.True((bool)connect["data"]!["connected"]!);
        Assert.False((bool)connect["data"]!["reused"]!);
        Assert.Equal("acme", (string?)connect["workspace"]);
        var reused = Success(await c.CallAsync("websh_channel_connect", new() { ["channel_id"] = channelId, ["websocket_url"] = url, ["session_id"] = session }));
        Assert.True((bool)reused["data"]!["reused"]!);

        var listBody = Success(await c.CallAsync("websh_channels_list"));
        var entry = listBody["data"]!["channels"]!.AsArray().Single(x => (string?)x!["channel_id"] == channelId)!;
        Assert.Equal("open", (string?)entry["state"]);
        Assert.Equal(session, (string?)entry["session_id"]);
        AssertNoSecrets(session, listBody.ToJsonString());

        var run = Success(await c.CallAsync("websh_channel_execute", new() { ["channel_id"] = channelId, ["command"] = "echo via-channel; false" }))["data"]!;
        Assert.Equal("via-channel", (string?)run["output"]);
        Assert.Equal(1, (int?)run["exit_code"]);

        var disconnect = Success(await c.CallAsync("websh_channel_disconnect", new() { ["channel_id"] = channelId }))["data"]!;
        Assert.True((bool)disconnect["disconnected"]!);
        var list = Success(await c.CallAsync("websh_channels_list"))["data"]!["channels"]!.AsArray();
        Assert.DoesNotContain(list, x => (string?)x!["channel_id"] == channelId);
        Assert.False((bool)Success(await c.CallAsync("websh_channel_disconnect", new() { ["channel_id"] = channelId }))["data"]!["disconnected"]!);
        Assert.Null(Store.FindSession(session)!.ClosedAt); // disconnecting leaves the session open
    }

    [Fact]
    public async Task ChannelConnect_OnASessionWithAPooledChannel_ReplacesIt_SoTheSessionKeepsOneChannel()
    {
        await using var c = await ConnectAsync(emulator);
        var session = await CreateSessionAsync(c);
        var old = (string)(await RunAsync(c, session, "cd /tmp"))["channel_id"]!;
        var (channelId, url) = NewChannelUrl(session);

        var data = Success(await c.CallAsync("websh_channel_connect", new() { ["channel_id"] = channelId, ["websocket_url"] = url, ["session_id"] = session }))["data"]!;
        Assert.True((bool)data["connected"]!);
        Assert.False((bool)data["reused"]!);
        var replaced = Assert.Single(data["replaced_channels"]!.AsArray())!;
        Assert.Equal(old, (string?)replaced["channel_id"]);
        Assert.Equal("open", (string?)replaced["state"]);

        // One channel per session, whichever tool runs the command: the old one is closed and gone from the pool.
        var pooled = Success(await c.CallAsync("websh_channels_list"))["data"]!["channels"]!.AsArray().Where(x => (string?)x!["session_id"] == session);
        Assert.Equal(channelId, (string?)Assert.Single(pooled)!["channel_id"]);
        var listed = Success(await c.CallAsync("websh_sessions_list", new() { ["server_id"] = Web01 }))["data"]!["sessions"]!.AsArray().Single(s => (string?)s!["id"] == session)!;
        Assert.Equal(channelId, (string?)Assert.Single(listed["pooled_channels"]!.AsArray()));
        var run = await RunAsync(c, session, "pwd");
        Assert.Equal("/tmp", (string?)run["output"]);
        Assert.Equal(channelId, (string?)run["channel_id"]);
        Assert.Contains("No channel", (string?)Error(await c.CallAsync("websh_channel_execute", new() { ["channel_id"] = old, ["command"] = "pwd" }))["message"], StringComparison.Ordinal);

        // Connecting it again keeps it and replaces nothing.
        var again = Success(await c.CallAsync("websh_channel_connect", new() { ["channel_id"] = channelId, ["websocket_url"] = url, ["session_id"] = session }))["data"]!;
        Assert.True((bool)again["reused"]!);
        Assert.Empty(again["replaced_channels"]!.AsArray());

        // Named as another session's, it is refused rather than taken from this one.
        var other = await CreateSessionAsync(c);
        var wrong = Error(await c.CallAsync("websh_channel_connect", new() { ["channel_id"] = channelId, ["websocket_url"] = url, ["session_id"] = other }));
        Assert.Contains($"session {session}", (string?)wrong["message"], StringComparison.Ordinal);
        Assert.Equal(channelId, (string?)(await RunAsync(c, session, "true"))["channel_id"]);
        Assert.NotEqual(channelId, (string?)(await RunAsync(c, other, "true"))["channel_id"]);
    }

    [Fact]
    public async Task WebsocketExecute_RunsOverAUrl_AndRefusesOtherHosts()
    {
        await using var c = await ConnectAsync(emulator);
        var session = await CreateSessionAsync(c);
        var (_, url) = NewChannelUrl(session);
        var body = Success(await c.CallAsync("websh_websocket_execute", new() { ["websocket_url"] = url, ["command"] = "echo over-url" }));
        Assert.Equal("over-url", (string?)body["data"]!["output"]);
        Assert.Equal(0, (int?)body["data"]!["exit_code"]);
        AssertNoSecrets(session, body.ToJsonString());

        var elsewhere = Error(await c.CallAsync("websh_websocket_execute", new() { ["websocket_url"] = "ws://198.51.100.7/ws/websh/x/SECRET/", ["command"] = "id" }));
        Assert.Contains("configured workspace", (string?)elsewhere["message"], StringComparison.Ordinal);
        Assert.DoesNotContain("SECRET", elsewhere.ToJsonString(), StringComparison.Ordinal);
        var http = Error(await c.CallAsync("websh_websocket_execute", new() { ["websocket_url"] = url.Replace("ws://", "http://", StringComparison.Ordinal), ["command"] = "id" }));
        Assert.Contains("ws://", (string?)http["message"], StringComparison.Ordinal);
        var unknown = Error(await c.CallAsync("websh_websocket_execute", new() { ["websocket_url"] = url.Replace("/ws/websh/", "/ws/websh/0", StringComparison.Ordinal), ["command"] = "id" }));
        Assert.Equal(404, (int?)unknown["status_code"]);
    }

    [Fact]
    public async Task Arguments_AreCheckedBeforeAnythingIsSent()
    {
        await using var c = await ConnectAsync(emulator);
        Assert.Contains("session_id", (string?)Error(await c.CallAsync("websh_command_execute", new() { ["session_id"] = "nope", ["command"] = "id" }))["message"], StringComparison.Ordinal);
        var session = Guid.NewGuid().ToString();
        Assert.Contains("control characters", (string?)Error(await c.CallAsync("websh_command_execute", new() { ["session_id"] = session, ["command"] = "ls \u001b[A" }))["message"], StringComparison.Ordinal);
        Assert.Contains("blank", (string?)Error(await c.CallAsync("websh_command_execute", new() { ["session_id"] = session, ["command"] = " " }))["message"], StringComparison.Ordinal);
        Assert.Contains("timeout", (string?)Error(await c.CallAsync("websh_command_execute", new() { ["session_id"] = session, ["command"] = "id", ["timeout"] = 0 }))["message"], StringComparison.Ordinal);
        Assert.Empty(Journal.Matching("GET", $"/api/websh/sessions/{session}/"));
        var unknown = Error(await c.CallAsync("websh_command_execute", new() { ["session_id"] = session, ["command"] = "id" }));
        Assert.Equal(404, (int?)unknown["status_code"]);
    }

    /// <summary>
    /// A server whose channels ping every 200 ms and give up on a ping unanswered for 1 s: the only way to tell a
    /// peer that hangs from a quiet shell. The pool is built with the <see cref="WebshOptions"/> found in its container.
    /// </summary>
    protected Task<Connection> ConnectWithQuickPingsAsync() =>
        ConnectAsync(emulator, extend: m => m.Services.AddSingleton(new WebshOptions
        {
            PingInterval = TimeSpan.FromMilliseconds(200),
            PingTimeout = TimeSpan.FromSeconds(1),
        }));

    /// <summary>A fresh user channel of <paramref name="session"/> and its real URL, as the Alpacon API would hand it out.</summary>
    protected (string Id, string Url) NewChannelUrl(string session, bool readOnly = false)
    {
        var channel = Store.AddUserChannel(session, isMaster: !readOnly, readOnly)!;
        return (channel.Id, channel.WebSocketUrl(emulator.BaseUrl.AbsoluteUri.TrimEnd('/')));
    }

    /// <summary>Waits (bounded) until the session's terminal has printed <paramref name="text"/>.</summary>
    protected async Task WaitForOutputAsync(string session, string text)
    {
        for (var i = 0; i < 1000 && !Store.FindSession(session)!.RecentOutput.Contains(text, StringComparison.Ordinal); i++)
            await Task.Delay(10);
        Assert.Contains(text, Store.FindSession(session)!.RecentOutput, StringComparison.Ordinal);
    }
}

[Collection(EmulatorCollection.Name)]
public sealed class WebshVirtualShellTests(EmulatorFixture emulator) : WebshScenarios(emulator);

[Collection(PtyEmulatorCollection.Name)]
public sealed class WebshRealBashTests(PtyEmulatorFixture emulator) : WebshScenarios(emulator);
