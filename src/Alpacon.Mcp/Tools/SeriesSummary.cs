using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Alpacon.Mcp.Tools;

/// <summary>One point of a metric series: its time and one value per column.</summary>
public readonly record struct SeriesPoint(DateTimeOffset At, double[] Values);

/// <summary>Summary statistics of one column of a series; <see cref="Current"/> is the latest value.</summary>
public sealed record SeriesStats(int Samples, double Current, double Average, double Min, double Max, double P95);

/// <summary>A health threshold on one statistic: at or above <see cref="Warning"/> warns, at or above <see cref="Critical"/> is critical.</summary>
public sealed record Threshold(string Statistic, double Warning, double Critical);

/// <summary>
/// The pure arithmetic behind the metrics tools: statistics, downsampling and human-readable units. Statistics are
/// always computed on every raw point; downsampling only bounds what the model reads.
/// </summary>
public static partial class SeriesSummary
{
    /// <summary>Points a series result carries unless the caller asks otherwise: a 24 h series at 5 min is 288.</summary>
    public const int DefaultMaxPoints = 120;

    public const int MaxMaxPoints = 1000;

    public static readonly Threshold Cpu = new("p95", 80, 95);
    public static readonly Threshold Memory = new("p95", 85, 95);
    public static readonly Threshold Disk = new("current", 85, 95);

    /// <summary>Network: p95 of the busier direction as a share of the link speed.</summary>
    public static readonly Threshold Network = new("p95", 70, 90);

    /// <summary>
    /// The window of a series request from the tools' <c>start_date</c>/<c>end_date</c> (ISO 8601; a date alone is midnight
    /// UTC, a time without offset is UTC). No start means <paramref name="defaultSpan"/> before now; no end means now,
    /// and is not sent. A reversed window or one that starts or ends in the future is refused.
    /// </summary>
    public static (DateTimeOffset Start, DateTimeOffset? End) Window(string? startDate, string? endDate, DateTimeOffset now, TimeSpan defaultSpan)
    {
        var start = Date(startDate, "start_date");
        var end = Date(endDate, "end_date");
        // A few minutes of clock skew between the assistant's idea of "now" and ours is not an error.
        var latest = now + ClockSkew;
        if (start > latest)
            throw new ToolInputException($"start_date {Time(start.Value)} is in the future (now is {Time(now)}).", "Metrics exist only for the past: pick a start before now, or omit start_date for the last 24 hours.");
        if (end > latest)
            throw new ToolInputException($"end_date {Time(end.Value)} is in the future (now is {Time(now)}).", "Omit end_date to mean now.");
        var from = start ?? (end ?? now) - defaultSpan;
        if (end is { } e && e <= from)
            throw new ToolInputException($"The window is reversed or empty: start {Time(from)} is not before end {Time(e)}.", "start_date must be earlier than end_date.");
        return (from, end);
    }

    /// <summary>Reads a series' points: those with a parsable <c>timestamp</c> and a number for every field, in time order.</summary>
    public static List<SeriesPoint> Parse(JsonArray points, params string[] fields)
    {
        var result = new List<SeriesPoint>(points.Count);
        foreach (var node in points)
        {
            if (node is not JsonObject p || !DateTimeOffset.TryParse(p["timestamp"]?.ToString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at))
                continue;
            var values = new double[fields.Length];
            var complete = true;
            for (var i = 0; i < fields.Length && complete; i++)
                complete = Number(p[fields[i]], out values[i]);
            if (complete)
                result.Add(new SeriesPoint(at, values));
        }
        result.Sort((a, b) => a.At.CompareTo(b.At));
        return result;
    }

    /// <summary>Statistics of one column; null for an empty series.</summary>
    public static SeriesStats? Stats(IReadOnlyList<SeriesPoint> points, int column = 0) =>
        Stats([.. points.Select(p => p.Values[column])]);

    /// <summary>Current (last), average, min, max and p95 of <paramref name="values"/> in their order; null when empty.</summary>
    public static SeriesStats? Stats(IReadOnlyList<double> values)
    {
        if (values.Count == 0)
            return null;
        return new SeriesStats(values.Count, values[^1], values.Average(), values.Min(), values.Max(), Percentile(values, 95));
    }

    /// <summary>
    /// The <paramref name="percentile"/>th percentile by linear interpolation between the closest ranks
    /// (the method of numpy's default and Excel's PERCENTILE.INC): p95 of 1..100 is 95.05.
    /// </summary>
    public static double Percentile(IReadOnlyList<double> values, double percentile)
    {
        if (values.Count == 0)
            throw new ArgumentException("No values.", nameof(values));
        var sorted = values.Order().ToArray();
        var rank = percentile / 100 * (sorted.Length - 1);
        var low = (int)Math.Floor(rank);
        var high = Math.Min(low + 1, sorted.Length - 1);
        return sorted[low] + (rank - low) * (sorted[high] - sorted[low]);
    }

    /// <summary>
    /// At most <paramref name="maxPoints"/> points: consecutive points are grouped into equal buckets and each bucket
    /// becomes one point at its first timestamp with the mean of its values. A short series is returned as it is.
    /// </summary>
    public static List<SeriesPoint> Downsample(IReadOnlyList<SeriesPoint> points, int maxPoints)
    {
        if (maxPoints < 1)
            throw new ArgumentOutOfRangeException(nameof(maxPoints));
        if (points.Count <= maxPoints)
            return [.. points];
        var result = new List<SeriesPoint>(maxPoints);
        for (var b = 0; b < maxPoints; b++)
        {
            var from = (int)((long)b * points.Count / maxPoints);
            var to = (int)((long)(b + 1) * points.Count / maxPoints);
            var sums = new double[points[from].Values.Length];
            for (var i = from; i < to; i++)
            {
                for (var c = 0; c < sums.Length; c++)
                    sums[c] += points[i].Values[c];
            }
            result.Add(new SeriesPoint(points[from].At, [.. sums.Select(s => s / (to - from))]));
        }
        return result;
    }

    /// <summary>
    /// The points as compact rows <c>[timestamp, value...]</c> after downsampling, each value scaled by
    /// <paramref name="divisor"/> and rounded to <paramref name="decimals"/>.
    /// </summary>
    public static JsonObject Rows(IReadOnlyList<SeriesPoint> points, int maxPoints, string[] columns, string unit, double divisor = 1, int decimals = 1)
    {
        var sampled = Downsample(points, maxPoints);
        var rows = new JsonArray();
        foreach (var p in sampled)
        {
            var row = new JsonArray(Time(p.At));
            foreach (var v in p.Values)
                row.Add((JsonNode)Math.Round(v / divisor, decimals));
            rows.Add((JsonNode)row);
        }
        var perBucket = sampled.Count == 0 ? 0 : (double)points.Count / sampled.Count;
        return new JsonObject
        {
            ["columns"] = new JsonArray([(JsonNode)"timestamp", .. columns.Select(c => (JsonNode)c)]),
            ["unit"] = unit,
            ["count"] = sampled.Count,
            ["aggregation"] = perBucket > 1 ? $"mean of every {perBucket:0.#} samples (statistics use every sample)" : "none",
            ["rows"] = rows,
        };
    }

    /// <summary>Statistics as numbers, rounded, with their unit.</summary>
    public static JsonObject StatsJson(SeriesStats s, string unit, double divisor = 1, int decimals = 1) => new()
    {
        ["unit"] = unit,
        ["current"] = Math.Round(s.Current / divisor, decimals),
        ["average"] = Math.Round(s.Average / divisor, decimals),
        ["min"] = Math.Round(s.Min / divisor, decimals),
        ["max"] = Math.Round(s.Max / divisor, decimals),
        ["p95"] = Math.Round(s.P95 / divisor, decimals),
        ["samples"] = s.Samples,
    };

    /// <summary>One line a person reads: <c>current 23.4%, average 21.0%, min 3.2%, max 88.1%, p95 61.0%</c>.</summary>
    public static string Readable(SeriesStats s, Func<double, string> format) =>
        $"current {format(s.Current)}, average {format(s.Average)}, min {format(s.Min)}, max {format(s.Max)}, p95 {format(s.P95)}";

    public static string Percent(double value) => value.ToString("0.0", CultureInfo.InvariantCulture) + "%";

    /// <summary>Binary units, one decimal: <c>512 B</c>, <c>1.5 KiB</c>, <c>46.2 GiB</c>.</summary>
    public static string Bytes(double bytes)
    {
        string[] units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
        var i = 0;
        while (Math.Abs(bytes) >= 1024 && i < units.Length - 1)
        {
            bytes /= 1024;
            i++;
        }
        return i == 0 ? $"{bytes.ToString("0", CultureInfo.InvariantCulture)} B" : $"{bytes.ToString("0.0", CultureInfo.InvariantCulture)} {units[i]}";
    }

    /// <summary>The decimal bit-rate unit that suits <paramref name="bitsPerSecond"/>: (1e6, "Mbit/s") for 12 345 678.</summary>
    public static (double Divisor, string Unit) BitRateScale(double bitsPerSecond) => Math.Abs(bitsPerSecond) switch
    {
        >= 1e9 => (1e9, "Gbit/s"),
        >= 1e6 => (1e6, "Mbit/s"),
        >= 1e3 => (1e3, "kbit/s"),
        _ => (1, "bit/s"),
    };

    /// <summary>Decimal bit rates, two decimals: <c>12.35 Mbit/s</c>.</summary>
    public static string BitRate(double bitsPerSecond)
    {
        var (divisor, unit) = BitRateScale(bitsPerSecond);
        return (bitsPerSecond / divisor).ToString(divisor == 1 ? "0" : "0.00", CultureInfo.InvariantCulture) + " " + unit;
    }

    /// <summary>Whole days, hours and minutes: <c>61 d 3 h 12 min</c>.</summary>
    public static string Duration(TimeSpan t) =>
        t.TotalDays >= 1 ? $"{(int)t.TotalDays} d {t.Hours} h {t.Minutes} min" : t.TotalHours >= 1 ? $"{t.Hours} h {t.Minutes} min" : $"{Math.Max(0, t.Minutes)} min";

    /// <summary><c>ok</c>, <c>warning</c> or <c>critical</c> for a value, with the reason in words.</summary>
    public static (string Label, string Reason) Assess(Threshold threshold, double value, Func<double, string> format)
    {
        var shown = $"{threshold.Statistic} {format(value)}";
        if (value >= threshold.Critical)
            return ("critical", $"{shown} ≥ {format(threshold.Critical)}");
        if (value >= threshold.Warning)
            return ("warning", $"{shown} ≥ {format(threshold.Warning)}");
        return ("ok", $"{shown} < {format(threshold.Warning)}");
    }

    /// <summary>The worst of several labels (critical, warning, ok; no_data and unknown rank below ok).</summary>
    public static string Worst(IEnumerable<string> labels) =>
        labels.OrderByDescending(l => l switch { "critical" => 3, "warning" => 2, "ok" => 1, _ => 0 }).FirstOrDefault() ?? "no_data";

    /// <summary>The compact timestamp of a row: UTC, whole seconds.</summary>
    public static string Time(DateTimeOffset t) => t.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(5);

    private static DateTimeOffset? Date(string? value, string name)
    {
        if (string.IsNullOrWhiteSpace(value))
            return null;
        var text = value.Trim();
        if (!IsoDate().IsMatch(text) || !DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed))
            throw new ToolInputException($"'{name}' must be an ISO 8601 date or time such as 2026-05-01T09:00:00Z; got '{Args.Shorten(text)}'.", "Use YYYY-MM-DD, or YYYY-MM-DDTHH:MM:SS with Z or an offset like +09:00.");
        return parsed;
    }

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,7})?)?(?:Z|z|[+-]\d{2}:\d{2})?)?$")]
    private static partial Regex IsoDate();

    private static bool Number(JsonNode? node, out double value)
    {
        value = 0;
        if (node is not JsonValue v)
            return false;
        if (v.TryGetValue(out value) && double.IsFinite(value))
            return true;
        // Some serializers send decimals as strings ("23.40").
        return v.TryGetValue<string>(out var s) && double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out value) && double.IsFinite(value);
    }
}
