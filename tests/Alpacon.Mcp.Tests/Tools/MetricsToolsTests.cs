using System.Globalization;
using System.Text.Json.Nodes;
using Alpacon.Emulator.Core;
using Alpacon.Emulator.Faults;
using Alpacon.Emulator.Metrics;
using Alpacon.Mcp.Tests.Infrastructure;
using static Alpacon.Mcp.Tests.Infrastructure.McpHarness;

namespace Alpacon.Mcp.Tests.Tools;

[Collection(EmulatorCollection.Name)]
public sealed class MetricsToolsTests(EmulatorFixture emulator)
{
    private static readonly string Web01 = Seed.ServerId("web-01");
    private static readonly string Db01 = Seed.ServerId("db-01");
    private static readonly string Build01 = Seed.ServerId("build-01");
    private static readonly string Lb02 = Seed.ServerId("lb-02");
    private static readonly string Legacy01 = Seed.ServerId("legacy-01");
    private static readonly string Monitor01 = Seed.ServerId("monitor-01");

    /// <summary>A whole UTC day three days ago: every server reports in it except the disconnected ones (which stopped two days ago, so they do too).</summary>
    private static readonly DateTimeOffset DayStart = new(DateTime.UtcNow.Date.AddDays(-3), TimeSpan.Zero);

    private static string Iso(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private IEnumerable<JournalEntry> Since(TimeSpan before, string path) =>
        emulator.Emulator.Journal.Entries.Where(e => e.At >= before && e.Method == "GET" && e.Path == path);

    [Fact]
    public async Task GetCpuUsage_KnownWindow_StatisticsMatchTheSeries()
    {
        await using var c = await ConnectAsync(emulator);
        var end = DayStart.AddDays(1);
        var body = Success(await c.CallAsync("get_cpu_usage", new() { ["server_id"] = Web01, ["start_date"] = Iso(DayStart), ["end_date"] = Iso(end) }));

        var server = emulator.Emulator.World.FindServer(Web01)!;
        var values = Telemetry.Samples(server, DayStart, end, DateTimeOffset.UtcNow).Select(t => Telemetry.Cpu(server, t)).ToList();
        var sorted = values.Order().ToList();
        var rank = 0.95 * (sorted.Count - 1);
        var p95 = sorted[(int)rank] + (rank - (int)rank) * (sorted[(int)rank + 1] - sorted[(int)rank]);

        var data = body["data"]!;
        var stats = data["stats"]!;
        Assert.Equal(289, values.Count); // every 5 minutes, both ends included
        Assert.Equal(289, (int?)stats["samples"]);
        Assert.Equal("%", (string?)stats["unit"]);
        Assert.Equal(values[^1], (double?)stats["current"]);
        Assert.Equal(Math.Round(values.Average(), 1), (double?)stats["average"]);
        Assert.Equal(values.Min(), (double?)stats["min"]);
        Assert.Equal(values.Max(), (double?)stats["max"]);
        Assert.Equal(Math.Round(p95, 1), (double?)stats["p95"]);
        Assert.Contains($"max {values.Max().ToString("0.0", CultureInfo.InvariantCulture)}%", (string?)data["readable"]);
        Assert.Equal(Iso(DayStart), (string?)data["window"]!["start"]);
        Assert.Equal(Web01, (string?)body["server_id"]);

        var points = data["points"]!;
        Assert.Equal(120, (int?)points["count"]);
        Assert.Equal(120, points["rows"]!.AsArray().Count);
        Assert.Equal(Iso(DayStart), (string?)points["rows"]![0]![0]);
    }

    [Fact]
    public async Task GetCpuUsage_Default_SendsServerAndStartADayAgo_AndNoEnd()
    {
        await using var c = await ConnectAsync(emulator);
        var before = emulator.Emulator.Journal.Elapsed;
        var earliest = DateTimeOffset.UtcNow.AddHours(-24).AddSeconds(-1);
        Success(await c.CallAsync("get_cpu_usage", new() { ["server_id"] = Web01 }));
        var latest = DateTimeOffset.UtcNow.AddHours(-24).AddSeconds(1);

        var request = Assert.Single(Since(before, "/api/metrics/realtime/cpu/"));
        Assert.Equal(Web01, request.QueryValue("server"));
        var start = DateTimeOffset.Parse(request.QueryValue("start")!, CultureInfo.InvariantCulture);
        Assert.InRange(start, earliest, latest);
        Assert.EndsWith("Z", request.QueryValue("start"));
        Assert.Null(request.QueryValue("end"));
    }

    [Fact]
    public async Task GetMemoryUsage_SendsTheWindow_AndBoundsPointsToMaxPoints()
    {
        await using var c = await ConnectAsync(emulator);
        var before = emulator.Emulator.Journal.Elapsed;
        var body = Success(await c.CallAsync("get_memory_usage", new()
        {
            ["server_id"] = Db01,
            ["start_date"] = Iso(DayStart),
            ["end_date"] = Iso(DayStart.AddHours(12)),
            ["max_points"] = 50,
        }));

        var request = Assert.Single(Since(before, "/api/metrics/realtime/memory/"));
        Assert.Equal(Db01, request.QueryValue("server"));
        Assert.Equal(Iso(DayStart), request.QueryValue("start"));
        Assert.Equal(Iso(DayStart.AddHours(12)), request.QueryValue("end"));
        var data = body["data"]!;
        Assert.Equal(145, (int?)data["stats"]!["samples"]);
        Assert.Equal(50, data["points"]!["rows"]!.AsArray().Count);
        Assert.All(data["points"]!["rows"]!.AsArray(), r => Assert.InRange((double)r![1]!, 60, 90));
    }

    [Fact]
    public async Task GetCpuUsage_NoDataInTheWindow_IsASuccessWithAnEmptySeriesAndANote()
    {
        await using var c = await ConnectAsync(emulator);
        var before = emulator.Emulator.Journal.Elapsed;
        var body = Success(await c.CallAsync("get_cpu_usage", new() { ["server_id"] = Legacy01 }));

        var request = Assert.Single(Since(before, "/api/metrics/realtime/cpu/"));
        Assert.Equal(400, request.Status); // the API's api_insufficient_data
        var data = body["data"]!;
        Assert.Null(data["stats"]);
        Assert.Contains("No data in this window", (string?)data["note"]);
        Assert.Empty(data["points"]!["rows"]!.AsArray());
    }

    [Theory]
    [InlineData("2026-05-03", "2026-05-02", "reversed")]
    [InlineData("2999-01-01", null, "future")]
    [InlineData("yesterday", null, "start_date")]
    public async Task GetCpuUsage_BadWindow_IsRefusedBeforeAnyRequest(string? start, string? end, string expected)
    {
        await using var c = await ConnectAsync(emulator);
        var before = emulator.Emulator.Journal.Elapsed;
        var body = Error(await c.CallAsync("get_cpu_usage", new() { ["server_id"] = Web01, ["start_date"] = start, ["end_date"] = end }));
        Assert.Contains(expected, (string?)body["message"]);
        Assert.NotNull(body["hint"]);
        Assert.Empty(Since(before, "/api/metrics/realtime/cpu/"));
    }

    [Fact]
    public async Task GetDiskUsage_WithoutDevice_UsesThePartitionMountedAtRoot()
    {
        await using var c = await ConnectAsync(emulator);
        var before = emulator.Emulator.Journal.Elapsed;
        var body = Success(await c.CallAsync("get_disk_usage", new() { ["server_id"] = Db01 }));

        Assert.Equal(Db01, Assert.Single(Since(before, "/api/proc/partitions/")).QueryValue("server"));
        Assert.Empty(Since(before, "/api/metrics/realtime/disk-usage/device/"));
        var request = Assert.Single(Since(before, "/api/metrics/realtime/disk-usage/"));
        // The first device of db-01 is /boot/efi; the root file system is on p4.
        Assert.Equal("/dev/nvme0n1p4", request.QueryValue("device"));
        Assert.Null(request.QueryValue("partition"));
        Assert.NotNull(request.QueryValue("start"));

        var data = body["data"]!;
        Assert.Equal("/dev/nvme0n1p4", (string?)data["device"]);
        Assert.Contains("mounted at /", (string?)data["discovered"]);
        Assert.InRange((double)data["stats"]!["current"]!, 95, 97.6);
        Assert.Equal(500L << 30, (long?)data["capacity"]!["total_bytes"]);
        Assert.Equal("/", (string?)data["capacity"]!["mount_point"]);
        Assert.Matches(@"^4\d\d\.\d GiB used of 500\.0 GiB, \d+\.\d GiB free$", (string?)data["capacity"]!["readable"]);
    }

    [Fact]
    public async Task GetDiskUsage_NoPartitionMountedAtRoot_FallsBackToTheFirstDevice()
    {
        await using var c = await ConnectAsync(emulator);
        var before = emulator.Emulator.Journal.Elapsed;
        // legacy-01's old agent syncs no partitions, and it stopped reporting two days ago: look further back.
        var body = Success(await c.CallAsync("get_disk_usage", new() { ["server_id"] = Legacy01, ["start_date"] = Iso(DayStart), ["end_date"] = Iso(DayStart.AddHours(6)) }));

        Assert.Single(Since(before, "/api/proc/partitions/"));
        Assert.Equal(Legacy01, Assert.Single(Since(before, "/api/metrics/realtime/disk-usage/device/")).QueryValue("server"));
        Assert.Equal("/dev/sda1", Assert.Single(Since(before, "/api/metrics/realtime/disk-usage/")).QueryValue("device"));
        var data = body["data"]!;
        Assert.Equal("/dev/sda1", (string?)data["device"]);
        Assert.Contains("first device", (string?)data["discovered"]);
        Assert.Equal(73, (int?)data["stats"]!["samples"]);
    }

    [Fact]
    public async Task GetDiskUsage_PartitionListRefused_FallsBackToTheFirstDevice()
    {
        await using var c = await ConnectAsync(emulator);
        using var refused = emulator.Emulator.Faults.Add(new FaultRule(FaultKind.ServerError, "/api/proc/partitions/") { Status = 403 });
        var before = emulator.Emulator.Journal.Elapsed;
        var body = Success(await c.CallAsync("get_disk_usage", new() { ["server_id"] = Db01 }));

        Assert.Equal(403, Assert.Single(Since(before, "/api/proc/partitions/")).Status);
        Assert.Single(Since(before, "/api/metrics/realtime/disk-usage/device/"));
        Assert.Equal("/dev/nvme0n1p2", Assert.Single(Since(before, "/api/metrics/realtime/disk-usage/")).QueryValue("device")); // db-01's first device with metrics
        Assert.Contains("partition list could not be read", (string?)body["data"]!["discovered"]);
    }

    [Fact]
    public async Task GetDiskUsage_WithPartition_SendsItAndSkipsDiscovery()
    {
        await using var c = await ConnectAsync(emulator);
        var before = emulator.Emulator.Journal.Elapsed;
        var body = Success(await c.CallAsync("get_disk_usage", new() { ["server_id"] = Web01, ["partition"] = "/" }));

        Assert.Empty(Since(before, "/api/proc/partitions/"));
        var request = Assert.Single(Since(before, "/api/metrics/realtime/disk-usage/"));
        Assert.Equal("/", request.QueryValue("partition"));
        Assert.Null(request.QueryValue("device"));
        Assert.Null(body["data"]!["discovered"]);
        Assert.InRange((double)body["data"]!["stats"]!["current"]!, 20, 70);
    }

    [Fact]
    public async Task GetNetworkTraffic_WithoutInterface_PicksTheFirstUpNonLoopbackInterface()
    {
        await using var c = await ConnectAsync(emulator);
        var before = emulator.Emulator.Journal.Elapsed;
        // monitor-01: lo, then eno1 (no cable, down), then eno2.
        var body = Success(await c.CallAsync("get_network_traffic", new() { ["server_id"] = Monitor01 }));

        Assert.Equal(Monitor01, Assert.Single(Since(before, "/api/proc/interfaces/")).QueryValue("server"));
        var request = Assert.Single(Since(before, "/api/metrics/realtime/traffic/"));
        Assert.Equal("eno2", request.QueryValue("interface"));
        var data = body["data"]!;
        Assert.Equal("eno2", (string?)data["interface"]);
        Assert.Contains("up and not loopback", (string?)data["discovered"]);
        Assert.Equal("bit/s", (string?)data["input"]!["stats"]!["unit"]);
        Assert.Matches(@"^current [\d.]+ [kMG]?bit/s, average", (string?)data["output"]!["readable"]);
        Assert.NotNull(data["input"]!["peak"]);
        Assert.Equal("""["timestamp","input","output"]""", data["points"]!["columns"]!.ToJsonString());
    }

    [Fact]
    public async Task GetNetworkTraffic_KnownWindow_StatisticsMatchTheSeries()
    {
        await using var c = await ConnectAsync(emulator);
        var end = DayStart.AddHours(6);
        var body = Success(await c.CallAsync("get_network_traffic", new() { ["server_id"] = Web01, ["interface"] = "ens5", ["start_date"] = Iso(DayStart), ["end_date"] = Iso(end) }));

        var server = emulator.Emulator.World.FindServer(Web01)!;
        var nic = Alpacon.Emulator.SystemInfo.HostInventory.Interfaces(server).Single(n => n.Name == "ens5");
        var samples = Telemetry.Samples(server, DayStart, end, DateTimeOffset.UtcNow).Select(t => Telemetry.Traffic(server, nic, t)!.Value).ToList();
        var input = body["data"]!["input"]!;
        Assert.Equal(Math.Round(samples.Average(s => s.AvgIn)), (double?)input["stats"]!["average"]);
        Assert.Equal(Math.Round(samples.Max(s => s.AvgIn)), (double?)input["stats"]!["max"]);
        Assert.Equal(Math.Round(samples[^1].AvgOut), (double?)body["data"]!["output"]!["stats"]!["current"]);
        Assert.Equal($"{samples.Max(s => s.PeakIn) / 1e6:0.00} Mbit/s", (string?)input["peak"]);
        Assert.Equal("Mbit/s", (string?)body["data"]!["points"]!["unit"]);
    }

    [Fact]
    public async Task GetCpuTopServers_RanksTheBuildServerFirst()
    {
        await using var c = await ConnectAsync(emulator);
        var before = emulator.Emulator.Journal.Elapsed;
        var body = Success(await c.CallAsync("get_cpu_top_servers"));

        var request = Assert.Single(Since(before, "/api/metrics/realtime/cpu/top/"));
        Assert.Equal("", request.QueryString);
        var ranking = body["data"]!.AsArray();
        Assert.Equal(5, ranking.Count);
        Assert.Equal("build-01", (string?)ranking[0]!["server"]!["name"]);
        Assert.True((double)ranking[0]!["value"]! > 90);
        Assert.DoesNotContain(ranking, r => (string?)r!["server"]!["name"] is "lb-02" or "legacy-01");
    }

    [Fact]
    public async Task GetAlertRules_FiltersByServerWhenGiven()
    {
        await using var c = await ConnectAsync(emulator);
        var before = emulator.Emulator.Journal.Elapsed;
        var all = Success(await c.CallAsync("get_alert_rules"))["data"]!.AsArray();
        var forDb = Success(await c.CallAsync("get_alert_rules", new() { ["server_id"] = Db01 }));

        var requests = Since(before, "/api/metrics/alert-rules/").ToList();
        Assert.Equal(2, requests.Count);
        Assert.Null(requests[0].QueryValue("server"));
        Assert.Equal(Db01, requests[1].QueryValue("server"));
        Assert.Equal(4, all.Count);
        Assert.Equal(["High CPU", "Disk almost full"], forDb["data"]!.AsArray().Select(r => (string?)r!["name"]));
        Assert.Equal(Db01, (string?)forDb["server_id"]);
    }

    [Fact]
    public async Task GetServerMetricsSummary_FetchesTheFourSeries_AndLabelsHealthInAboutTwoKilobytes()
    {
        await using var c = await ConnectAsync(emulator);
        var before = emulator.Emulator.Journal.Elapsed;
        var earliest = DateTimeOffset.UtcNow.AddHours(-24).AddSeconds(-1);
        var body = Success(await c.CallAsync("get_server_metrics_summary", new() { ["server_id"] = Build01 }));

        foreach (var path in new[] { "cpu/", "memory/", "disk-usage/", "traffic/" })
        {
            var request = Assert.Single(Since(before, "/api/metrics/realtime/" + path));
            Assert.Equal(Build01, request.QueryValue("server"));
            Assert.InRange(DateTimeOffset.Parse(request.QueryValue("start")!, CultureInfo.InvariantCulture), earliest, DateTimeOffset.UtcNow.AddHours(-24));
        }
        Assert.Equal("/dev/nvme0n1p1", Assert.Single(Since(before, "/api/metrics/realtime/disk-usage/")).QueryValue("device"));
        Assert.Equal("ens5", Assert.Single(Since(before, "/api/metrics/realtime/traffic/")).QueryValue("interface"));

        var data = body["data"]!;
        Assert.Equal(24, (int?)data["window"]!["hours"]);
        Assert.Equal("critical", (string?)data["cpu"]!["health"]); // nightly builds: p95 above 95%
        Assert.StartsWith("p95 ", (string?)data["cpu"]!["reason"]);
        Assert.Equal("ok", (string?)data["memory"]!["health"]);
        Assert.Equal("ok", (string?)data["disk"]!["health"]);
        Assert.Equal("ok", (string?)data["network"]!["health"]);
        Assert.Contains("share of the 10.00 Gbit/s link", (string?)data["network"]!["reason"]);
        Assert.Equal("critical", (string?)data["overall"]);
        Assert.Null(data["errors"]);
        var size = data.ToJsonString().Length;
        Assert.InRange(size, 500, 2500);
        Assert.DoesNotContain("rows", data.ToJsonString());
    }

    [Fact]
    public async Task GetServerMetricsSummary_NearlyFullDisk_IsCritical_AndAnIdleServerIsOk()
    {
        await using var c = await ConnectAsync(emulator);
        var db = Success(await c.CallAsync("get_server_metrics_summary", new() { ["server_id"] = Db01, ["hours"] = 6 }))["data"]!;
        Assert.Equal("critical", (string?)db["disk"]!["health"]);
        Assert.Equal("/dev/nvme0n1p4", (string?)db["disk"]!["device"]);
        Assert.Contains("of 500.0 GiB", (string?)db["disk"]!["capacity"]);
        Assert.Equal(6, (int?)db["window"]!["hours"]);

        var idle = Success(await c.CallAsync("get_server_metrics_summary", new() { ["server_id"] = Lb02 }))["data"]!;
        Assert.Equal("ok", (string?)idle["overall"]);
        Assert.True((double)idle["cpu"]!["stats"]!["max"]! < 2);
        Assert.Contains("kbit/s", (string?)idle["network"]!["input"]);
    }

    [Fact]
    public async Task GetServerMetricsSummary_DisconnectedServer_IsNoDataNotAnError()
    {
        await using var c = await ConnectAsync(emulator);
        var data = Success(await c.CallAsync("get_server_metrics_summary", new() { ["server_id"] = Legacy01 }))["data"]!;
        Assert.Equal("no_data", (string?)data["cpu"]!["health"]);
        Assert.Equal("no_data", (string?)data["disk"]!["health"]);
        Assert.Equal("no_data", (string?)data["overall"]);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(169)]
    public async Task GetServerMetricsSummary_HoursOutOfRange_IsRefused(int hours)
    {
        await using var c = await ConnectAsync(emulator);
        var body = Error(await c.CallAsync("get_server_metrics_summary", new() { ["server_id"] = Web01, ["hours"] = hours }));
        Assert.Contains("between 1 and 168", (string?)body["message"]);
    }

    [Fact]
    public async Task GetServerMetricsSummary_OneSeriesFails_TheOthersAreReturned()
    {
        await using var proxy = await FaultProxy.StartAsync(emulator.BaseUrl, "/api/metrics/realtime/traffic/", 403, """{"code":"api_token_acl_not_allowed"}""");
        await using var c = await ConnectAsync(emulator, extraEnv: new Dictionary<string, string> { ["ALPACON_MCP_AP1_ACME_URL"] = proxy.BaseUrl.AbsoluteUri });
        var data = Success(await c.CallAsync("get_server_metrics_summary", new() { ["server_id"] = Web01 }))["data"]!;

        Assert.Null(data["network"]);
        var error = data["errors"]!["network"]!;
        Assert.Equal(403, (int?)error["status_code"]);
        Assert.Equal("api_token_acl_not_allowed", (string?)error["error_code"]);
        Assert.Contains("ACL", (string?)error["hint"]);
        Assert.Equal("ok", (string?)data["cpu"]!["health"]);
        Assert.NotNull(data["memory"]);
        Assert.NotNull(data["disk"]);
    }
}
