using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Alpacon.Bench.Infrastructure;

namespace Alpacon.Bench.Scenarios;

/// <summary>
/// <c>tools/call execute_command</c> of a short command (stdio, NativeAOT): how long after the command ended in the
/// emulator (<c>handled_at</c>, set when the agent's <c>fin</c> arrives) the tool returned, next to a baseline of the
/// direct POST plus the emulator's own run time of the same command, and of a naive client that POSTs the same command
/// and polls it every second until <c>handled_at</c> is set.
/// </summary>
public sealed class CommandCompletionScenario : IScenario
{
    private const string ServerName = "web-01";
    private const string Line = "sleep 0.2";
    private const double TargetNoticeMs = 100;

    /// <summary>The naive client's fixed polling period.</summary>
    private static readonly TimeSpan NaivePoll = TimeSpan.FromSeconds(1);

    /// <summary>How often the baseline polls (untimed) for the end of its command.</summary>
    private static readonly TimeSpan UntimedPoll = TimeSpan.FromMilliseconds(20);

    public string Name => "command-completion";

    public string Description => "tools/call execute_command (sleep 0.2): delay from the command's end (handled_at) to the tool's answer, against the direct POST + run time and a 1 s polling loop";

    public IReadOnlyList<Artifact> Needs { get; } = [Artifact.ServerAot, Artifact.Emulator];

    public async Task<ScenarioReport> RunAsync(BenchContext context, CancellationToken cancellationToken)
    {
        var emulator = await context.EmulatorAsync(cancellationToken).ConfigureAwait(false);
        using var http = BenchContext.NewHttpClient();
        var api = new DirectApi(http, emulator.BaseUrl);
        var serverId = await api.ServerIdAsync(ServerName, cancellationToken).ConfigureAwait(false);
        var arguments = $$"""{"server_id":"{{serverId}}","command":"{{Line}}","workspace":"{{JsonRpc.Workspace}}"}""";

        await using var stdio = new StdioPeer(context.Start(Artifact.ServerAot, emulator.BaseUrl));
        await stdio.InitializeAsync(cancellationToken).ConfigureAwait(false);

        var o = context.Options;
        // Each call lasts the command's run time (about 0.25 s): fewer samples than the quick tool calls.
        var calls = Math.Clamp(o.Calls / 6, 5, 50);
        var warmups = Math.Clamp(o.CallWarmups / 10, 1, 5);
        var tool = new List<double>();
        var notice = new List<double>();
        var toolRun = new List<double>();
        var toolBefore = new List<double>();
        var baseline = new List<double>();
        var post = new List<double>();
        var baseRun = new List<double>();
        var naive = new List<double>();
        var naiveNotice = new List<double>();
        var errors = 0;
        var body = new JsonObject { ["server"] = serverId, ["shell"] = "system", ["line"] = Line, ["run_after"] = new JsonArray() };
        for (var round = -warmups; round < calls; round++)
        {
            // Rotate which goes first, so all three see the same load.
            for (var k = 0; k < 3; k++)
            {
                var which = (k + Math.Max(round, 0)) % 3;
                if (which == 0)
                {
                    var sentAt = DateTimeOffset.UtcNow;
                    var started = Stopwatch.GetTimestamp();
                    var answer = await stdio.RequestAsync(id => JsonRpc.CallTool(id, "execute_command", arguments), cancellationToken).ConfigureAwait(false);
                    var returnedAt = DateTimeOffset.UtcNow;
                    var ms = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                    var data = ToolAnswer.Data(answer, "execute_command");
                    if (data["exit_code"]?.GetValue<int>() != 0)
                        errors++;
                    var command = await api.GetAsync($"/api/events/commands/{data["command_id"]}/", cancellationToken).ConfigureAwait(false);
                    if (round < 0)
                        continue;
                    tool.Add(ms);
                    notice.Add((returnedAt - Time(command, "handled_at")).TotalMilliseconds);
                    toolRun.Add((Time(command, "handled_at") - Time(command, "added_at")).TotalMilliseconds);
                    toolBefore.Add((Time(command, "added_at") - sentAt).TotalMilliseconds);
                }
                else if (which == 1)
                {
                    var started = Stopwatch.GetTimestamp();
                    var id = await SubmitAsync(api, body, cancellationToken).ConfigureAwait(false);
                    var postMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                    var command = await FinishedAsync(api, id, UntimedPoll, cancellationToken).ConfigureAwait(false);
                    if (round < 0)
                        continue;
                    var run = (Time(command, "handled_at") - Time(command, "added_at")).TotalMilliseconds;
                    post.Add(postMs);
                    baseRun.Add(run);
                    baseline.Add(postMs + run);
                }
                else
                {
                    // What a naive client does: submit, then GET the command every second until it has handled_at.
                    var started = Stopwatch.GetTimestamp();
                    var id = await SubmitAsync(api, body, cancellationToken).ConfigureAwait(false);
                    var command = await FinishedAsync(api, id, NaivePoll, cancellationToken).ConfigureAwait(false);
                    var seenAt = DateTimeOffset.UtcNow;
                    var ms = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                    if (round < 0)
                        continue;
                    naive.Add(ms);
                    naiveNotice.Add((seenAt - Time(command, "handled_at")).TotalMilliseconds);
                }
            }
        }

        var b = new Stats(baseline);
        var t = new Stats(tool);
        var n = new Stats(notice);
        var report = new ScenarioReport(Name, "`execute_command`: noticing that a command ended")
        {
            Method = $"`execute_command` runs `{Line}` on {ServerName} (the emulator's agent delivers it after 30 ms, acks after 10 ms, runs it in its virtual shell and reports `fin`). " +
                "The command ends in the emulator when the agent's `fin` is recorded: the command's `handled_at`, in microseconds, from the emulator's clock, which is the same system clock the benchmark reads. " +
                "**Noticed after end** is the benchmark's `DateTimeOffset.UtcNow` once it has read the tool's answer, minus that `handled_at` (read with a GET after the call, untimed): it covers the event stream's `command_fin`, the server's final GET of the command and its output, and the answer on stdio. " +
                "The tool opens its event stream before it submits (an event session, a `command_fin` subscription, the WebSocket), so no `fin` can be missed; that set-up is in the row \"until the command was added\" (`added_at` minus the moment the call was sent). " +
                "The baseline is what the call cannot be faster than: the benchmark's own `POST /api/events/commands/` (same body, timed) plus the emulator's run time of that command (`handled_at - added_at`; the benchmark then polls untimed for the end). " +
                $"The fixed-polling client is what a naive client does: the same POST, then `GET /api/events/commands/{{id}}/` at once and every {NaivePoll.TotalSeconds:0} s after each answer until `handled_at` is set; its notice is the moment that GET's answer was read minus `handled_at`. " +
                $"Tool calls, baselines and polling clients take turns (the order rotating), {calls} measured each after {warmups} warm-up rounds.",
            Table = new MarkdownTable("case", "n", "median", "p95", "ratio to baseline") { TextColumns = 1 },
        };
        report.Table.Add("direct POST + run time (baseline)", $"{b.Count}", Fmt.Ms(b.Median), Fmt.Ms(b.P95), "1.00× (baseline)");
        report.Table.Add("↳ of which: POST", $"{post.Count}", Fmt.Ms(new Stats(post).Median), Fmt.Ms(new Stats(post).P95), "-");
        report.Table.Add("↳ of which: run time in the emulator", $"{baseRun.Count}", Fmt.Ms(new Stats(baseRun).Median), Fmt.Ms(new Stats(baseRun).P95), "-");
        report.Table.Add($"`tools/call execute_command`, stdio, {context.Builds.Launch(Artifact.ServerAot).Label}" + (errors > 0 ? $" ({errors} errors)" : ""), $"{t.Count}", Fmt.Ms(t.Median), Fmt.Ms(t.P95), Fmt.Ratio(t.Median / b.Median));
        report.Table.Add("↳ of which: until the command was added (event stream set-up, POST)", $"{toolBefore.Count}", Fmt.Ms(new Stats(toolBefore).Median), Fmt.Ms(new Stats(toolBefore).P95), "-");
        report.Table.Add("↳ of which: run time in the emulator", $"{toolRun.Count}", Fmt.Ms(new Stats(toolRun).Median), Fmt.Ms(new Stats(toolRun).P95), "-");
        report.Table.Add("↳ **noticed after end** (answer read - `handled_at`)", $"{n.Count}", Fmt.Ms(n.Median), Fmt.Ms(n.P95), "-");
        var p = new Stats(naive);
        var pn = new Stats(naiveNotice);
        report.Table.Add($"fixed {NaivePoll.TotalSeconds:0} s polling client (direct POST, then GET every {NaivePoll.TotalSeconds:0} s)", $"{p.Count}", Fmt.Ms(p.Median), Fmt.Ms(p.P95), Fmt.Ratio(p.Median / b.Median));
        report.Table.Add("↳ **noticed after end** (`handled_at` seen - `handled_at`)", $"{pn.Count}", Fmt.Ms(pn.Median), Fmt.Ms(pn.P95), "-");
        report.Notes.Add($"Overhead of the tool over the baseline (median): {Fmt.Ms(t.Median - b.Median)}; the slowest notice was {Fmt.Ms(n.Max)}.");
        report.Notes.Add($"The fixed {NaivePoll.TotalSeconds:0} s polling loop notices the end {Fmt.Ms(pn.Median)} after it (median; p95 {Fmt.Ms(pn.P95)}), {Fmt.Ms(pn.Median - n.Median)} later than the tool's event stream.");
        report.Targets.Add(new TargetCheck("command completion noticed within ~100 ms of its end (median, event stream)", $"{Fmt.Ms(n.Median)} (p95 {Fmt.Ms(n.P95)})", n.Median <= TargetNoticeMs, Fmt.AtMost(n.Median, TargetNoticeMs)));
        return report;
    }

    /// <summary>Submits a command as the tool does; its id.</summary>
    private static async Task<string> SubmitAsync(DirectApi api, JsonObject body, CancellationToken cancellationToken)
    {
        var created = await api.PostAsync("/api/events/commands/", body.DeepClone(), cancellationToken).ConfigureAwait(false);
        return (created is JsonArray a ? a[0] : created)?["id"]?.ToString() ?? throw new BenchException("POST /api/events/commands/ returned no id.");
    }

    /// <summary>GETs the command every <paramref name="interval"/> (after each answer) until it has its outcome.</summary>
    private static async Task<JsonNode> FinishedAsync(DirectApi api, string id, TimeSpan interval, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.GetTimestamp() + (30 * Stopwatch.Frequency);
        while (true)
        {
            var command = await api.GetAsync($"/api/events/commands/{id}/", cancellationToken).ConfigureAwait(false)
                ?? throw new BenchException($"GET of command {id} returned nothing.");
            if (command["handled_at"] is JsonValue)
                return command;
            if (Stopwatch.GetTimestamp() > deadline)
                throw new BenchException($"Command {id} did not end within 30 s: {command.ToJsonString()}");
            await Task.Delay(interval, cancellationToken).ConfigureAwait(false);
        }
    }

    private static DateTimeOffset Time(JsonNode? command, string field) =>
        DateTimeOffset.Parse(command?[field]?.ToString() ?? throw new BenchException($"The command has no {field}: {command?.ToJsonString()}"), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);
}
