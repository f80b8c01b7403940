using System.ComponentModel;
using System.Net;
using System.Text.Json.Nodes;
using Alpacon.Api.Configuration;
using Alpacon.Api.Http;
using Alpacon.Api.Metrics;
using Alpacon.Api.SystemInfo;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace Alpacon.Mcp.Tools;

/// <summary>
/// Metric series, rankings and alert rules. Series come back summarised (current, average, min, max, p95 with units)
/// and downsampled to a bounded number of points, so a day of samples costs a few kilobytes, not the whole series.
/// </summary>
[McpServerToolType]
public sealed class MetricsTools(ToolRunner runner, MetricsClient metrics, SystemInfoClient system)
{
    private const string StartDescription = "Start of the window, ISO 8601 (2026-05-01T09:00:00Z, 2026-05-01T18:00:00+09:00 or 2026-05-01; no offset means UTC). Default: 24 hours before end_date (or now).";
    private const string EndDescription = "End of the window, ISO 8601. Default: now.";
    private const string MaxPointsDescription = "Most points to return (10-1000, default 120). Longer series are averaged into equal consecutive buckets; the statistics always use every sample.";
    private const string NoData = "No data in this window: the agent reported no samples for it (api_insufficient_data). Widen the window, or check with server_get that the server is connected.";
    private const int MinPoints = 10;
    private static readonly TimeSpan DefaultSpan = TimeSpan.FromHours(24);

    [McpServerTool(Name = "get_cpu_usage", Title = "CPU usage", ReadOnly = true, Destructive = false, Idempotent = true, OpenWorld = true)]
    [Description("CPU usage (%) of a server over a time window (default: the last 24 hours): current, average, min, max and p95, plus the series downsampled to max_points. No samples in the window is a success with an empty series and a note. Maps to GET /api/metrics/realtime/cpu/.")]
    public Task<CallToolResult> GetCpuUsage(
        [Description(Args.ServerIdDescription)] string server_id,
        [Description(StartDescription)] string? start_date = null,
        [Description(EndDescription)] string? end_date = null,
        [Description(Args.RegionDescription)] string region = "ap1",
        [Description(Args.WorkspaceDescription)] string? workspace = null,
        [Description(MaxPointsDescription)] int max_points = SeriesSummary.DefaultMaxPoints,
        CancellationToken cancellationToken = default) =>
        UsageSeries("cpu", metrics.CpuAsync, server_id, start_date, end_date, region, workspace, max_points, cancellationToken);

    [McpServerTool(Name = "get_memory_usage", Title = "Memory usage", ReadOnly = true, Destructive = false, Idempotent = true, OpenWorld = true)]
    [Description("Memory usage (%) of a server over a time window (default: the last 24 hours): current, average, min, max and p95, plus the series downsampled to max_points. No samples in the window is a success with an empty series and a note. Maps to GET /api/metrics/realtime/memory/.")]
    public Task<CallToolResult> GetMemoryUsage(
        [Description(Args.ServerIdDescription)] string server_id,
        [Description(StartDescription)] string? start_date = null,
        [Description(EndDescription)] string? end_date = null,
        [Description(Args.RegionDescription)] string region = "ap1",
        [Description(Args.WorkspaceDescription)] string? workspace = null,
        [Description(MaxPointsDescription)] int max_points = SeriesSummary.DefaultMaxPoints,
        CancellationToken cancellationToken = default) =>
        UsageSeries("memory", metrics.MemoryAsync, server_id, start_date, end_date, region, workspace, max_points, cancellationToken);

    [McpServerTool(Name = "get_disk_usage", Title = "Disk usage", ReadOnly = true, Destructive = false, Idempotent = true, OpenWorld = true)]
    [Description("Disk usage (%) of one device or partition over a time window (default: the last 24 hours), with statistics, the latest size/used/free in GiB, and the series downsampled to max_points. With neither device nor partition, the partition mounted at / is used (else the first device with metrics); the result says which. get_disk_info lists devices and mount points. Maps to GET /api/metrics/realtime/disk-usage/.")]
    public Task<CallToolResult> GetDiskUsage(
        [Description(Args.ServerIdDescription)] string server_id,
        [Description("Device path, e.g. '/dev/sda1' (see get_disk_info).")] string? device = null,
        [Description("Partition (mount point), e.g. '/'.")] string? partition = null,
        [Description(StartDescription)] string? start_date = null,
        [Description(EndDescription)] string? end_date = null,
        [Description(Args.RegionDescription)] string region = "ap1",
        [Description(Args.WorkspaceDescription)] string? workspace = null,
        [Description(MaxPointsDescription)] int max_points = SeriesSummary.DefaultMaxPoints,
        CancellationToken cancellationToken = default) =>
        runner.RunAsync(region, workspace, server_id, async (ws, ct) =>
        {
            var id = Args.Uuid(server_id, "server_id");
            var maxPoints = Args.Range(max_points, "max_points", MinPoints, SeriesSummary.MaxMaxPoints);
            var now = TimeProvider.System.GetUtcNow();
            var (start, end) = SeriesSummary.Window(start_date, end_date, now, DefaultSpan);
            var dev = Args.Optional(device);
            var part = Args.Optional(partition);
            string? discovered = null;
            if (dev is null && part is null)
                (dev, part, discovered) = await DiscoverDiskAsync(ws, id, system.PartitionsAsync(ws, id, ct), ct).ConfigureAwait(false);

            var raw = await metrics.DiskUsageAsync(ws, id, dev, part, start, end, ct).ConfigureAwait(false);
            var result = Header("disk_usage", start, end ?? now);
            result["device"] = dev;
            result["partition"] = part;
            if (discovered is not null)
                result["discovered"] = discovered;
            var series = SeriesSummary.Parse(raw, "usage");
            AddUsage(result, series, maxPoints);
            if (Capacity(raw) is { } capacity)
                result["capacity"] = capacity;
            return result;
        }, cancellationToken);

    [McpServerTool(Name = "get_network_traffic", Title = "Network traffic", ReadOnly = true, Destructive = false, Idempotent = true, OpenWorld = true)]
    [Description("Network traffic of one interface over a time window (default: the last 24 hours): input and output rates (average per sample; current, average, min, max, p95 and peak) in bit/s with Mbit/s-style readable values, and the series downsampled to max_points. Without interface, the first interface that is up and not loopback is used; get_network_interfaces lists them. Maps to GET /api/metrics/realtime/traffic/.")]
    public Task<CallToolResult> GetNetworkTraffic(
        [Description(Args.ServerIdDescription)] string server_id,
        [Description("Network interface, e.g. 'eth0'. Default: the first up, non-loopback interface.")] string? @interface = null,
        [Description(StartDescription)] string? start_date = null,
        [Description(EndDescription)] string? end_date = null,
        [Description(Args.RegionDescription)] string region = "ap1",
        [Description(Args.WorkspaceDescription)] string? workspace = null,
        [Description(MaxPointsDescription)] int max_points = SeriesSummary.DefaultMaxPoints,
        CancellationToken cancellationToken = default) =>
        runner.RunAsync(region, workspace, server_id, async (ws, ct) =>
        {
            var id = Args.Uuid(server_id, "server_id");
            var maxPoints = Args.Range(max_points, "max_points", MinPoints, SeriesSummary.MaxMaxPoints);
            var now = TimeProvider.System.GetUtcNow();
            var (start, end) = SeriesSummary.Window(start_date, end_date, now, DefaultSpan);
            var name = Args.Optional(@interface);
            string? discovered = null;
            if (name is null)
            {
                var chosen = await DiscoverInterfaceAsync(ws, id, system.InterfacesAsync(ws, id, ct)).ConfigureAwait(false);
                (name, discovered) = (chosen.Name, "the first interface that is up and not loopback (from /api/proc/interfaces/)");
            }

            var raw = await metrics.TrafficAsync(ws, id, name, start, end, ct).ConfigureAwait(false);
            var result = Header("network_traffic", start, end ?? now);
            result["interface"] = name;
            if (discovered is not null)
                result["discovered"] = discovered;
            var series = SeriesSummary.Parse(raw, "avg_input_bps", "avg_output_bps");
            var traffic = Traffic(raw, series);
            if (traffic is null)
            {
                result["note"] = NoData;
                result["points"] = SeriesSummary.Rows([], maxPoints, ["input", "output"], "bit/s");
                return result;
            }
            result["input"] = traffic.Value.Input;
            result["output"] = traffic.Value.Output;
            var (divisor, unit) = SeriesSummary.BitRateScale(series.Max(p => Math.Max(p.Values[0], p.Values[1])));
            result["points"] = SeriesSummary.Rows(series, maxPoints, ["input", "output"], unit, divisor, 2);
            return result;
        }, cancellationToken);

    [McpServerTool(Name = "get_cpu_top_servers", Title = "Top servers by CPU", ReadOnly = true, Destructive = false, Idempotent = true, OpenWorld = true)]
    [Description("The five servers with the highest CPU usage over the last 24 hours, as Alpacon ranks them (server, value in %, time of the value). Use it to answer 'which servers are hottest?', then get_server_metrics_summary for one of them. Maps to GET /api/metrics/realtime/cpu/top/.")]
    public Task<CallToolResult> GetCpuTopServers(
        [Description(Args.RegionDescription)] string region = "ap1",
        [Description(Args.WorkspaceDescription)] string? workspace = null,
        CancellationToken cancellationToken = default) =>
        runner.RunAsync(region, workspace, null, (ws, ct) => metrics.TopAsync(ws, "cpu", ct), cancellationToken);

    [McpServerTool(Name = "get_alert_rules", Title = "Alert rules", ReadOnly = true, Destructive = false, Idempotent = true, OpenWorld = true)]
    [Description("The workspace's metric alert rules (name, metric, condition, threshold, servers, enabled), all pages; with server_id only the rules that cover that server. Maps to GET /api/metrics/alert-rules/.")]
    public Task<CallToolResult> GetAlertRules(
        [Description("Server UUID to keep only the rules covering it (servers_list gives ids). Default: every rule.")] string? server_id = null,
        [Description(Args.RegionDescription)] string region = "ap1",
        [Description(Args.WorkspaceDescription)] string? workspace = null,
        CancellationToken cancellationToken = default) =>
        runner.RunAsync(region, workspace, Args.Optional(server_id), async (ws, ct) =>
            await metrics.AlertRulesAsync(ws, Args.OptionalUuid(server_id, "server_id"), ct).ConfigureAwait(false), cancellationToken);

    [McpServerTool(Name = "get_server_metrics_summary", Title = "Server health summary", ReadOnly = true, Destructive = false, Idempotent = true, OpenWorld = true)]
    [Description("How a server is doing, in about 2 KB: CPU, memory, disk (partition mounted at /) and network (first up, non-loopback interface) over the last `hours` (1-168, default 24), fetched concurrently; statistics only, never the raw series, with a health label per metric and overall. " +
        "Thresholds: CPU p95 ≥ 80% warning, ≥ 95% critical; memory p95 ≥ 85% warning, ≥ 95% critical; disk current usage ≥ 85% warning, ≥ 95% critical; network p95 of the busier direction ≥ 70% of the link speed warning, ≥ 90% critical (unknown when the link speed is not reported); no_data when the window has no samples. " +
        "A metric that cannot be read is named under errors and the others are still returned. Use get_cpu_usage and the other series tools to look closer.")]
    public Task<CallToolResult> GetServerMetricsSummary(
        [Description(Args.ServerIdDescription)] string server_id,
        [Description("Number of hours back from now to summarise, 1 to 168 (one week).")] int hours = 24,
        [Description(Args.RegionDescription)] string region = "ap1",
        [Description(Args.WorkspaceDescription)] string? workspace = null,
        CancellationToken cancellationToken = default) =>
        runner.RunAsync(region, workspace, server_id, async (ws, ct) =>
        {
            var id = Args.Uuid(server_id, "server_id");
            var span = Args.Range(hours, "hours", 1, 168);
            var now = TimeProvider.System.GetUtcNow();
            var start = now - TimeSpan.FromHours(span);

            // Discovery and the CPU/memory series start together: the whole summary costs two round trips, not six.
            var interfaces = system.InterfacesAsync(ws, id, ct);
            var partitions = system.PartitionsAsync(ws, id, ct);
            var parts = await Parts.GatherAsync(ws,
            [
                ("cpu", UsageHealthAsync(metrics.CpuAsync(ws, id, start, null, ct), SeriesSummary.Cpu)),
                ("memory", UsageHealthAsync(metrics.MemoryAsync(ws, id, start, null, ct), SeriesSummary.Memory)),
                ("disk", DiskHealthAsync(ws, id, partitions, start, ct)),
                ("network", NetworkHealthAsync(ws, id, interfaces, start, ct)),
            ], ct).ConfigureAwait(false);

            var labels = parts.Where(p => p.Key != "errors").Select(p => p.Value?["health"]?.ToString() ?? "unknown").ToList();
            var result = new JsonObject
            {
                ["window"] = new JsonObject { ["start"] = SeriesSummary.Time(start), ["end"] = SeriesSummary.Time(now), ["hours"] = span },
                ["overall"] = SeriesSummary.Worst(labels),
            };
            foreach (var (key, value) in parts.ToList())
            {
                parts.Remove(key);
                result[key] = value;
            }
            return result;
        }, cancellationToken);

    private Task<CallToolResult> UsageSeries(string metric, Func<WorkspaceTarget, string, DateTimeOffset, DateTimeOffset?, CancellationToken, Task<JsonArray>> fetch,
        string server_id, string? start_date, string? end_date, string region, string? workspace, int max_points, CancellationToken cancellationToken) =>
        runner.RunAsync(region, workspace, server_id, async (ws, ct) =>
        {
            var id = Args.Uuid(server_id, "server_id");
            var maxPoints = Args.Range(max_points, "max_points", MinPoints, SeriesSummary.MaxMaxPoints);
            var now = TimeProvider.System.GetUtcNow();
            var (start, end) = SeriesSummary.Window(start_date, end_date, now, DefaultSpan);
            var raw = await fetch(ws, id, start, end, ct).ConfigureAwait(false);
            var result = Header(metric, start, end ?? now);
            AddUsage(result, SeriesSummary.Parse(raw, "usage"), maxPoints);
            return result;
        }, cancellationToken);

    private static JsonObject Header(string metric, DateTimeOffset start, DateTimeOffset end) => new()
    {
        ["metric"] = metric,
        ["window"] = new JsonObject { ["start"] = SeriesSummary.Time(start), ["end"] = SeriesSummary.Time(end) },
    };

    /// <summary>Statistics and points of a percentage series, or the no-data note.</summary>
    private static void AddUsage(JsonObject result, List<SeriesPoint> series, int maxPoints)
    {
        var stats = SeriesSummary.Stats(series);
        result["stats"] = stats is null ? null : SeriesSummary.StatsJson(stats, "%");
        if (stats is null)
            result["note"] = NoData;
        else
            result["readable"] = SeriesSummary.Readable(stats, SeriesSummary.Percent);
        result["points"] = SeriesSummary.Rows(series, maxPoints, ["usage"], "%");
    }

    /// <summary>Size, used and free from the newest disk point that carries them.</summary>
    private static JsonObject? Capacity(JsonArray raw)
    {
        var last = SeriesSummary.Parse(raw, "total", "used", "free").LastOrDefault();
        if (last.Values is null)
            return null;
        var (total, used, free) = (last.Values[0], last.Values[1], last.Values[2]);
        var mount = raw.OfType<JsonObject>().LastOrDefault()?["mount_point"]?.ToString();
        var capacity = new JsonObject
        {
            ["total_bytes"] = (long)total,
            ["used_bytes"] = (long)used,
            ["free_bytes"] = (long)free,
            ["readable"] = $"{SeriesSummary.Bytes(used)} used of {SeriesSummary.Bytes(total)}, {SeriesSummary.Bytes(free)} free",
            ["at"] = SeriesSummary.Time(last.At),
        };
        if (!string.IsNullOrEmpty(mount))
            capacity["mount_point"] = mount;
        return capacity;
    }

    /// <summary>Input and output statistics (bit/s) with readable values and the peaks the agent recorded.</summary>
    private static (JsonObject Input, JsonObject Output)? Traffic(JsonArray raw, List<SeriesPoint> series)
    {
        if (series.Count == 0)
            return null;
        var peaks = SeriesSummary.Parse(raw, "peak_input_bps", "peak_output_bps");
        JsonObject Direction(int column)
        {
            var stats = SeriesSummary.Stats(series, column)!;
            var o = new JsonObject
            {
                ["stats"] = SeriesSummary.StatsJson(stats, "bit/s", decimals: 0),
                ["readable"] = SeriesSummary.Readable(stats, SeriesSummary.BitRate),
            };
            if (peaks.Count > 0)
                o["peak"] = SeriesSummary.BitRate(peaks.Max(p => p.Values[column]));
            return o;
        }
        return (Direction(0), Direction(1));
    }

    /// <summary>The device to chart when none was named: the partition mounted at /, else the first device with metrics.</summary>
    private async Task<(string? Device, string? Partition, string How)> DiscoverDiskAsync(WorkspaceTarget ws, string id, Task<JsonArray> partitions, CancellationToken ct)
    {
        var why = "no partition is reported as mounted at /";
        try
        {
            if (SystemInfoClient.RootPartition(await partitions.ConfigureAwait(false))?["name"]?.ToString() is { Length: > 0 } root)
                return (root, null, "the partition mounted at / (from /api/proc/partitions/)");
        }
        catch (AlpaconApiException e) when (e.StatusCode is not (HttpStatusCode.Unauthorized or null))
        {
            // The partition list is only a hint (a token ACL may not cover /api/proc/, the call may fail): the
            // device list of the metrics API still names a disk to chart.
            why = $"the partition list could not be read: {e.Message}";
        }
        var devices = await metrics.DiskDevicesAsync(ws, id, ct).ConfigureAwait(false);
        return devices.Count > 0
            ? (devices[0], null, $"the first device with disk metrics ({why})")
            : throw new AlpaconApiException($"Server {id} reports no disk with usage metrics and no partition mounted at /.", HttpStatusCode.NotFound);
    }

    private static async Task<(string Name, JsonObject Interface)> DiscoverInterfaceAsync(WorkspaceTarget ws, string id, Task<JsonArray> interfaces)
    {
        var all = await interfaces.ConfigureAwait(false);
        var name = SystemInfoClient.DefaultInterface(all)
            ?? throw new AlpaconApiException($"Server {id} reports no network interface that is up and not loopback in {ws.Region}/{ws.Workspace}.", HttpStatusCode.NotFound);
        return (name, all.OfType<JsonObject>().First(i => i["name"]?.ToString() == name));
    }

    private static async Task<JsonNode?> UsageHealthAsync(Task<JsonArray> series, Threshold threshold)
    {
        var stats = SeriesSummary.Stats(SeriesSummary.Parse(await series.ConfigureAwait(false), "usage"));
        return UsageHealth(stats, threshold);
    }

    private static JsonObject UsageHealth(SeriesStats? stats, Threshold threshold)
    {
        if (stats is null)
            return new JsonObject { ["health"] = "no_data" };
        var (label, reason) = SeriesSummary.Assess(threshold, threshold.Statistic == "current" ? stats.Current : stats.P95, SeriesSummary.Percent);
        return new JsonObject
        {
            ["health"] = label,
            ["reason"] = reason,
            ["stats"] = SeriesSummary.StatsJson(stats, "%"),
        };
    }

    private async Task<JsonNode?> DiskHealthAsync(WorkspaceTarget ws, string id, Task<JsonArray> partitions, DateTimeOffset start, CancellationToken ct)
    {
        var (device, partition, _) = await DiscoverDiskAsync(ws, id, partitions, ct).ConfigureAwait(false);
        var raw = await metrics.DiskUsageAsync(ws, id, device, partition, start, null, ct).ConfigureAwait(false);
        var result = UsageHealth(SeriesSummary.Stats(SeriesSummary.Parse(raw, "usage")), SeriesSummary.Disk);
        result["device"] = device;
        if (Capacity(raw) is { } capacity)
            result["capacity"] = capacity["readable"]!.DeepClone();
        return result;
    }

    private async Task<JsonNode?> NetworkHealthAsync(WorkspaceTarget ws, string id, Task<JsonArray> interfaces, DateTimeOffset start, CancellationToken ct)
    {
        var (name, nic) = await DiscoverInterfaceAsync(ws, id, interfaces).ConfigureAwait(false);
        var raw = await metrics.TrafficAsync(ws, id, name, start, null, ct).ConfigureAwait(false);
        var series = SeriesSummary.Parse(raw, "avg_input_bps", "avg_output_bps");
        var result = new JsonObject { ["interface"] = name };
        var traffic = Traffic(raw, series);
        if (traffic is null)
        {
            result["health"] = "no_data";
            return result;
        }
        var busier = Math.Max(SeriesSummary.Stats(series, 0)!.P95, SeriesSummary.Stats(series, 1)!.P95);
        if (nic["link_speed"] is JsonValue v && v.TryGetValue<double>(out var mbps) && mbps > 0)
        {
            var (label, reason) = SeriesSummary.Assess(SeriesSummary.Network, busier / (mbps * 1e6) * 100, SeriesSummary.Percent);
            result["health"] = label;
            result["reason"] = $"{reason} (busier direction, share of the {SeriesSummary.BitRate(mbps * 1e6)} link)";
        }
        else
        {
            result["health"] = "unknown";
            result["reason"] = "the interface reports no link speed";
        }
        result["input"] = traffic.Value.Input["readable"]!.DeepClone();
        result["output"] = traffic.Value.Output["readable"]!.DeepClone();
        return result;
    }
}
