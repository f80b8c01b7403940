using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Alpacon.Api.Configuration;
using Alpacon.Api.Http;

namespace Alpacon.Api.Metrics;

/// <summary>
/// Realtime metric series, rankings and alert rules (<c>/api/metrics/</c>). Series answer a bare array of points
/// (older servers wrap it in <c>results</c>); both are accepted.
/// </summary>
public sealed class MetricsClient(AlpaconHttp http)
{
    /// <summary>The API's answer when a window holds no points: a 400, which means "no data", not a failure.</summary>
    public const string InsufficientData = "api_insufficient_data";

    /// <summary>CPU usage in percent: points <c>{timestamp, usage}</c>.</summary>
    public Task<JsonArray> CpuAsync(WorkspaceTarget ws, string serverId, DateTimeOffset start, DateTimeOffset? end, CancellationToken cancellationToken = default) =>
        SeriesAsync(ws, "cpu", Window(serverId, start, end), cancellationToken);

    /// <summary>Memory usage in percent: points <c>{timestamp, usage}</c>.</summary>
    public Task<JsonArray> MemoryAsync(WorkspaceTarget ws, string serverId, DateTimeOffset start, DateTimeOffset? end, CancellationToken cancellationToken = default) =>
        SeriesAsync(ws, "memory", Window(serverId, start, end), cancellationToken);

    /// <summary>Disk usage of one device or partition (the API needs one of them): points <c>{timestamp, device, usage, total, used, free}</c>.</summary>
    public Task<JsonArray> DiskUsageAsync(WorkspaceTarget ws, string serverId, string? device, string? partition, DateTimeOffset start, DateTimeOffset? end, CancellationToken cancellationToken = default) =>
        SeriesAsync(ws, "disk-usage", Window(serverId, start, end).Add("device", device).Add("partition", partition), cancellationToken);

    /// <summary>The devices that have disk-usage series, in the API's order (<c>{"devices": [...]}</c>).</summary>
    public async Task<IReadOnlyList<string>> DiskDevicesAsync(WorkspaceTarget ws, string serverId, CancellationToken cancellationToken = default)
    {
        var body = await http.GetAsync(ws, "/api/metrics/realtime/disk-usage/device/", new Query().Add("server", serverId), cancellationToken).ConfigureAwait(false);
        var devices = body is JsonObject o ? o["devices"] : body;
        return devices is JsonArray list ? [.. list.Select(d => d?.ToString()).OfType<string>().Where(d => d.Length > 0)] : [];
    }

    /// <summary>Traffic of one interface: points with <c>avg/peak_input/output_bps</c> and <c>_pps</c>.</summary>
    public Task<JsonArray> TrafficAsync(WorkspaceTarget ws, string serverId, string @interface, DateTimeOffset start, DateTimeOffset? end, CancellationToken cancellationToken = default) =>
        SeriesAsync(ws, "traffic", Window(serverId, start, end).Add("interface", @interface), cancellationToken);

    /// <summary>The servers ranked by one metric (<c>cpu</c>, <c>memory</c>, <c>disk-io</c>, <c>traffic</c>), as the API gives it.</summary>
    public Task<JsonNode?> TopAsync(WorkspaceTarget ws, string metric = "cpu", CancellationToken cancellationToken = default) =>
        http.GetAsync(ws, $"/api/metrics/realtime/{metric}/top/", cancellationToken: cancellationToken);

    /// <summary>Alert rules, all pages, optionally only those that cover one server.</summary>
    public Task<JsonArray> AlertRulesAsync(WorkspaceTarget ws, string? serverId = null, CancellationToken cancellationToken = default) =>
        http.GetAllAsync(ws, "/api/metrics/alert-rules/", new Query().Add("server", serverId), cancellationToken: cancellationToken);

    /// <summary>The API's timestamp form for <c>start</c>/<c>end</c>: UTC, whole seconds.</summary>
    public static string Timestamp(DateTimeOffset t) => t.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary><c>start</c> is always sent: without it the API picks its own window (MCP HEAD learned this on the live server).</summary>
    private static Query Window(string serverId, DateTimeOffset start, DateTimeOffset? end) =>
        new Query().Add("server", serverId).Add("start", Timestamp(start)).Add("end", end is { } e ? Timestamp(e) : null);

    /// <summary>A series' points; "no data in this window" (400 <c>api_insufficient_data</c> or an empty array) is an empty array.</summary>
    private async Task<JsonArray> SeriesAsync(WorkspaceTarget ws, string metric, Query query, CancellationToken cancellationToken)
    {
        try
        {
            var body = await http.GetAsync(ws, $"/api/metrics/realtime/{metric}/", query, cancellationToken).ConfigureAwait(false);
            var points = AlpaconHttp.Page(body).Results;
            (points.Parent as JsonObject)?.Remove("results"); // callers may attach the array elsewhere
            return points;
        }
        catch (AlpaconApiException e) when (e.StatusCode == HttpStatusCode.BadRequest && e.Code == InsufficientData)
        {
            return [];
        }
    }
}
