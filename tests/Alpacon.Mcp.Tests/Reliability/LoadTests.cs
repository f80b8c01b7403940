using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Alpacon.Mcp.Tests.Infrastructure;
using ModelContextProtocol.Client;
using Xunit.Abstractions;
using static Alpacon.Mcp.Tests.Infrastructure.McpHarness;

namespace Alpacon.Mcp.Tests.Reliability;

/// <summary>
/// Many clients at once against the real server process and the emulator: every call must succeed, and the server's
/// peak memory stays bounded. CI runs a reduced size; <c>ALPACON_LOAD=full</c> runs the full one (100 HTTP sessions
/// and 20 stdio clients, 10,000 calls each way). Figures go to the test output and, with
/// <c>ALPACON_LOAD_REPORT=file.json</c>, to a file. Durations are reported, never asserted.
/// </summary>
[Collection(ReliabilityCollection.Name)]
public sealed class LoadTests(EmulatorFixture emulator, ITestOutputHelper output)
{
    private static readonly Lock ReportGate = new();

    private static readonly bool Full = Environment.GetEnvironmentVariable("ALPACON_LOAD") == "full";

    /// <summary>A sanity bound on the server's peak RSS: far above what it needs, far below a leak under this load.</summary>
    private const long MaxPeakRssMiB = 768;

    private Dictionary<string, string> Env() => new()
    {
        ["HOME"] = Path.GetTempPath(),
        ["ALPACON_MCP_CONFIG_FILE"] = Path.Combine(Path.GetTempPath(), "alpacon-load-none.json"),
        ["ALPACON_MCP_AP1_ACME_TOKEN"] = EmulatorFixture.TestToken,
        ["ALPACON_MCP_AP1_ACME_URL"] = emulator.BaseUrl.AbsoluteUri,
    };

    [Fact]
    public async Task StreamableHttp_ManySessions_EveryCallSucceeds_MemoryBounded()
    {
        var (sessions, callsPerSession) = Full ? (100, 100) : (20, 100);
        await using var server = await ServerProcess.StartHttpAsync(Env());
        var transport = new HttpClientTransportOptions { Endpoint = server.Url, TransportMode = HttpTransportMode.StreamableHttp };
        var clients = await Task.WhenAll(Enumerable.Range(0, sessions).Select(_ => McpClient.CreateAsync(new HttpClientTransport(transport), new McpClientOptions { ProtocolVersion = HostProtocol })));
        try
        {
            var figures = await RunAsync("streamable HTTP", clients, callsPerSession, () => [server.PeakRssKiB()]);
            Assert.Equal(0, figures.Errors);
        }
        finally
        {
            foreach (var client in clients)
                await client.DisposeAsync();
        }
    }

    [Fact]
    public async Task Stdio_ManyClients_EveryCallSucceeds_MemoryBounded()
    {
        var (processes, callsPerClient) = Full ? (20, 500) : (5, 50);
        var servers = Enumerable.Range(0, processes).Select(_ => ServerProcess.StartStdio(Env())).ToList();
        var clients = new List<McpClient>();
        try
        {
            // Many processes starting at once on a small machine take their time: the load is the calls, not the start.
            var options = new McpClientOptions { ProtocolVersion = HostProtocol, InitializationTimeout = TimeSpan.FromMinutes(5) };
            foreach (var server in servers)
                clients.Add(await McpClient.CreateAsync(new ModelContextProtocol.Protocol.StreamClientTransport(server.Input, server.Output), options));
            var figures = await RunAsync("stdio", clients, callsPerClient, () => [.. servers.Select(s => s.PeakRssKiB())]);
            Assert.Equal(0, figures.Errors);
        }
        finally
        {
            foreach (var client in clients)
                await client.DisposeAsync();
            foreach (var server in servers)
                await server.DisposeAsync();
        }
    }

    private sealed record Figures(string Transport, int Clients, int Calls, int Errors, double Seconds, double CallsPerSecond, double P50Ms, double P99Ms, long PeakRssMiB);

    /// <summary>Each client calls the tool mix in turn; returns the figures after checking them.</summary>
    private async Task<Figures> RunAsync(string name, IReadOnlyList<McpClient> clients, int callsPerClient, Func<IReadOnlyList<long>> peakRssKiB)
    {
        var mix = await MixAsync(clients[0]);
        var errors = new ConcurrentQueue<string>();
        var latencies = new ConcurrentBag<double>();
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(clients.Select((client, index) => Task.Run(async () =>
        {
            for (var i = 0; i < callsPerClient; i++)
            {
                var (tool, args) = mix[(index + i) % mix.Count];
                var started = Stopwatch.GetTimestamp();
                try
                {
                    using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(60));
                    var result = await client.CallToolAsync(tool, args, cancellationToken: bound.Token);
                    if (result.IsError == true)
                        errors.Enqueue($"{tool}: {ToolCases.Text(result)}");
                }
                catch (Exception e)
                {
                    errors.Enqueue($"{tool}: {e.GetType().Name}: {e.Message}");
                }
                latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
        })));
        clock.Stop();

        var sorted = latencies.Order().ToArray();
        var calls = clients.Count * callsPerClient;
        var peak = peakRssKiB().Max() / 1024;
        var figures = new Figures(name, clients.Count, calls, errors.Count, Math.Round(clock.Elapsed.TotalSeconds, 1),
            Math.Round(calls / clock.Elapsed.TotalSeconds), Math.Round(sorted[sorted.Length / 2], 1), Math.Round(sorted[(int)(sorted.Length * 0.99)], 1), peak);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{name}: {figures.Clients} clients, {calls} calls ({string.Join(", ", mix.Select(m => m.Tool).Distinct())}), {figures.Errors} errors, {figures.Seconds} s, {figures.CallsPerSecond} calls/s, p50 {figures.P50Ms} ms, p99 {figures.P99Ms} ms, peak RSS {peak} MiB per server process"));
        foreach (var error in errors.Take(5))
            output.WriteLine("  " + error);
        Report(figures);
        Assert.True(peak < MaxPeakRssMiB, $"peak RSS {peak} MiB");
        return figures;
    }

    /// <summary>Every read-only tool that works with generated arguments: later tools join the mix by themselves.</summary>
    private async Task<List<(string Tool, Dictionary<string, object?> Args)>> MixAsync(McpClient client)
    {
        var mix = new List<(string, Dictionary<string, object?>)>();
        // Made through the first client: what it makes is the workspace's (a pooled Websh channel is not, and no read-only tool needs one).
        using var setup = await ToolSetup.CreateAsync(client, emulator);
        foreach (var tool in (await ToolCases.ToolsAsync(client)).Where(ToolCases.IsReadOnly))
        {
            var args = await ToolCases.ValidAsync(tool, setup);
            if ((await client.CallToolAsync(tool.Name, args, cancellationToken: CancellationToken.None)).IsError != true)
                mix.Add((tool.Name, args));
        }
        Assert.Contains(mix, m => m.Item1 == "servers_list");
        return mix;
    }

    private static void Report(Figures figures)
    {
        if (Environment.GetEnvironmentVariable("ALPACON_LOAD_REPORT") is not { Length: > 0 } path)
            return;
        var line = new JsonObject
        {
            ["transport"] = figures.Transport,
            ["clients"] = figures.Clients,
            ["calls"] = figures.Calls,
            ["errors"] = figures.Errors,
            ["seconds"] = figures.Seconds,
            ["calls_per_second"] = figures.CallsPerSecond,
            ["p50_ms"] = figures.P50Ms,
            ["p99_ms"] = figures.P99Ms,
            ["peak_rss_mib"] = figures.PeakRssMiB,
            ["size"] = Full ? "full" : "ci",
        };
        lock (ReportGate)
            File.AppendAllText(path, line.ToJsonString() + Environment.NewLine);
    }
}
