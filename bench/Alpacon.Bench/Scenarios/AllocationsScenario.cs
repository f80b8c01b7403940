using System.Diagnostics;
using System.Text.Json;
using Alpacon.Bench.Infrastructure;

namespace Alpacon.Bench.Scenarios;

/// <summary>
/// Bytes allocated per <c>tools/call</c> in the server, from an in-process harness (<c>bench/Alpacon.Bench.Alloc</c>:
/// the server on in-memory pipes, the emulator in its own process), next to the direct GET measured the same way.
/// Allocation counts do not depend on the machine's load, so this table stays comparable between noisy runs.
/// </summary>
public sealed class AllocationsScenario : IScenario
{
    /// <summary>The tool calls measured: tool-family engineers add theirs here (the tool, its arguments, the GET it sends).</summary>
    private static readonly (string Tool, string Arguments, string Direct)[] Calls =
    [
        ("servers_list", $$"""{"workspace":"{{JsonRpc.Workspace}}"}""", "/api/servers/servers/?ordering=name&page=1&page_size=100"),
    ];

    public string Name => "allocations";

    public string Description => "bytes allocated and CPU per tools/call in an in-process harness, against the direct GET";

    public IReadOnlyList<Artifact> Needs { get; } = [Artifact.AllocHarness, Artifact.Emulator];

    public async Task<ScenarioReport> RunAsync(BenchContext context, CancellationToken cancellationToken)
    {
        var emulator = await context.EmulatorAsync(cancellationToken).ConfigureAwait(false);
        var calls = context.Options.Quick ? 200 : 2000;
        var report = new ScenarioReport(Name, "Allocations per `tools/call` (in-process harness)")
        {
            Method = $"`bench/Alpacon.Bench.Alloc` hosts the server (framework-dependent, Release, workstation GC as the product) on in-memory pipes in its own process, with the emulator in another; " +
                $"after 200 warm-up calls it counts `GC.GetTotalAllocatedBytes` and the process's CPU time over {calls} calls. The client writes a preformatted request and skips the " +
                "answer's bytes without decoding them, so the figures are the server's. The baseline is the GET the tool sends, made with HttpClient in the same process. " +
                "Allocated bytes are deterministic (they do not depend on the machine's load); the in-process CPU time does.",
            Table = new MarkdownTable("tool call", "n", "allocated/call", "direct GET allocated", "ratio", "CPU/call (in-process)", "direct GET CPU", "gen0 GCs per 1000 calls", "answer size"),
        };
        foreach (var (tool, arguments, direct) in Calls)
        {
            var result = await RunHarnessAsync(context, emulator, tool, arguments, direct, calls, cancellationToken).ConfigureAwait(false);
            var root = result.RootElement;
            double Get(string name) => root.GetProperty(name).GetDouble();
            report.Table.Add(
                $"`{tool}`",
                $"{calls}",
                Kb(Get("tool_bytes")),
                Kb(Get("direct_bytes")),
                Fmt.Ratio(Get("tool_bytes") / Get("direct_bytes")),
                Fmt.Ms(Get("tool_cpu_ms")),
                Fmt.Ms(Get("direct_cpu_ms")),
                Fmt.Num(Get("tool_gen0_per_1000")),
                Kb(Get("response_bytes")));
        }
        return report;
    }

    private static string Kb(double bytes) => $"{Fmt.Num(bytes / 1024, "0.0")} KiB";

    private static async Task<JsonDocument> RunHarnessAsync(BenchContext context, Emulator emulator, string tool, string arguments, string direct, int calls, CancellationToken cancellationToken)
    {
        var child = context.Start(Artifact.AllocHarness, null,
            "--api", emulator.BaseUrl.AbsoluteUri.TrimEnd('/'), "--tool", tool, "--arguments", arguments, "--direct", direct, "--calls", $"{calls}");
        await using (child.ConfigureAwait(false))
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromMinutes(5));
            var started = Stopwatch.GetTimestamp();
            var line = await child.ReadLineAsync(timeout.Token).ConfigureAwait(false);
            Console.Error.WriteLine($"  {tool}: {Stopwatch.GetElapsedTime(started).TotalSeconds:0} s");
            return JsonDocument.Parse(line);
        }
    }
}
