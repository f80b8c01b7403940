using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Alpacon.Bench.Infrastructure;

namespace Alpacon.Bench.Scenarios;

/// <summary>
/// <c>tools/call get_server_metrics_summary</c> (stdio, NativeAOT) next to the same API requests sent by the
/// benchmark: the four series GETs at once (the baseline), the tool's own request graph (six GETs, the
/// disk and traffic series after the discovery they need), and the six GETs one after the other; then, with the
/// emulator's latency fault on the series, the tool next to the four series one after another and the slowest of them.
/// </summary>
public sealed class MetricsSummaryScenario : IScenario
{
    private const string ServerName = "web-01";
    private const double TargetResultBytes = 2048;

    /// <summary>The latency injected on every series GET for the second set of rows (the fan-out's case).</summary>
    private const int LatencyMs = 50;

    /// <summary>The latency set costs about 0.4 s a round: it runs at most this many measured rounds.</summary>
    private const int LatencyRounds = 100;

    public string Name => "metrics-summary";

    public string Description => "tools/call get_server_metrics_summary against its series GETs sent concurrently and one by one; the result's size";

    public IReadOnlyList<Artifact> Needs { get; } = [Artifact.ServerAot, Artifact.Emulator];

    public async Task<ScenarioReport> RunAsync(BenchContext context, CancellationToken cancellationToken)
    {
        var emulator = await context.EmulatorAsync(cancellationToken).ConfigureAwait(false);
        using var http = BenchContext.NewHttpClient();
        var api = new DirectApi(http, emulator.BaseUrl);
        var serverId = await api.ServerIdAsync(ServerName, cancellationToken).ConfigureAwait(false);
        var arguments = $$"""{"server_id":"{{serverId}}","workspace":"{{JsonRpc.Workspace}}"}""";

        await using var stdio = new StdioPeer(context.Start(Artifact.ServerAot, emulator.BaseUrl));
        await stdio.InitializeAsync(cancellationToken).ConfigureAwait(false);

        // One checked call: the device and interface the tool chose are what the baselines ask for.
        var first = await stdio.RequestAsync(id => JsonRpc.CallTool(id, "get_server_metrics_summary", arguments), cancellationToken).ConfigureAwait(false);
        var data = ToolAnswer.Data(first, "get_server_metrics_summary");
        var device = data["disk"]?["device"]?.ToString() ?? throw new BenchException($"The summary names no disk device: {data.ToJsonString()}");
        var nic = data["network"]?["interface"]?.ToString() ?? throw new BenchException($"The summary names no interface: {data.ToJsonString()}");
        var resultBytes = Encoding.UTF8.GetByteCount(ToolAnswer.Text(first));
        var messageBytes = Encoding.UTF8.GetByteCount(first);

        // The tool's requests (MetricsClient, SystemInfoClient): start = now - 24 h in whole seconds, lists paged by 100.
        string Start() => Uri.EscapeDataString(DateTimeOffset.UtcNow.AddHours(-24).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
        string Series(string metric, string start, string extra = "") => $"/api/metrics/realtime/{metric}/?server={serverId}&start={start}{extra}";
        string List(string kind) => $"/api/proc/{kind}/?server={serverId}&page=1&page_size=100";
        Task<string> Get(string path, CancellationToken ct) => api.GetStringAsync(path, ct);

        var cases = new List<Case>
        {
            new("4 series GETs, concurrent (baseline)", "cpu, memory, disk-usage, traffic at once", false, async ct =>
            {
                var s = Start();
                await Task.WhenAll(
                    Get(Series("cpu", s), ct), Get(Series("memory", s), ct),
                    Get(Series("disk-usage", s, $"&device={Uri.EscapeDataString(device)}"), ct),
                    Get(Series("traffic", s, $"&interface={Uri.EscapeDataString(nic)}"), ct)).ConfigureAwait(false);
                return "";
            }),
            new("the tool's 6 GETs, same graph", "cpu, memory, interfaces, partitions at once; disk-usage after partitions, traffic after interfaces", false, async ct =>
            {
                var s = Start();
                var disk = Get(List("partitions"), ct).ContinueWith(_ => Get(Series("disk-usage", s, $"&device={Uri.EscapeDataString(device)}"), ct), ct, TaskContinuationOptions.OnlyOnRanToCompletion, TaskScheduler.Default).Unwrap();
                var traffic = Get(List("interfaces"), ct).ContinueWith(_ => Get(Series("traffic", s, $"&interface={Uri.EscapeDataString(nic)}"), ct), ct, TaskContinuationOptions.OnlyOnRanToCompletion, TaskScheduler.Default).Unwrap();
                await Task.WhenAll(Get(Series("cpu", s), ct), Get(Series("memory", s), ct), disk, traffic).ConfigureAwait(false);
                return "";
            }),
            new("the same 6 GETs, one by one", "no fan-out: what a sequential summary would cost", false, async ct =>
            {
                var s = Start();
                await Get(Series("cpu", s), ct).ConfigureAwait(false);
                await Get(Series("memory", s), ct).ConfigureAwait(false);
                await Get(List("interfaces"), ct).ConfigureAwait(false);
                await Get(List("partitions"), ct).ConfigureAwait(false);
                await Get(Series("disk-usage", s, $"&device={Uri.EscapeDataString(device)}"), ct).ConfigureAwait(false);
                await Get(Series("traffic", s, $"&interface={Uri.EscapeDataString(nic)}"), ct).ConfigureAwait(false);
                return "";
            }),
            new($"stdio, {context.Builds.Launch(Artifact.ServerAot).Label}", "`tools/call get_server_metrics_summary` (hours 24)", true,
                ct => stdio.RequestAsync(id => JsonRpc.CallTool(id, "get_server_metrics_summary", arguments), ct)),
        };

        // The second set: every GET /api/metrics/ answered LatencyMs late (the emulator's latency fault), so the
        // series dominate as on a distant API. The four series one after another are the baseline; each of
        // their times is kept, and the slowest of the four is what a perfect fan-out would cost.
        var latencyRule = new JsonObject { ["kind"] = "latency", ["method"] = "GET", ["path_prefix"] = "/api/metrics/", ["delay_ms"] = LatencyMs };
        var slowest = new List<double>();
        var lastSlowest = 0.0;
        var latencyCases = new List<Case>
        {
            new($"{LatencyMs} ms latency: 4 series GETs, one after another (baseline)", "cpu, memory, disk-usage, traffic in turn: the sum of the four calls", false, async ct =>
            {
                var s = Start();
                lastSlowest = 0;
                foreach (var path in new[] { Series("cpu", s), Series("memory", s), Series("disk-usage", s, $"&device={Uri.EscapeDataString(device)}"), Series("traffic", s, $"&interface={Uri.EscapeDataString(nic)}") })
                {
                    var started = Stopwatch.GetTimestamp();
                    await Get(path, ct).ConfigureAwait(false);
                    lastSlowest = Math.Max(lastSlowest, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                }
                return "";
            }),
            new($"{LatencyMs} ms latency: stdio, {context.Builds.Launch(Artifact.ServerAot).Label}", "`tools/call get_server_metrics_summary` (hours 24)", true,
                ct => stdio.RequestAsync(id => JsonRpc.CallTool(id, "get_server_metrics_summary", arguments), ct)),
        };

        var o = context.Options;
        var latencyWarmups = Math.Min(o.CallWarmups, 10);
        var latencyCalls = Math.Min(o.Calls, LatencyRounds);
        var cpuBefore = CpuTime.Of(stdio.Process.Pid);
        var cpuCalls = 0;
        for (var round = -o.CallWarmups; round < o.Calls; round++)
        {
            // Interleaved call by call, the order rotating, so every case sees the same machine load; the latency set
            // runs in the same rounds with its rule in force only around it.
            await RoundAsync(cases, round).ConfigureAwait(false);
            if (round < -latencyWarmups || round >= latencyCalls)
                continue;
            await using (await api.InjectFaultAsync(latencyRule, cancellationToken).ConfigureAwait(false))
                await RoundAsync(latencyCases, round).ConfigureAwait(false);
        }
        var cpuPerCall = (CpuTime.Of(stdio.Process.Pid) - cpuBefore) / cpuCalls;

        var report = new ScenarioReport(Name, "`get_server_metrics_summary`: the fan-out against its API calls")
        {
            Method = $"The tool summarises CPU, memory, disk and network of {ServerName} over 24 hours: it reads the interfaces and partitions and the CPU and memory series at once, " +
                "then the disk-usage series of the partition mounted at / and the traffic series of the first up interface as soon as the discovery each needs has answered (six GETs in two round trips). " +
                "The benchmark sends the same requests itself (same paths and query: `server`, `start` = now - 24 h, the device and interface the tool chose; lists with `page=1&page_size=100`) over keep-alive HttpClient connections: " +
                "the four series at once (the issue's baseline), the tool's six GETs in the same dependency graph, and the six one after the other. " +
                $"Every case is called in turn, {o.Calls} measured calls each after {o.CallWarmups} warm-up rounds; a call is timed from the first request to the last byte of the last answer. " +
                $"The rows marked \"{LatencyMs} ms latency\" are a second set measured in the same rounds ({latencyCalls} measured after {latencyWarmups} warm-ups): around them the benchmark adds the emulator's latency fault (`POST /_emulator/faults`, `{{\"kind\":\"latency\",\"method\":\"GET\",\"path_prefix\":\"/api/metrics/\",\"delay_ms\":{LatencyMs}}}`: each answer held back {LatencyMs} ms) and removes it after them, so the first set never sees it. " +
                "Its baseline is the issue's: the four series GETs one after another (the sum of the four calls), each timed on its own; the slowest of the four in each round is what a perfect concurrent fan-out would cost. The discovery lists (`/api/proc/`) are not slowed.",
            Table = new MarkdownTable("case", "requests", "n", "median", "p95", "ratio to its set's baseline") { TextColumns = 2 },
        };
        foreach (var c in cases)
            Row(c.Label, c.Requests, c.Times, cases[0].Times, c.Errors);
        var sum = latencyCases[0].Times;
        Row(latencyCases[0].Label, latencyCases[0].Requests, sum, sum, 0);
        Row($"{LatencyMs} ms latency: the slowest of those 4 single calls", "the longest of the four calls above, round by round: what a perfect fan-out would cost", slowest, sum, 0);
        Row(latencyCases[1].Label, latencyCases[1].Requests, latencyCases[1].Times, sum, latencyCases[1].Errors);
        var tool = new Stats(cases[3].Times).Median;
        var graph = new Stats(cases[1].Times).Median;
        var sequential = new Stats(cases[2].Times).Median;
        report.Notes.Add($"The tool's result is {resultBytes:N0} bytes of text for the model ({messageBytes:N0} bytes of JSON-RPC message); the four raw series it summarises are {await SeriesBytesAsync().ConfigureAwait(false):N0} bytes.");
        report.Notes.Add($"Over the same request graph sent directly the tool costs {Fmt.Ms(tool - graph)} ({Fmt.Ratio(tool / graph)}); the fan-out saves {Fmt.Ms(sequential - graph)} of the sequential {Fmt.Ms(sequential)}. Server CPU per call: {Fmt.Ms(cpuPerCall)}.");
        var toolSlow = new Stats(latencyCases[1].Times).Median;
        var slowestMedian = new Stats(slowest).Median;
        report.Notes.Add($"With {LatencyMs} ms on every series GET the tool takes {Fmt.Ms(toolSlow)}: {Fmt.Ms(toolSlow - slowestMedian)} over the slowest single call ({Fmt.Ratio(toolSlow / slowestMedian)}), {Fmt.Ratio(toolSlow / new Stats(sum).Median)} of the four calls one after another.");
        report.Targets.Add(new TargetCheck("`get_server_metrics_summary` result about 2 KB (≤ 2,048 bytes of text)", $"{resultBytes:N0} bytes", resultBytes <= TargetResultBytes, Fmt.AtMost(resultBytes, TargetResultBytes)));
        return report;

        async Task RoundAsync(List<Case> set, int round)
        {
            for (var k = 0; k < set.Count; k++)
            {
                var c = set[(k + Math.Max(round, 0)) % set.Count];
                var started = Stopwatch.GetTimestamp();
                var answer = await c.Call(cancellationToken).ConfigureAwait(false);
                var ms = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                if (c.IsTool)
                    cpuCalls++;
                if (round < 0)
                    continue;
                c.Times.Add(ms);
                if (ReferenceEquals(c, latencyCases[0]))
                    slowest.Add(lastSlowest);
                if (c.IsTool && !JsonRpc.LooksSuccessful(answer))
                    c.Errors++;
            }
        }

        void Row(string label, string requests, List<double> times, List<double> baselineTimes, int errors)
        {
            var s = new Stats(times);
            report.Table.Add(label + (errors > 0 ? $" ({errors} errors)" : ""), requests, $"{s.Count}", Fmt.Ms(s.Median), Fmt.Ms(s.P95), ReferenceEquals(times, baselineTimes) ? "1.00× (baseline)" : Fmt.Ratio(s.Median / new Stats(baselineTimes).Median));
        }

        async Task<long> SeriesBytesAsync()
        {
            var s = Start();
            var bodies = await Task.WhenAll(
                Get(Series("cpu", s), cancellationToken), Get(Series("memory", s), cancellationToken),
                Get(Series("disk-usage", s, $"&device={Uri.EscapeDataString(device)}"), cancellationToken),
                Get(Series("traffic", s, $"&interface={Uri.EscapeDataString(nic)}"), cancellationToken)).ConfigureAwait(false);
            return bodies.Sum(b => (long)Encoding.UTF8.GetByteCount(b));
        }
    }

    private sealed record Case(string Label, string Requests, bool IsTool, Func<CancellationToken, Task<string>> Call)
    {
        public List<double> Times { get; } = [];

        public int Errors { get; set; }
    }
}
