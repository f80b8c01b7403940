using System.Globalization;
using System.Text.Json.Nodes;
using Alpacon.Emulator.Core;
using Alpacon.Emulator.SystemInfo;

namespace Alpacon.Emulator.Metrics;

/// <summary>
/// <c>/api/metrics/</c>: realtime series (bare arrays, ascending time; a window without samples is
/// <c>400 {"code":"api_insufficient_data"}</c>), <c>top/</c> rankings computed from the same series, and alert rules.
/// </summary>
public static class MetricsEndpoints
{
    private const int TopCount = 5;
    private const double BytesPerPacket = 800;
    private const string InvalidTime = "Enter a valid date/time.";
    private static readonly TimeSpan DefaultWindow = TimeSpan.FromHours(24);

    public static RouteGroupBuilder MapMetrics(this RouteGroupBuilder api)
    {
        api.MapGet("/metrics/realtime/cpu/", Cpu);
        api.MapGet("/metrics/realtime/memory/", Memory);
        api.MapGet("/metrics/realtime/disk-usage/", DiskUsage);
        api.MapGet("/metrics/realtime/disk-usage/device/", DiskDevices);
        api.MapGet("/metrics/realtime/traffic/", Traffic);
        api.MapGet("/metrics/realtime/cpu/top/", CpuTop);
        api.MapGet("/metrics/realtime/memory/top/", MemoryTop);
        api.MapGet("/metrics/alert-rules/", ListAlertRules);
        api.MapGet("/metrics/alert-rules/{id}/", GetAlertRule);
        return api;
    }

    private static Task Cpu(HttpContext ctx) =>
        Series(ctx, s => t => new JsonObject { ["timestamp"] = Api.Iso(t), ["usage"] = Telemetry.Cpu(s, t) });

    private static Task Memory(HttpContext ctx) =>
        Series(ctx, s => t => new JsonObject { ["timestamp"] = Api.Iso(t), ["usage"] = Telemetry.Memory(s, t) });

    /// <summary>Usage of the partition named by <c>device</c> (its device path) or <c>partition</c> (its mount point).</summary>
    private static Task DiskUsage(HttpContext ctx)
    {
        var device = Api.Query(ctx, "device");
        var mount = Api.Query(ctx, "partition");
        if (device is null && mount is null)
            return Api.Json(ctx, new JsonObject { ["non_field_errors"] = new JsonArray("Either device or partition is required.") }, StatusCodes.Status400BadRequest);
        return Series(ctx, s =>
        {
            var p = HostInventory.Partitions(s).FirstOrDefault(p => (device is null || p.Name == device) && (mount is null || p.MountPoint == mount));
            return t => p is null || Telemetry.DiskUsage(s, p, t) is not { } usage ? null : new JsonObject
            {
                ["timestamp"] = Api.Iso(t),
                ["device"] = p.Name,
                ["mount_point"] = p.MountPoint,
                ["usage"] = usage,
                ["total"] = p.Size,
                ["used"] = (long)(p.Size * usage / 100),
                ["free"] = p.Size - (long)(p.Size * usage / 100),
            };
        });
    }

    /// <summary>The devices that have disk-usage series (every mounted, non-virtual partition, even when the agent syncs no partitions).</summary>
    private static async Task DiskDevices(HttpContext ctx)
    {
        if (await ServerFilter.ResolveAsync(ctx, required: true) is not [var server])
            return;
        var devices = HostInventory.Partitions(server).Where(p => !p.IsVirtual).Select(p => p.Name).Order(StringComparer.Ordinal);
        await Api.Json(ctx, new JsonObject { ["devices"] = new JsonArray([.. devices.Select(d => (JsonNode)d)]) });
    }

    /// <summary>Traffic of one interface; the agent posts its name as <c>name</c>, MCP HEAD reads <c>interface</c>: both are sent.</summary>
    private static Task Traffic(HttpContext ctx)
    {
        if (Api.Query(ctx, "interface") is not { } name)
            return Api.FieldError(ctx, "interface", "This field is required.");
        return Series(ctx, s =>
        {
            var nic = HostInventory.Interfaces(s).FirstOrDefault(n => n.Name == name);
            return t => nic is null || Telemetry.Traffic(s, nic, t) is not { } r ? null : new JsonObject
            {
                ["timestamp"] = Api.Iso(t),
                ["name"] = nic.Name,
                ["interface"] = nic.Name,
                ["peak_input_bps"] = r.PeakIn,
                ["peak_output_bps"] = r.PeakOut,
                ["avg_input_bps"] = r.AvgIn,
                ["avg_output_bps"] = r.AvgOut,
                ["peak_input_pps"] = Pps(r.PeakIn),
                ["peak_output_pps"] = Pps(r.PeakOut),
                ["avg_input_pps"] = Pps(r.AvgIn),
                ["avg_output_pps"] = Pps(r.AvgOut),
            };
        });
    }

    private static Task CpuTop(HttpContext ctx) => Top(ctx, Telemetry.Cpu);

    private static Task MemoryTop(HttpContext ctx) => Top(ctx, Telemetry.Memory);

    /// <summary>The five servers with the highest sample of the last 24 hours, with that sample's value and time.</summary>
    private static Task Top(HttpContext ctx, Func<Server, DateTimeOffset, double> metric)
    {
        var world = ctx.RequestServices.GetRequiredService<World>();
        var now = world.Now;
        List<Server> servers;
        lock (world.Gate)
            servers = [.. world.Servers];
        var ranking = servers
            .Select(s => (Server: s, Peak: Telemetry.Samples(s, now - DefaultWindow, now, now).Select(t => (At: t, Value: metric(s, t))).DefaultIfEmpty().MaxBy(p => p.Value)))
            .Where(r => r.Peak.At != default)
            .OrderByDescending(r => r.Peak.Value).ThenBy(r => r.Server.Name, StringComparer.Ordinal)
            .Take(TopCount)
            .Select(r => (JsonNode)new JsonObject
            {
                ["server"] = new JsonObject { ["id"] = r.Server.Id, ["name"] = r.Server.Name },
                ["value"] = r.Peak.Value,
                ["timestamp"] = Api.Iso(r.Peak.At),
            });
        return Api.Json(ctx, new JsonArray([.. ranking]));
    }

    private static async Task ListAlertRules(HttpContext ctx)
    {
        string? serverId = null;
        if (Api.Query(ctx, "server") is not null)
        {
            if (await ServerFilter.ResolveAsync(ctx, required: true) is not [var server])
                return;
            serverId = server.Id;
        }
        var rules = AlertRules(ctx).Where(r => serverId is null || r["servers"]!.AsArray().Any(s => s?.ToString() == serverId));
        await Api.Page(ctx, [.. rules]);
    }

    private static Task GetAlertRule(HttpContext ctx) =>
        AlertRules(ctx).FirstOrDefault(r => r["id"]?.ToString() == Api.RouteId(ctx)) is { } rule ? Api.Json(ctx, rule) : Api.NotFound(ctx);

    /// <summary>The seeded rules: a workspace-wide CPU rule, one for the build runner, disk on the databases, a disabled memory rule.</summary>
    private static List<JsonObject> AlertRules(HttpContext ctx)
    {
        var world = ctx.RequestServices.GetRequiredService<World>();
        List<Server> servers;
        lock (world.Gate)
            servers = [.. world.Servers];
        JsonArray Ids(Func<Server, bool> which) => [.. servers.Where(which).Select(s => (JsonNode)s.Id)];
        JsonObject Rule(string name, string metric, string condition, double threshold, JsonArray covered, string description, bool enabled = true) => new()
        {
            ["id"] = Core.Ids.For("alert-rule", name),
            ["name"] = name,
            ["metric_type"] = metric,
            ["condition"] = condition,
            ["threshold"] = threshold,
            ["servers"] = covered,
            ["notification_channels"] = new JsonArray(),
            ["description"] = description,
            ["enabled"] = enabled,
            ["added_at"] = Api.Iso(Seed.Epoch.AddDays(30)),
        };
        return
        [
            Rule("High CPU", "cpu", "gt", 90, Ids(s => s.Commissioned), "CPU above 90% on any commissioned server."),
            Rule("Build runner saturated", "cpu", "gte", 98, Ids(s => s.Name.StartsWith("build", StringComparison.Ordinal)), "Builds are queueing."),
            Rule("Disk almost full", "disk", "gte", 90, Ids(s => s.Name.StartsWith("db", StringComparison.Ordinal)), "Archive WAL or grow the volume."),
            Rule("Memory pressure", "memory", "gt", 85, Ids(s => s.Name.StartsWith("cache", StringComparison.Ordinal)), "Redis eviction risk; muted during the migration.", enabled: false),
        ];
    }

    /// <summary>
    /// One series: <c>server</c> is required, <c>start</c> defaults to 24 hours before <c>end</c> (now by default), and
    /// a window without samples is <c>api_insufficient_data</c>, as on the live server.
    /// </summary>
    private static async Task Series(HttpContext ctx, Func<Server, Func<DateTimeOffset, JsonObject?>> pointsOf)
    {
        if (await ServerFilter.ResolveAsync(ctx, required: true) is not [var server])
            return;
        var now = ctx.RequestServices.GetRequiredService<World>().Now;
        if (!TryTime(ctx, "start", out var start))
        {
            await Api.FieldError(ctx, "start", InvalidTime);
            return;
        }
        if (!TryTime(ctx, "end", out var end))
        {
            await Api.FieldError(ctx, "end", InvalidTime);
            return;
        }
        var endAt = end ?? now;
        var point = pointsOf(server);
        var points = Telemetry.Samples(server, start ?? endAt - DefaultWindow, endAt, now).Select(point).OfType<JsonObject>().ToList();
        if (points.Count == 0)
        {
            await Api.Coded(ctx, StatusCodes.Status400BadRequest, "api_insufficient_data");
            return;
        }
        await Api.Json(ctx, new JsonArray([.. points]));
    }

    /// <summary>An ISO time query parameter; false when present but not a time.</summary>
    private static bool TryTime(HttpContext ctx, string name, out DateTimeOffset? value)
    {
        value = null;
        if (Api.Query(ctx, name) is not { } text)
            return true;
        if (!DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t))
            return false;
        value = t;
        return true;
    }

    private static double Pps(double bitsPerSecond) => Math.Round(bitsPerSecond / 8 / BytesPerPacket, 1);
}
