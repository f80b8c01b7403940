using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Alpacon.Api;
using Alpacon.Emulator.Core;
using Alpacon.Emulator.Faults;
using Alpacon.Mcp.Hosting;
using Alpacon.Mcp.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using Xunit.Abstractions;
using static Alpacon.Mcp.Tests.Infrastructure.McpHarness;

namespace Alpacon.Mcp.Tests.Reliability;

/// <summary>
/// Faults injected into the emulator per route, under every tool that tools/list returns: idempotent reads recover,
/// requests that start work are sent once whatever happens, every other failure is a clear error within the
/// configured timeouts, and nothing hangs.
/// </summary>
[Collection(ReliabilityCollection.Name)]
public sealed class FaultInjectionTests(EmulatorFixture emulator, ITestOutputHelper output)
{
    /// <summary>Bounds every call: a call that has not answered by then hangs.</summary>
    private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(60);

    private static readonly HashSet<string> ReadMethods = ["GET", "HEAD"];

    private FaultTable Faults => emulator.Emulator.Faults;

    private RequestJournal Journal => emulator.Emulator.Journal;

    /// <summary>Long enough that a busy CI machine cannot turn a healthy answer, or a non-slow fault, into a timeout.</summary>
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How much longer than the request timeout a <c>slow</c> fault holds an answer back. The emulator and the server
    /// share this process's thread pool: on a loaded machine the client's timeout callback can run late, so with a
    /// margin of 400 ms an answer once arrived first and a tool succeeded under a "persistent" fault.
    /// </summary>
    private static readonly TimeSpan SlowBeyondTimeout = TimeSpan.FromSeconds(5);

    /// <summary>The request timeout while a <c>slow</c> fault holds answers back: short, so that the suite stays short.</summary>
    private static TimeSpan TimeoutFor(string kind) => kind == "slow" ? TimeSpan.FromSeconds(2) : Generous;

    /// <summary>
    /// The API options of the server under test, with short backoff so that faults resolve in milliseconds. The request
    /// timeout starts <see cref="Generous"/> for setup and probing; <see cref="Tighten"/> shortens it only while a fault
    /// is in place (the client reads it at every attempt).
    /// </summary>
    private static AlpaconApiOptions Api(int retries = 2) => new()
    {
        RequestTimeout = Generous,
        ConnectTimeout = TimeSpan.FromSeconds(10),
        MaxRetries = retries,
        BaseBackoff = TimeSpan.FromMilliseconds(20),
        MaxBackoff = TimeSpan.FromMilliseconds(100),
        MaxRetryAfter = TimeSpan.FromSeconds(2),
    };

    private static Task<Connection> ConnectAsync(EmulatorFixture emulator, AlpaconApiOptions api) =>
        McpHarness.ConnectAsync(emulator, configure: s => s.Api = api);

    /// <summary>Sets the request timeout to <paramref name="timeout"/> until disposed, then back to <see cref="Generous"/>.</summary>
    private static IDisposable Tighten(AlpaconApiOptions api, TimeSpan timeout)
    {
        api.RequestTimeout = timeout;
        return new Restore(() => api.RequestTimeout = Generous);
    }

    private sealed class Restore(Action undo) : IDisposable
    {
        public void Dispose() => undo();
    }

    /// <summary>
    /// A tool that works on the healthy emulator with valid arguments, and whether it calls the HTTP API. Each call gets
    /// its arguments anew from <paramref name="Setup"/> (before any fault is added), so that a tool which uses up
    /// what it acts on has something to act on every time.
    /// </summary>
    private sealed record Probe(McpClientTool Tool, ToolSetup Setup, bool UsesApi)
    {
        public string Name => Tool.ProtocolTool.Name;

        public bool ReadOnly => ToolCases.IsReadOnly(Tool);

        public Task<Dictionary<string, object?>> ArgumentsAsync() => ToolCases.ValidAsync(Tool, Setup);
    }

    private async Task<List<Probe>> ProbeAsync(Connection c, ToolSetup setup)
    {
        var healthy = new List<Probe>();
        var skipped = new List<string>();
        foreach (var tool in await ToolCases.ToolsAsync(c.Client))
        {
            var args = await ToolCases.ValidAsync(tool, setup);
            var since = Journal.Elapsed;
            var result = await CallAsync(c, tool.Name, args);
            if (result.IsError == true)
                skipped.Add(tool.Name);
            else
                healthy.Add(new Probe(tool, setup, Journal.Entries.Any(e => e.At >= since && !IsWebSocket(e))));
        }
        output.WriteLine($"healthy with valid arguments: {string.Join(", ", healthy.Select(p => p.Name))}");
        if (ToolCases.NotCoveredReport(skipped) is { } report)
            output.WriteLine(report);
        Assert.Contains(healthy, p => p.Name == "servers_list");
        Assert.Contains(healthy, p => p.Name == "server_note_create");
        return healthy;
    }

    /// <summary>
    /// A WebSocket handshake (Websh): the HTTP fault kinds never apply to it (only websocket_drop does), so a tool
    /// that sends nothing else does not count as using the API here.
    /// </summary>
    private static bool IsWebSocket(JournalEntry entry) => entry.Path.StartsWith("/ws/", StringComparison.Ordinal);

    private static async Task<CallToolResult> CallAsync(Connection c, string tool, Dictionary<string, object?> args)
    {
        using var guard = new CancellationTokenSource(HangGuard);
        try
        {
            return await c.Client.CallToolAsync(tool, args, cancellationToken: guard.Token);
        }
        catch (OperationCanceledException) when (guard.IsCancellationRequested)
        {
            throw new Xunit.Sdk.XunitException($"{tool} did not answer within {HangGuard.TotalSeconds} s");
        }
    }

    private static FaultRule Rule(string kind, string? method, int? count, TimeSpan requestTimeout) => kind switch
    {
        "503" => new FaultRule(FaultKind.ServerError) { Method = method, Count = count },
        "500" => new FaultRule(FaultKind.ServerError) { Method = method, Count = count, Status = 500 },
        "429" => new FaultRule(FaultKind.TooManyRequests) { Method = method, Count = count, RetryAfter = TimeSpan.Zero },
        "429-long" => new FaultRule(FaultKind.TooManyRequests) { Method = method, Count = count, RetryAfter = TimeSpan.FromSeconds(60) },
        "reset" => new FaultRule(FaultKind.ConnectionReset) { Method = method, Count = count },
        "html" => new FaultRule(FaultKind.HtmlErrorPage) { Method = method, Count = count },
        "malformed" => new FaultRule(FaultKind.MalformedJson) { Method = method, Count = count },
        "slow" => new FaultRule(FaultKind.Latency) { Method = method, Count = count, Delay = requestTimeout + SlowBeyondTimeout },
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    private async Task ServerStillServesAsync(Connection c)
    {
        Assert.Empty(Faults.Rules);
        Success(await CallAsync(c, "servers_list", new() { ["workspace"] = Workspace }));
    }

    [Theory]
    [InlineData("503")]
    [InlineData("500")]
    [InlineData("429")]
    [InlineData("reset")]
    [InlineData("html")]
    [InlineData("slow")]
    public async Task ReadOnlyTools_RecoverFromATransientFault(string kind)
    {
        var timeout = TimeoutFor(kind);
        var api = Api(retries: 3);
        await using var c = await ConnectAsync(emulator, api);
        using var setup = await ToolSetup.CreateAsync(c.Client, emulator);
        var reads = (await ProbeAsync(c, setup)).Where(p => p.ReadOnly && p.UsesApi).ToList();
        // A slow answer costs a whole timeout per tool: a sample keeps the suite short.
        if (kind == "slow")
            reads = [.. reads.Take(4)];
        Assert.NotEmpty(reads);

        foreach (var probe in reads)
        {
            var args = await probe.ArgumentsAsync();
            var since = Journal.Elapsed;
            using var fault = Faults.Add(Rule(kind, "GET", count: 1, timeout));
            CallToolResult result;
            using (Tighten(api, timeout))
                result = await CallAsync(c, probe.Name, args);
            Assert.True(fault.Hits == 1, $"{probe.Name}: the fault did not fire");
            Assert.False(result.IsError == true, $"{probe.Name} did not recover from {kind}: {ToolCases.Text(result)}");
            // Some tools send several GETs at once, and the fault hits whichever reaches it first: look for the GET sent twice.
            var gets = Journal.Entries.Where(e => e.At >= since && e.Method == "GET").ToList();
            Assert.True(gets.GroupBy(e => (e.Path, e.QueryString)).Any(g => g.Count() >= 2), $"{probe.Name}: no GET was retried ({string.Join(", ", gets.Select(e => e.Path))})");
        }
        output.WriteLine($"{kind}: {reads.Count} read-only tools recovered: {string.Join(", ", reads.Select(r => r.Name))}");
        await ServerStillServesAsync(c);
    }

    [Theory]
    [InlineData("503")]
    [InlineData("429")]
    [InlineData("reset")]
    [InlineData("html")]
    [InlineData("slow")]
    public async Task WorkStartingRequests_AreSentExactlyOnce_AndFailClearly(string kind)
    {
        var timeout = kind == "slow" ? TimeSpan.FromMilliseconds(600) : TimeoutFor(kind);
        var api = Api(retries: 3);
        await using var c = await ConnectAsync(emulator, api);
        using var setup = await ToolSetup.CreateAsync(c.Client, emulator);
        var writers = (await ProbeAsync(c, setup)).Where(p => !p.ReadOnly && p.UsesApi).ToList();
        var covered = new List<string>();

        foreach (var probe in writers)
        {
            var args = await probe.ArgumentsAsync();
            var since = Journal.Elapsed;
            var rules = new[] { "POST", "PUT", "PATCH", "DELETE" }.Select(m => Faults.Add(Rule(kind, m, count: null, timeout))).ToList();
            CallToolResult result;
            try
            {
                using (Tighten(api, timeout))
                    result = await CallAsync(c, probe.Name, args);
            }
            finally
            {
                rules.ForEach(r => r.Dispose());
            }
            var writes = Journal.Entries.Where(e => e.At >= since && !ReadMethods.Contains(e.Method)).ToList();
            if (writes.Count == 0)
                continue; // this call sent no write (it refused or answered from a read)
            covered.Add(probe.Name);
            var repeated = writes.GroupBy(e => (e.Method, e.Path, e.Body)).Where(g => g.Count() > 1).Select(g => $"{g.Key.Method} {g.Key.Path} x{g.Count()}").ToList();
            Assert.True(repeated.Count == 0, $"{probe.Name} repeated a write under {kind}: {string.Join(", ", repeated)}");
            Assert.True(result.IsError == true, $"{probe.Name} reported success although its write failed ({kind}): {ToolCases.Text(result)}");
            Assert.False(string.IsNullOrWhiteSpace(ToolCases.ErrorMessage(result)), $"{probe.Name}: no message");
        }
        output.WriteLine($"{kind}: writes sent once by {string.Join(", ", covered)}");
        Assert.Contains("server_note_create", covered);
        await ServerStillServesAsync(c);
    }

    [Theory]
    [InlineData("503")]
    [InlineData("429-long")]
    [InlineData("reset")]
    [InlineData("html")]
    [InlineData("malformed")]
    [InlineData("slow")]
    public async Task EveryTool_AnswersAClearErrorUnderAPersistentFault(string kind)
    {
        var timeout = kind == "slow" ? TimeSpan.FromMilliseconds(500) : TimeoutFor(kind);
        var api = Api(retries: 1);
        await using var c = await ConnectAsync(emulator, api);
        using var setup = await ToolSetup.CreateAsync(c.Client, emulator);
        var probes = (await ProbeAsync(c, setup)).Where(p => p.UsesApi).ToList();
        var problems = new ConcurrentQueue<string>();
        var calls = new List<(Probe Probe, Dictionary<string, object?> Args)>();
        foreach (var probe in probes)
            calls.Add((probe, await probe.ArgumentsAsync())); // made before the fault, which would refuse the setup's calls too

        using (Faults.Add(Rule(kind, method: null, count: null, timeout)))
        using (Tighten(api, timeout))
        {
            // Each result is checked on its own, so the tools run side by side.
            await Parallel.ForEachAsync(calls, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (call, _) =>
            {
                var (probe, args) = call;
                var result = await CallAsync(c, probe.Name, args);
                if (Unclear(result, kind) is { } problem)
                    problems.Enqueue($"{probe.Name}: {problem}");
            });
        }
        output.WriteLine($"{kind}: {probes.Count} tools answered; problems: {problems.Count}");
        Assert.True(problems.IsEmpty, string.Join("\n", problems));
        await ServerStillServesAsync(c);
    }

    /// <summary>What makes an answer to a failed API call unclear; null when it is a proper error result.</summary>
    private static string? Unclear(CallToolResult result, string kind)
    {
        if (result.IsError != true)
            return $"success under a persistent fault: {ToolCases.Text(result)}";
        var body = JsonNode.Parse(ToolCases.Text(result))!.AsObject();
        var message = (string?)body["message"] ?? "";
        if (message.Length == 0 || string.IsNullOrWhiteSpace((string?)body["hint"]))
            return $"no message or no hint: {body.ToJsonString()}";
        var expected = kind switch
        {
            "503" => "503",
            "429-long" => "429",
            "html" => "HTML",
            "malformed" => "not JSON",
            "slow" => "timed out",
            _ => null,
        };
        if (expected is not null && !message.Contains(expected, StringComparison.Ordinal))
            return $"the message does not say '{expected}': {message}";
        if (kind == "429-long" && !((string?)body["hint"])!.Contains("60 seconds", StringComparison.Ordinal))
            return $"the hint does not pass on Retry-After: {body["hint"]}";
        return null;
    }

    [Fact]
    public async Task NoteCreate_ServerError_SendsOnePost_AndCreatesNothing()
    {
        await using var c = await ConnectAsync(emulator, Api());
        var marker = $"fault-503-{Guid.NewGuid():N}";
        var since = Journal.Elapsed;
        using (Faults.Add(new FaultRule(FaultKind.ServerError, "/api/servers/notes/") { Method = "POST" }))
        {
            var body = Error(await CallAsync(c, "server_note_create", new() { ["server_id"] = ToolCases.ServerId, ["title"] = "t", ["content"] = marker }));
            Assert.Equal(503, (int?)body["status_code"]);
        }
        Assert.Single(Journal.Entries, e => e.At >= since && e.Method == "POST");
        lock (emulator.Emulator.World.Gate)
            Assert.DoesNotContain(emulator.Emulator.World.Notes, n => n.Content.Contains(marker, StringComparison.Ordinal));
        await ServerStillServesAsync(c);
    }

    [Fact]
    public async Task NoteCreate_AnswerSlowerThanTheTimeout_IsATimeout_AndTheNoteExistsOnce()
    {
        var timeout = TimeoutFor("slow");
        var api = Api();
        await using var c = await ConnectAsync(emulator, api);
        // A warm connection, so that the POST surely reaches the emulator before the client gives up.
        Success(await CallAsync(c, "server_notes_list", new() { ["server_id"] = ToolCases.ServerId }));
        var marker = $"fault-slow-{Guid.NewGuid():N}";
        var since = Journal.Elapsed;
        using (Faults.Add(new FaultRule(FaultKind.Latency, "/api/servers/notes/") { Method = "POST", Delay = timeout + SlowBeyondTimeout }))
        using (Tighten(api, timeout))
        {
            var body = Error(await CallAsync(c, "server_note_create", new() { ["server_id"] = ToolCases.ServerId, ["title"] = "t", ["content"] = marker }));
            Assert.Contains("timed out", (string?)body["message"]);
            Assert.Contains("did not answer in time", (string?)body["hint"]);
        }
        // The emulator did the work although the client gave up: once, because the POST was not repeated.
        var post = Assert.Single(Journal.Entries, e => e.At >= since && e.Method == "POST");
        for (var i = 0; i < 600 && post.CompletedAt is null; i++)
            await Task.Delay(50); // the held answer is released after the delay
        Assert.Equal(StatusCodes.Status201Created, post.Status);
        lock (emulator.Emulator.World.Gate)
            Assert.Single(emulator.Emulator.World.Notes, n => n.Content.Contains(marker, StringComparison.Ordinal));
        await ServerStillServesAsync(c);
    }

    /// <summary>
    /// WebFTP's upload trigger is a GET that starts work, so the read-only retry rules must not apply to it: a 503 or a
    /// reset may come after the server passed it on, and a second trigger could start a second transfer.
    /// </summary>
    [Theory]
    [InlineData("503")]
    [InlineData("reset")]
    public async Task UploadTrigger_StartsWork_IsSentExactlyOnce_AndSaysTheOutcomeIsUnknown(string kind)
    {
        var timeout = TimeoutFor(kind);
        await using var c = await ConnectAsync(emulator, Api(retries: 3));
        var session = (string)Success(await CallAsync(c, "webftp_session_create", new() { ["server_id"] = ToolCases.ServerId, ["username"] = "jane" }))["data"]!["id"]!;
        var since = Journal.Elapsed;
        JsonObject body;
        // The upload's first GET under /uploads/ is its trigger (the create is a POST, the bytes go to /s3/).
        using (var fault = Faults.Add(Rule(kind, "GET", count: 1, timeout) with { PathPrefix = "/api/webftp/uploads/" }))
        {
            body = Error(await CallAsync(c, "webftp_upload_file", new() { ["session_id"] = session, ["file_path"] = $"/tmp/trigger-{kind}.txt", ["file_data"] = "aGk=" }));
            Assert.Equal(1, fault.Hits);
        }

        var triggers = Journal.Entries.Where(e => e.At >= since && e.Method == "GET" && e.Path.StartsWith("/api/webftp/uploads/", StringComparison.Ordinal) && e.Path.EndsWith("/upload/", StringComparison.Ordinal)).ToList();
        Assert.Single(triggers);
        Assert.Single(Journal.Entries, e => e.At >= since && e.Method == "PUT");
        Assert.DoesNotContain(Journal.Entries, e => e.At >= since && e.Path.EndsWith("/status/", StringComparison.Ordinal));
        var message = (string?)body["message"];
        Assert.Equal("trigger", (string?)body["details"]!["failure"]);
        Assert.NotNull(body["details"]!["transfer_id"]);
        Assert.Contains("not retried", message);
        Assert.Contains("unknown", message);
        Assert.Contains(kind == "503" ? "503" : "failed", message);
        Assert.Contains("before uploading again", (string?)body["hint"]);
        output.WriteLine(message);
        await ServerStillServesAsync(c);
    }

    [Fact]
    public async Task ServersList_429WithRetryAfter_WaitsAndRecovers()
    {
        await using var c = await ConnectAsync(emulator, Api());
        var since = Journal.Elapsed;
        using (var fault = Faults.Add(new FaultRule(FaultKind.TooManyRequests, "/api/servers/servers/") { Method = "GET", Count = 1, RetryAfter = TimeSpan.FromSeconds(1) }))
        {
            var body = Success(await CallAsync(c, "servers_list", new() { ["workspace"] = Workspace }));
            Assert.Equal(24, body["data"]!.AsArray().Count);
            Assert.Equal(1, fault.Hits);
        }
        var attempts = Journal.Entries.Where(e => e.At >= since && e.Path == "/api/servers/servers/").ToList();
        Assert.Equal([429, 200], attempts.Select(a => a.Status));
    }

    [Fact]
    public async Task ProbabilisticFault_IsRetriedToSuccess_AcrossManyCalls()
    {
        await using var c = await ConnectAsync(emulator, Api(retries: 4));
        using var fault = Faults.Add(new FaultRule(FaultKind.ServerError, "/api/servers/") { Method = "GET", Probability = 0.3 });
        for (var i = 0; i < 30; i++)
            Success(await CallAsync(c, "server_get", new() { ["server_id"] = ToolCases.ServerId }));
        Assert.InRange(fault.Hits, 1, 29);
    }

    [Fact]
    public async Task WebshCommandExecute_WebSocketDroppedMidCommand_IsAClearError_AndTheServerKeepsServing()
    {
        await using var c = await ConnectAsync(emulator, Api());
        var created = Success(await CallAsync(c, "websh_session_create", new() { ["server_id"] = ToolCases.ServerId }))["data"]!;
        var session = (string)created["id"]!;
        // The fault applies when a socket connects: let go of the session's channel, so that the command opens a new one.
        Success(await CallAsync(c, "websh_channel_disconnect", new() { ["channel_id"] = (string)created["channel_id"]! }));

        // On the new channel the shell sends the echo of the sync line, its marker, a prompt, the echo of the command and
        // its start marker (the prompt and that echo come as one message when the command is typed ahead), then
        // "partial" as message 5 or 6. The drop comes with message 7, a second after "partial" at least, so "partial"
        // has arrived and "never" cannot.
        using (var fault = Faults.Add(new FaultRule(FaultKind.WebSocketDrop, "/ws/websh/") { Count = 1, AfterMessages = 6 }))
        {
            var body = Error(await CallAsync(c, "websh_command_execute", new()
            {
                ["session_id"] = session,
                ["command"] = "echo partial; sleep 1; echo late; sleep 1; echo never",
                ["timeout"] = 30,
            }));
            Assert.Equal(1, fault.Hits);
            Assert.Contains("dropped", (string?)body["message"], StringComparison.Ordinal);
            Assert.Contains("may or may not", (string?)body["hint"], StringComparison.Ordinal);
            var partial = (string?)body["details"]?["partial_output"];
            Assert.NotNull(partial);
            Assert.StartsWith("partial", partial, StringComparison.Ordinal);
            Assert.DoesNotContain("never", partial, StringComparison.Ordinal);
            Assert.DoesNotContain("__ALPMCP_", partial, StringComparison.Ordinal);
        }

        // The session outlived the drop: the next command opens another channel and runs in the same shell.
        var after = Success(await CallAsync(c, "websh_command_execute", new() { ["session_id"] = session, ["command"] = "echo still serving", ["timeout"] = 30 }))["data"]!;
        Assert.Equal("still serving", (string?)after["output"]);
        Assert.Equal(0, (int?)after["exit_code"]);
        await ServerStillServesAsync(c);
    }

    [Fact]
    public async Task ControlEndpoint_AddsListsAndClearsRules_OverHttp()
    {
        using var http = new HttpClient { BaseAddress = emulator.BaseUrl };
        var added = await http.PostAsync("/_emulator/faults", new StringContent(
            """[{"kind":"server_error","method":"GET","path_prefix":"/api/status/","count":1,"status":502},{"kind":"websocket_drop","path_prefix":"/ws/","after_messages":2}]""",
            Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Created, added.StatusCode);
        var listed = JsonNode.Parse(await http.GetStringAsync("/_emulator/faults"))!["rules"]!.AsArray();
        Assert.Equal(["server_error", "websocket_drop"], listed.Select(r => (string?)r!["kind"]));
        Assert.Equal(2, (int?)listed[1]!["after_messages"]);

        using var status = new HttpRequestMessage(HttpMethod.Get, "/api/status/");
        status.Headers.TryAddWithoutValidation("Authorization", $"token=\"{EmulatorFixture.TestToken}\"");
        Assert.Equal(HttpStatusCode.BadGateway, (await http.SendAsync(status)).StatusCode);

        // A WebSocket rule leaves plain HTTP alone.
        using var again = new HttpRequestMessage(HttpMethod.Get, "/api/status/");
        again.Headers.TryAddWithoutValidation("Authorization", $"token=\"{EmulatorFixture.TestToken}\"");
        Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(again)).StatusCode);
        Assert.Equal(0, Faults.Rules.Single(r => r.Rule.Kind == FaultKind.WebSocketDrop).Hits);

        var bad = await http.PostAsync("/_emulator/faults", new StringContent("""{"kind":"gremlins"}""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("server_error", await bad.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.NoContent, (await http.DeleteAsync("/_emulator/faults")).StatusCode);
        Assert.Empty(Faults.Rules);
        Assert.DoesNotContain(Journal.Entries, e => e.Path.StartsWith("/_emulator", StringComparison.Ordinal));
    }
}
