using System.Diagnostics;
using Alpacon.Bench.Infrastructure;

namespace Alpacon.Bench.Scenarios;

/// <summary>
/// <c>tools/call servers_list</c> over stdio and over streamable HTTP, each call timed end to end, next to a direct
/// HTTP GET of the endpoint the tool calls: the server's overhead over the API's own latency.
/// </summary>
public sealed class ServersListScenario : IScenario
{
    private const double TargetRatio = 1.3;
    private const double TargetIdleRssBytes = 40e6;

    public string Name => "servers-list";

    public string Description => "tools/call servers_list over stdio and HTTP against a direct GET of the same endpoint; the server's RSS";

    public IReadOnlyList<Artifact> Needs { get; } = [Artifact.ServerAot, Artifact.ServerFdd, Artifact.Emulator];

    public async Task<ScenarioReport> RunAsync(BenchContext context, CancellationToken cancellationToken)
    {
        var emulator = await context.EmulatorAsync(cancellationToken).ConfigureAwait(false);
        using var http = BenchContext.NewHttpClient();
        var cases = new List<Case>
        {
            new("direct GET (baseline)", "`GET /api/servers/servers/?ordering=name&page=1&page_size=100`", null,
                async ct =>
                {
                    using var request = new HttpRequestMessage(HttpMethod.Get, emulator.ServersListUrl);
                    Emulator.Authorize(request);
                    using var response = await http.SendAsync(request, ct).ConfigureAwait(false);
                    var body = await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false);
                    return response.IsSuccessStatusCode ? body : throw new BenchException($"GET {emulator.ServersListUrl} answered {(int)response.StatusCode}: {body}");
                }),
        };
        var owned = new List<IAsyncDisposable>();
        var emulatorCpuPerCall = double.NaN;
        try
        {
            foreach (var artifact in new[] { Artifact.ServerAot, Artifact.ServerFdd })
            {
                var label = context.Builds.Launch(artifact).Label;
                var stdio = new StdioPeer(context.Start(artifact, emulator.BaseUrl));
                owned.Add(stdio);
                await stdio.InitializeAsync(cancellationToken).ConfigureAwait(false);
                var afterInit = Memory.Of(stdio.Process.Pid);
                cases.Add(new($"stdio, {label}", "`tools/call servers_list`", stdio.Process.Pid, ct => stdio.RequestAsync(JsonRpc.ServersList, ct)) { AfterInit = afterInit });

                var server = await HttpServerProcess.StartAsync(context, artifact, emulator.BaseUrl, stateless: false, cancellationToken).ConfigureAwait(false);
                owned.Add(server);
                var peer = new HttpPeer(http, server.Endpoint, stateful: true);
                await peer.InitializeAsync(cancellationToken).ConfigureAwait(false);
                var httpAfterInit = Memory.Of(server.Process.Pid);
                cases.Add(new($"HTTP (stateful), {label}", "`POST /mcp` tools/call servers_list", server.Process.Pid, ct => peer.RequestAsync(JsonRpc.ServersList, ct)) { AfterInit = httpAfterInit });
            }

            // One checked call each, then the server at rest: the idle figure of a server that has served a call.
            foreach (var c in cases)
            {
                var answer = await c.Call(cancellationToken).ConfigureAwait(false);
                if (c.Pid is null)
                    CheckDirect(answer);
                else
                    JsonRpc.CheckServersList(answer, BenchContext.SeededServers);
            }
            await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken).ConfigureAwait(false);
            foreach (var c in cases.Where(c => c.Pid is not null))
                c.Idle = Memory.Of(c.Pid!.Value);

            var o = context.Options;
            var emulatorCpu = CpuTime.Of(emulator.Pid);
            foreach (var c in cases.Where(c => c.Pid is not null))
                c.CpuBefore = CpuTime.Of(c.Pid!.Value);
            for (var round = -o.CallWarmups; round < o.Calls; round++)
            {
                // Interleaved call by call, so every case sees the same machine load.
                for (var k = 0; k < cases.Count; k++)
                {
                    var c = cases[(k + Math.Max(round, 0)) % cases.Count];
                    var started = Stopwatch.GetTimestamp();
                    var answer = await c.Call(cancellationToken).ConfigureAwait(false);
                    var ms = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                    if (round < 0)
                        continue;
                    c.Times.Add(ms);
                    if (c.Pid is not null && !JsonRpc.LooksSuccessful(answer))
                        c.Errors++;
                }
            }
            // CPU time counts warm-up calls too: per call it is (total) / (warm-up + measured calls).
            foreach (var c in cases.Where(c => c.Pid is not null))
            {
                c.After = Memory.Of(c.Pid!.Value);
                c.CpuPerCall = (CpuTime.Of(c.Pid!.Value) - c.CpuBefore) / (o.CallWarmups + o.Calls);
            }
            emulatorCpuPerCall = (CpuTime.Of(emulator.Pid) - emulatorCpu) / ((o.CallWarmups + o.Calls) * cases.Count);
        }
        finally
        {
            foreach (var d in owned)
                await d.DisposeAsync().ConfigureAwait(false);
        }

        var direct = new Stats(cases[0].Times).Median;
        var report = new ScenarioReport(Name, "`tools/call servers_list` against a direct API call")
        {
            Method = $"The tool lists the emulator's {BenchContext.SeededServers} servers with one GET of page 1 (page_size 100); the baseline is that same GET sent by the benchmark " +
                "(HttpClient, keep-alive, same headers). Every case is called in turn, one call at a time, " +
                $"{context.Options.Calls} measured calls each after {context.Options.CallWarmups} warm-up rounds; a call is timed from writing the request to having read the whole response. " +
                "The client is raw JSON-RPC (one line per message over stdio; POST /mcp with `Accept: application/json, text/event-stream` and the `Mcp-Session-Id` of an initialized session over HTTP), not the SDK's McpClient. " +
                "Server CPU is the user + system time the server process used per call (from /proc, steadier than wall time on a busy machine). " +
                "RSS is VmRSS after initialize, at rest 1 s after a first call (idle), and after the run (VmHWM is the peak).",
            Table = new MarkdownTable("case", "request", "n", "median", "p95", "ratio to direct", "overhead (median)", "server CPU/call", "RSS after init / idle / after run (peak)") { TextColumns = 2 },
        };
        foreach (var c in cases)
        {
            var s = new Stats(c.Times);
            report.Table.Add(
                c.Label + (c.Errors > 0 ? $" ({c.Errors} errors)" : ""),
                c.Request,
                $"{s.Count}",
                Fmt.Ms(s.Median),
                Fmt.Ms(s.P95),
                c.Pid is null ? "1.00× (baseline)" : Fmt.Ratio(s.Median / direct),
                c.Pid is null ? "-" : Fmt.Ms(s.Median - direct),
                c.Pid is null ? "-" : Fmt.Ms(c.CpuPerCall),
                c.Pid is null ? "-" : $"{Fmt.MiB(c.AfterInit.RssMiB)} / {Fmt.MiB(c.Idle.RssMiB)} / {Fmt.MiB(c.After.RssMiB)} ({Fmt.MiB(c.After.PeakMiB)})");
        }
        report.Notes.Add($"The emulator used {Fmt.Ms(emulatorCpuPerCall)} of CPU per API call (every case sends one), which bounds the direct GET from below.");
        var aotStdio = cases.First(c => c.Label == $"stdio, {context.Builds.Launch(Artifact.ServerAot).Label}");
        var ratio = new Stats(aotStdio.Times).Median / direct;
        report.Targets.Add(new TargetCheck($"`tools/call` over stdio ≤ {TargetRatio:0.0}× the direct API call (median, NativeAOT)", $"{Fmt.Ratio(ratio)} ({Fmt.Ms(new Stats(aotStdio.Times).Median)} vs {Fmt.Ms(direct)})", ratio <= TargetRatio, Fmt.AtMost(ratio, TargetRatio)));
        var idleBytes = aotStdio.Idle.RssMiB * 1024 * 1024;
        report.Targets.Add(new TargetCheck("idle RSS of the NativeAOT build ≤ 40 MB", $"{Fmt.MiB(aotStdio.Idle.RssMiB)} = {Fmt.Num(idleBytes / 1e6, "0.0")} MB (stdio, at rest after a call)", idleBytes <= TargetIdleRssBytes, Fmt.AtMost(idleBytes, TargetIdleRssBytes)));
        return report;
    }

    private static void CheckDirect(string body)
    {
        if (!body.Contains("\"results\"", StringComparison.Ordinal) || !body.Contains($"\"count\":{BenchContext.SeededServers}", StringComparison.Ordinal))
            throw new BenchException($"The direct GET did not list {BenchContext.SeededServers} servers: {body[..Math.Min(body.Length, 200)]}");
    }

    private sealed record Case(string Label, string Request, int? Pid, Func<CancellationToken, Task<string>> Call)
    {
        public List<double> Times { get; } = [];

        public int Errors { get; set; }

        public Memory AfterInit { get; init; }

        public Memory Idle { get; set; }

        public Memory After { get; set; }

        public double CpuBefore { get; set; }

        public double CpuPerCall { get; set; } = double.NaN;
    }
}
