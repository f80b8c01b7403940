using System.Diagnostics;
using Alpacon.Bench.Infrastructure;

namespace Alpacon.Bench.Scenarios;

/// <summary>
/// Spawn to the <c>initialize</c> response over stdio, for each build of the server next to a hello-world .NET
/// process of the same runtime (the floor): what the server adds to starting .NET at all.
/// </summary>
public sealed class ColdStartScenario : IScenario
{
    private const double TargetAotMs = 100;

    public string Name => "cold-start";

    public string Description => "spawn to the initialize response over stdio: framework-dependent, ReadyToRun, NativeAOT, hello-world floors";

    public IReadOnlyList<Artifact> Needs { get; } =
        [Artifact.FloorFdd, Artifact.FloorAot, Artifact.ServerFdd, Artifact.ServerR2R, Artifact.ServerAot, Artifact.Emulator];

    public async Task<ScenarioReport> RunAsync(BenchContext context, CancellationToken cancellationToken)
    {
        var emulator = await context.EmulatorAsync(cancellationToken).ConfigureAwait(false);
        // Each server is compared with the floor of its own runtime: JIT for fdd and R2R, NativeAOT for AOT.
        (Artifact Case, Artifact? Floor)[] cases =
        [
            (Artifact.FloorFdd, null),
            (Artifact.FloorAot, null),
            (Artifact.ServerFdd, Artifact.FloorFdd),
            (Artifact.ServerR2R, Artifact.FloorFdd),
            (Artifact.ServerAot, Artifact.FloorAot),
        ];
        var times = cases.ToDictionary(c => c.Case, _ => new List<double>());
        var rss = cases.ToDictionary(c => c.Case, _ => new List<double>());
        var cpu = cases.ToDictionary(c => c.Case, _ => new List<double>());
        var toolsList = cases.ToDictionary(c => c.Case, _ => new List<double>());
        var o = context.Options;
        for (var round = -o.ColdWarmups; round < o.ColdRuns; round++)
        {
            // Variants take turns, starting from a different one each round, so drift in the machine's load spreads evenly.
            for (var k = 0; k < cases.Length; k++)
            {
                var artifact = cases[(k + Math.Max(round, 0)) % cases.Length].Case;
                var (ms, mib, cpuMs, listMs) = await StartOnceAsync(context, artifact, emulator.BaseUrl, cancellationToken).ConfigureAwait(false);
                if (round < 0)
                    continue;
                times[artifact].Add(ms);
                if (listMs is { } l)
                    toolsList[artifact].Add(l);
                rss[artifact].Add(mib);
                cpu[artifact].Add(cpuMs);
            }
            if (round >= 0)
                Console.Error.Write($"\r  round {round + 1}/{o.ColdRuns}");
        }
        Console.Error.WriteLine();

        var report = new ScenarioReport(Name, "Cold start to the `initialize` response (stdio)")
        {
            Method = $"Spawn the process from an empty working directory, write the `initialize` request (protocol {JsonRpc.ProtocolVersion}) to its stdin at once, stop the clock at the first line on stdout. " +
                $"{o.ColdRuns} measured starts per variant after {o.ColdWarmups} warm-up rounds; the variants take turns. The floor is a hello-world .NET program that reads one line and answers one line " +
                "(`bench/Alpacon.Bench.Floor`), on the same runtime: each server build is compared with it. " +
                "For the servers the clock then goes on through `notifications/initialized` and `tools/list` to its response (\"to tools/list\", from the spawn): the tools' input schemas are built " +
                "after `initialize` is answered, so this is when a client has the whole catalogue. RSS is VmRSS right after the response; CPU is the user + system time the process had used by then " +
                "(10 ms ticks; it does not count time spent waiting for a core, so it moves less with the machine's load than the wall time does, and it can exceed the wall time when threads run in parallel).",
            Table = new MarkdownTable("variant", "command", "n", "median", "p95", "min", "baseline", "ratio", "above floor", "to tools/list", "CPU to initialize", "RSS after initialize") { TextColumns = 2 },
        };
        foreach (var (artifact, floor) in cases)
        {
            var s = new Stats(times[artifact]);
            var launch = context.Builds.Launch(artifact);
            var floorMedian = floor is { } f ? new Stats(times[f]).Median : double.NaN;
            report.Table.Add(
                launch.Label,
                $"`{launch.Display}`",
                $"{s.Count}",
                Fmt.Ms(s.Median),
                Fmt.Ms(s.P95),
                Fmt.Ms(s.Min),
                floor is { } fl ? context.Builds.Launch(fl).Label : "(floor)",
                Fmt.Ratio(s.Median / floorMedian),
                double.IsNaN(floorMedian) ? "-" : Fmt.Ms(s.Median - floorMedian),
                toolsList[artifact].Count > 0 ? Fmt.Ms(new Stats(toolsList[artifact]).Median) : "-",
                Fmt.Ms(new Stats(cpu[artifact]).Median),
                Fmt.MiB(new Stats(rss[artifact]).Median));
        }
        var aot = new Stats(times[Artifact.ServerAot]).Median;
        report.Targets.Add(new TargetCheck($"NativeAOT cold start to `initialize` ≤ {TargetAotMs:0} ms", $"{Fmt.Ms(aot)} (median)", aot <= TargetAotMs, Fmt.AtMost(aot, TargetAotMs)));
        return report;
    }

    private static async Task<(double Ms, double RssMiB, double CpuMs, double? ToolsListMs)> StartOnceAsync(BenchContext context, Artifact artifact, Uri api, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        var started = Stopwatch.GetTimestamp();
        var child = context.Start(artifact, api);
        await using (child.ConfigureAwait(false))
        {
            await child.SendLineAsync(JsonRpc.Initialize(1), timeout.Token).ConfigureAwait(false);
            string line;
            try
            {
                line = await child.ReadLineAsync(timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new BenchException($"{context.Builds.Launch(artifact).Display} did not answer initialize within 30 s. stderr:\n{child.ErrorTail}");
            }
            var ms = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            var memory = Memory.Of(child.Pid);
            var cpuMs = CpuTime.Of(child.Pid);
            if (artifact is Artifact.FloorFdd or Artifact.FloorAot)
                return (ms, memory.RssMiB, cpuMs, null);
            JsonRpc.CheckInitialize(line);
            await child.SendLineAsync(JsonRpc.Initialized, timeout.Token).ConfigureAwait(false);
            await child.SendLineAsync(JsonRpc.ListTools(2), timeout.Token).ConfigureAwait(false);
            var list = await child.ReadLineAsync(timeout.Token).ConfigureAwait(false);
            if (JsonRpc.IdOf(list) != 2 || !list.Contains("\"servers_list\"", StringComparison.Ordinal))
                throw new BenchException($"{context.Builds.Launch(artifact).Display} answered tools/list with: {list[..Math.Min(300, list.Length)]}");
            return (ms, memory.RssMiB, cpuMs, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
    }
}
