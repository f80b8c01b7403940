using System.Globalization;

namespace Alpacon.Bench.Infrastructure;

/// <summary>Order statistics of a sample: median (mean of the two middle values) and nearest-rank percentiles.</summary>
public sealed class Stats
{
    private readonly double[] _sorted;

    public Stats(IEnumerable<double> values)
    {
        _sorted = [.. values];
        Array.Sort(_sorted);
    }

    public int Count => _sorted.Length;

    public double Min => _sorted.Length == 0 ? double.NaN : _sorted[0];

    public double Max => _sorted.Length == 0 ? double.NaN : _sorted[^1];

    public double Median => _sorted.Length switch
    {
        0 => double.NaN,
        var n when n % 2 == 1 => _sorted[n / 2],
        var n => (_sorted[n / 2 - 1] + _sorted[n / 2]) / 2,
    };

    public double P95 => Percentile(95);

    /// <summary>The nearest-rank percentile: the smallest value with at least <paramref name="p"/> % of the sample at or below it.</summary>
    public double Percentile(double p)
    {
        if (_sorted.Length == 0)
            return double.NaN;
        var rank = (int)Math.Ceiling(p / 100 * _sorted.Length);
        return _sorted[Math.Clamp(rank - 1, 0, _sorted.Length - 1)];
    }
}

/// <summary>Number formats of the tables: invariant culture, units in the text.</summary>
public static class Fmt
{
    public static string Ms(double ms) => double.IsNaN(ms) ? "-" : ms switch
    {
        < 1 => ms.ToString("0.000", CultureInfo.InvariantCulture),
        < 10 => ms.ToString("0.00", CultureInfo.InvariantCulture),
        < 100 => ms.ToString("0.0", CultureInfo.InvariantCulture),
        _ => ms.ToString("0", CultureInfo.InvariantCulture),
    } + " ms";

    public static string Ratio(double ratio) => double.IsNaN(ratio) ? "-" : ratio.ToString("0.00", CultureInfo.InvariantCulture) + "×";

    public static string MiB(double mib) => double.IsNaN(mib) ? "-" : mib.ToString("0.0", CultureInfo.InvariantCulture) + " MiB";

    public static string Rate(double perSecond) => perSecond.ToString("#,0", CultureInfo.InvariantCulture) + "/s";

    public static string Num(double value, string format = "0.#") => value.ToString(format, CultureInfo.InvariantCulture);

    /// <summary>How far a figure is from a target that is an upper bound: "12 % under the target" or "18 % over the target".</summary>
    public static string AtMost(double measured, double target) =>
        measured <= target
            ? $"{Num((target - measured) / target * 100, "0")} % under the target"
            : $"{Num((measured - target) / target * 100, "0")} % over the target";

    /// <summary>The same for a target that is a lower bound.</summary>
    public static string AtLeast(double measured, double target) =>
        measured >= target
            ? $"{Num((measured - target) / target * 100, "0")} % above the target"
            : $"{Num((target - measured) / target * 100, "0")} % below the target";
}
