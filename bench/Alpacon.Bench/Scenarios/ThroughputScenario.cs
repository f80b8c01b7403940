using System.Diagnostics;
using Alpacon.Bench.Infrastructure;

namespace Alpacon.Bench.Scenarios;

/// <summary>
/// Calls per second over streamable HTTP with 1, 8 and 64 concurrent clients, each calling servers_list in a loop,
/// next to the same number of clients sending the direct GET; the server's RSS after each level.
/// </summary>
public sealed class ThroughputScenario : IScenario
{
    private const double TargetCallsPerSecond = 2000;
    private static readonly int[] Levels = [1, 8, 64];

    public string Name => "throughput";

    public string Description => "servers_list calls per second over streamable HTTP with 1, 8 and 64 concurrent clients (stateful and stateless); RSS";

    public IReadOnlyList<Artifact> Needs { get; } = [Artifact.ServerAot, Artifact.ServerFdd, Artifact.Emulator];

    public async Task<ScenarioReport> RunAsync(BenchContext context, CancellationToken cancellationToken)
    {
        var emulator = await context.EmulatorAsync(cancellationToken).ConfigureAwait(false);
        using var http = BenchContext.NewHttpClient();
        var o = context.Options;
        var report = new ScenarioReport(Name, "Throughput over streamable HTTP")
        {
            Method = $"N clients call in a closed loop (the next call as soon as the answer is read) for {Fmt.Num(o.Warmup.TotalSeconds)} s of warm-up and {Fmt.Num(o.Duration.TotalSeconds)} s measured per level; " +
                "calls/s counts the answers read in the measured window, latency is per call. Stateful: each client has its own initialized session (`Mcp-Session-Id`), the server's default. " +
                "Stateless: `--stateless`, no handshake, `MCP-Protocol-Version` on each request. The baseline is N clients sending the direct GET that servers_list sends. " +
                "One keep-alive connection per client; raw JSON-RPC; the load generator runs on the same 2 cores as the server and the emulator. " +
                "CPU/call is the CPU time each process used per answered call (warm-up included): the server, the emulator, and the load generator itself. " +
                $"Their sum bounds the rate from above: {Environment.ProcessorCount} cores × 1,000 ms ÷ CPU per call is the ceiling even with nothing else running. RSS is the server's VmRSS after the level.",
            Table = new MarkdownTable("case", "mode", "clients", "calls/s", "median", "p95", "errors", "ratio to direct", "CPU/call server + emulator + client", "ceiling", "server RSS") { TextColumns = 2 },
        };

        var direct = new Dictionary<int, double>();
        foreach (var clients in Levels)
        {
            var r = await LoadAsync(clients, null, emulator.Pid, _ => Task.FromResult<Func<CancellationToken, Task<bool>>>(async ct =>
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, emulator.ServersListUrl);
                Emulator.Authorize(request);
                using var response = await http.SendAsync(request, ct).ConfigureAwait(false);
                await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false);
                return response.IsSuccessStatusCode;
            }), o, cancellationToken).ConfigureAwait(false);
            direct[clients] = r.PerSecond;
            Add(report.Table, "direct GET (baseline)", "-", clients, r, double.NaN, null);
        }

        var peaks = new List<string>();
        var aotAt64 = new Dictionary<string, LoadResult>();
        foreach (var artifact in new[] { Artifact.ServerAot, Artifact.ServerFdd })
        {
            foreach (var stateless in new[] { false, true })
            {
                var mode = stateless ? "stateless" : "stateful";
                var label = context.Builds.Launch(artifact).Label;
                await using var server = await HttpServerProcess.StartAsync(context, artifact, emulator.BaseUrl, stateless, cancellationToken).ConfigureAwait(false);
                foreach (var clients in Levels)
                {
                    var r = await LoadAsync(clients, server.Process.Pid, emulator.Pid, async ct =>
                    {
                        var peer = new HttpPeer(http, server.Endpoint, stateful: !stateless);
                        await peer.InitializeAsync(ct).ConfigureAwait(false);
                        JsonRpc.CheckServersList(await peer.RequestAsync(JsonRpc.ServersList, ct).ConfigureAwait(false), BenchContext.SeededServers);
                        return async c => JsonRpc.LooksSuccessful(await peer.RequestAsync(JsonRpc.ServersList, c).ConfigureAwait(false));
                    }, o, cancellationToken).ConfigureAwait(false);
                    var memory = Memory.Of(server.Process.Pid);
                    Add(report.Table, $"servers_list, {label}", mode, clients, r, r.PerSecond / direct[clients], memory);
                    if (artifact == Artifact.ServerAot && clients == Levels[^1])
                        aotAt64[mode] = r;
                }
                peaks.Add($"{label}, {mode}: {Fmt.MiB(Memory.Of(server.Process.Pid).PeakMiB)}");
            }
        }
        report.Notes.Add($"Peak RSS (VmHWM) of each server over its three levels: {string.Join("; ", peaks)}.");
        foreach (var (mode, r) in aotAt64)
        {
            report.Targets.Add(new TargetCheck($"≥ {TargetCallsPerSecond:#,0} calls/s over HTTP with {Levels[^1]} clients (NativeAOT, {mode})",
                $"{Fmt.Rate(r.PerSecond)} (CPU ceiling {Fmt.Rate(r.Ceiling)})", r.PerSecond >= TargetCallsPerSecond, Fmt.AtLeast(r.PerSecond, TargetCallsPerSecond)));
        }
        return report;
    }

    private static void Add(MarkdownTable table, string label, string mode, int clients, LoadResult r, double ratio, Memory? memory) =>
        table.Add(label, mode, $"{clients}", Fmt.Rate(r.PerSecond), Fmt.Ms(r.Latency.Median), Fmt.Ms(r.Latency.P95), $"{r.Errors}",
            double.IsNaN(ratio) ? "1.00× (baseline)" : Fmt.Ratio(ratio),
            $"{(double.IsNaN(r.ServerCpu) ? "-" : Fmt.Ms(r.ServerCpu))} + {Fmt.Ms(r.EmulatorCpu)} + {Fmt.Ms(r.ClientCpu)}",
            Fmt.Rate(r.Ceiling),
            memory is { } m ? Fmt.MiB(m.RssMiB) : "-");

    private sealed record LoadResult(double PerSecond, Stats Latency, int Errors, double ServerCpu, double EmulatorCpu, double ClientCpu)
    {
        /// <summary>Calls per second the cores could serve at this CPU cost per call, with nothing else running.</summary>
        public double Ceiling => Environment.ProcessorCount * 1000 / ((double.IsNaN(ServerCpu) ? 0 : ServerCpu) + EmulatorCpu + ClientCpu);
    }

    /// <summary>Runs <paramref name="clients"/> closed-loop clients: warm-up, then the measured window.</summary>
    private static async Task<LoadResult> LoadAsync(int clients, int? serverPid, int emulatorPid, Func<CancellationToken, Task<Func<CancellationToken, Task<bool>>>> connect, BenchOptions o, CancellationToken cancellationToken)
    {
        var calls = await Task.WhenAll(Enumerable.Range(0, clients).Select(_ => connect(cancellationToken))).ConfigureAwait(false);
        var self = Environment.ProcessId;
        var (server, emulator, client) = (serverPid is { } sp ? CpuTime.Of(sp) : double.NaN, CpuTime.Of(emulatorPid), CpuTime.Of(self));
        var origin = Stopwatch.GetTimestamp();
        var from = origin + (long)(o.Warmup.TotalSeconds * Stopwatch.Frequency);
        var to = from + (long)(o.Duration.TotalSeconds * Stopwatch.Frequency);
        var perClient = await Task.WhenAll(calls.Select(call => Task.Run(async () =>
        {
            var latencies = new List<double>();
            int completed = 0, errors = 0, all = 0;
            while (true)
            {
                var start = Stopwatch.GetTimestamp();
                if (start >= to)
                    break;
                bool ok;
                try
                {
                    ok = await call(cancellationToken).ConfigureAwait(false);
                }
                catch (Exception e) when (e is HttpRequestException or BenchException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
                {
                    ok = false;
                }
                var end = Stopwatch.GetTimestamp();
                all++;
                if (end < from || end > to)
                    continue;
                completed++;
                if (!ok)
                    errors++;
                if (start >= from)
                    latencies.Add(Stopwatch.GetElapsedTime(start, end).TotalMilliseconds);
            }
            return (latencies, completed, errors, all);
        }, cancellationToken))).ConfigureAwait(false);
        var answered = Math.Max(1, perClient.Sum(p => p.all));
        var serverCpu = serverPid is { } pid ? (CpuTime.Of(pid) - server) / answered : double.NaN;
        var emulatorCpu = (CpuTime.Of(emulatorPid) - emulator) / answered;
        var clientCpu = (CpuTime.Of(self) - client) / answered;
        Console.Error.WriteLine($"  {clients,2} clients: {perClient.Sum(p => p.completed) / o.Duration.TotalSeconds:0}/s");
        return new LoadResult(
            perClient.Sum(p => p.completed) / o.Duration.TotalSeconds,
            new Stats(perClient.SelectMany(p => p.latencies)),
            perClient.Sum(p => p.errors),
            serverCpu,
            emulatorCpu,
            clientCpu);
    }
}
