using System.Text.Json.Nodes;
using Alpacon.Mcp.Tools;

namespace Alpacon.Mcp.Tests.Tools;

/// <summary>The pure arithmetic of the metrics tools, on series whose answers are known by hand.</summary>
public sealed class SeriesSummaryTests
{
    private static readonly DateTimeOffset T0 = new(2026, 5, 1, 0, 0, 0, TimeSpan.Zero);

    private static List<SeriesPoint> Series(params double[] values) =>
        [.. values.Select((v, i) => new SeriesPoint(T0.AddMinutes(5 * i), [v]))];

    [Fact]
    public void Stats_OneToHundred_AreKnown()
    {
        var stats = SeriesSummary.Stats([.. Enumerable.Range(1, 100).Select(i => (double)i)])!;
        Assert.Equal(100, stats.Samples);
        Assert.Equal(100, stats.Current);
        Assert.Equal(50.5, stats.Average, 10);
        Assert.Equal(1, stats.Min);
        Assert.Equal(100, stats.Max);
        Assert.Equal(95.05, stats.P95, 10);
    }

    [Fact]
    public void Stats_CurrentIsTheLastValue_NotTheLargest()
    {
        var stats = SeriesSummary.Stats(Series(10, 90, 30))!;
        Assert.Equal(30, stats.Current);
        Assert.Equal(43.333, stats.Average, 3);
        Assert.Equal(84, stats.P95, 10); // rank 0.95 * 2 = 1.9: 30 + 0.9 * (90 - 30)
    }

    [Fact]
    public void Stats_Empty_IsNull() => Assert.Null(SeriesSummary.Stats(new List<double>()));

    [Fact]
    public void Percentile_SingleValue_IsThatValue() => Assert.Equal(42, SeriesSummary.Percentile([42], 95));

    [Fact]
    public void Downsample_BoundsTheCount_AndAveragesEachBucket()
    {
        var series = Series([.. Enumerable.Range(0, 288).Select(i => (double)i)]);
        var sampled = SeriesSummary.Downsample(series, 120);

        Assert.Equal(120, sampled.Count);
        Assert.Equal(T0, sampled[0].At);
        // 288 / 120 = 2.4 points a bucket: [0, 2), [2, 4), [4, 7), ...
        Assert.Equal(0.5, sampled[0].Values[0], 10);
        Assert.Equal(2.5, sampled[1].Values[0], 10);
        Assert.Equal(T0.AddMinutes(10), sampled[1].At);
        Assert.Equal(5, sampled[2].Values[0], 10);
        Assert.Equal(286, sampled[^1].Values[0], 10); // the last bucket: 285, 286, 287
    }

    [Fact]
    public void Downsample_ShortSeries_IsUnchanged()
    {
        var series = Series(1, 2, 3);
        Assert.Equal(series, SeriesSummary.Downsample(series, 120));
    }

    [Fact]
    public void Rows_AreCompact_WithColumnsAndUnit()
    {
        var rows = SeriesSummary.Rows(Series(12.345, 20), 120, ["usage"], "%");
        Assert.Equal("""["timestamp","usage"]""", rows["columns"]!.ToJsonString());
        Assert.Equal("%", (string?)rows["unit"]);
        Assert.Equal("none", (string?)rows["aggregation"]);
        Assert.Equal("""[["2026-05-01T00:00:00Z",12.3],["2026-05-01T00:05:00Z",20]]""", rows["rows"]!.ToJsonString());
    }

    [Fact]
    public void Rows_ScaleAndSayHowTheyWereAggregated()
    {
        var rows = SeriesSummary.Rows(Series([.. Enumerable.Repeat(12_500_000.0, 300)]), 100, ["input"], "Mbit/s", 1e6, 2);
        Assert.Equal(100, (int?)rows["count"]);
        Assert.Equal(12.5, (double?)rows["rows"]![0]![1]);
        Assert.StartsWith("mean of every 3 samples", (string?)rows["aggregation"]);
    }

    [Theory]
    [InlineData(0, "0 B")]
    [InlineData(512, "512 B")]
    [InlineData(1536, "1.5 KiB")]
    [InlineData(49_606_000_640, "46.2 GiB")]
    [InlineData(536_870_912_000, "500.0 GiB")]
    [InlineData(2_199_023_255_552, "2.0 TiB")]
    public void Bytes_UseBinaryUnits(double bytes, string expected) => Assert.Equal(expected, SeriesSummary.Bytes(bytes));

    [Theory]
    [InlineData(800, "800 bit/s")]
    [InlineData(3_000, "3.00 kbit/s")]
    [InlineData(12_345_678, "12.35 Mbit/s")]
    [InlineData(1_000_000_000, "1.00 Gbit/s")]
    public void BitRate_UsesDecimalUnits(double bps, string expected) => Assert.Equal(expected, SeriesSummary.BitRate(bps));

    [Fact]
    public void Percent_AndDuration_AreReadable()
    {
        Assert.Equal("23.4%", SeriesSummary.Percent(23.44));
        Assert.Equal("61 d 3 h 12 min", SeriesSummary.Duration(new TimeSpan(61, 3, 12, 40)));
        Assert.Equal("2 h 5 min", SeriesSummary.Duration(TimeSpan.FromMinutes(125)));
    }

    [Fact]
    public void Readable_NamesEveryStatistic()
    {
        var line = SeriesSummary.Readable(SeriesSummary.Stats(Series(10, 90, 30))!, SeriesSummary.Percent);
        Assert.Equal("current 30.0%, average 43.3%, min 10.0%, max 90.0%, p95 84.0%", line);
    }

    [Theory]
    [InlineData(79.9, "ok")]
    [InlineData(80, "warning")]
    [InlineData(94.9, "warning")]
    [InlineData(95, "critical")]
    public void Assess_Cpu_UsesDocumentedThresholds(double p95, string expected)
    {
        var (label, reason) = SeriesSummary.Assess(SeriesSummary.Cpu, p95, SeriesSummary.Percent);
        Assert.Equal(expected, label);
        Assert.StartsWith("p95 ", reason);
    }

    [Fact]
    public void Assess_Disk_UsesCurrentUsage()
    {
        Assert.Equal("current", SeriesSummary.Disk.Statistic);
        Assert.Equal("warning", SeriesSummary.Assess(SeriesSummary.Disk, 85, SeriesSummary.Percent).Label);
        Assert.Equal("ok", SeriesSummary.Assess(SeriesSummary.Memory, 84.9, SeriesSummary.Percent).Label);
    }

    [Fact]
    public void Worst_RanksCriticalAboveWarningAboveOk()
    {
        Assert.Equal("critical", SeriesSummary.Worst(["ok", "critical", "warning"]));
        Assert.Equal("ok", SeriesSummary.Worst(["no_data", "ok", "unknown"]));
        Assert.Equal("no_data", SeriesSummary.Worst([]));
    }

    [Fact]
    public void Parse_SkipsIncompletePoints_ReadsNumericStrings_AndSortsByTime()
    {
        var raw = JsonNode.Parse("""
            [{"timestamp":"2026-05-01T00:10:00Z","usage":"30.5"},
             {"timestamp":"2026-05-01T00:00:00+09:00","usage":10},
             {"timestamp":"not a time","usage":20},
             {"timestamp":"2026-05-01T00:05:00Z"},
             {"timestamp":"2026-05-01T00:05:00Z","usage":null}]
            """)!.AsArray();
        var points = SeriesSummary.Parse(raw, "usage");
        Assert.Equal([10, 30.5], points.Select(p => p.Values[0]));
        Assert.Equal(new DateTimeOffset(2026, 4, 30, 15, 0, 0, TimeSpan.Zero), points[0].At);
    }

    [Fact]
    public void Window_Defaults_ToTheLast24HoursWithoutEnd()
    {
        var now = T0.AddDays(10);
        var (start, end) = SeriesSummary.Window(null, null, now, TimeSpan.FromHours(24));
        Assert.Equal(now.AddHours(-24), start);
        Assert.Null(end);
    }

    [Fact]
    public void Window_EndOnly_StartsADayBeforeIt()
    {
        var (start, end) = SeriesSummary.Window(null, "2026-05-03T12:00:00+09:00", T0.AddDays(10), TimeSpan.FromHours(24));
        Assert.Equal(new DateTimeOffset(2026, 5, 2, 3, 0, 0, TimeSpan.Zero), start);
        Assert.Equal(new DateTimeOffset(2026, 5, 3, 3, 0, 0, TimeSpan.Zero), end);
    }

    [Theory]
    [InlineData("2026-05-01")]
    [InlineData("2026-05-01T00:00")]
    [InlineData("2026-05-01T00:00:00Z")]
    [InlineData("2026-05-01 09:00:00+09:00")]
    [InlineData("2026-05-01T00:00:00.123456Z")]
    public void Window_AcceptsIsoForms(string start)
    {
        var (from, _) = SeriesSummary.Window(start, null, T0.AddDays(10), TimeSpan.FromHours(24));
        Assert.Equal(T0, from.AddTicks(-(from.Ticks % TimeSpan.TicksPerSecond)).ToUniversalTime());
    }

    [Theory]
    [InlineData("yesterday", null, "start_date")]
    [InlineData("05/01/2026", null, "start_date")]
    [InlineData(null, "2026-13-01", "end_date")]
    [InlineData("2026-05-03", "2026-05-02", "reversed")]
    [InlineData("2026-05-02T00:00:00Z", "2026-05-02T00:00:00Z", "reversed")]
    [InlineData("2026-06-01", null, "future")]
    [InlineData(null, "2026-06-01", "future")]
    public void Window_RefusesBadDatesReversedAndFutureWindows(string? start, string? end, string expected)
    {
        var e = Assert.Throws<ToolInputException>(() => SeriesSummary.Window(start, end, T0.AddDays(10), TimeSpan.FromHours(24)));
        Assert.Contains(expected, e.Message);
        Assert.NotNull(e.Hint);
    }

    [Fact]
    public void Window_ToleratesAFewMinutesOfClockSkew()
    {
        var now = T0.AddDays(10);
        var (_, end) = SeriesSummary.Window(null, SeriesSummary.Time(now.AddMinutes(2)), now, TimeSpan.FromHours(24));
        Assert.Equal(now.AddMinutes(2), end);
    }
}
