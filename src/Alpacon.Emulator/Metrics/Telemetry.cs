using System.Text;
using Alpacon.Emulator.Core;
using Alpacon.Emulator.SystemInfo;

namespace Alpacon.Emulator.Metrics;

/// <summary>
/// Simulated telemetry: every value is a pure function of (server, metric, timestamp), so series are generated on
/// demand, agree between calls and between the series and the <c>top/</c> rankings, and need no timers.
/// Shape: a daily cycle (busiest at 14:00 KST = 05:00 UTC) plus noise, per host profile:
/// build-01 runs CPU-bound builds 00:30-02:30 and 07:00-08:30 UTC every day; db-01's root partition is 95-97.5% full
/// (it fills during the day, WAL is archived at midnight UTC); lb-02 and legacy-01 are idle.
/// A server has samples every <see cref="HostInventory.ReportInterval"/> from its <c>AddedAt</c> to its agent's last report.
/// </summary>
public static class Telemetry
{
    private const double PeakHourUtc = 5;

    /// <summary>The sample times in [start, end], clipped to when the server's agent was reporting.</summary>
    public static IEnumerable<DateTimeOffset> Samples(Server s, DateTimeOffset start, DateTimeOffset end, DateTimeOffset now)
    {
        var step = HostInventory.ReportInterval.Ticks;
        var from = Math.Max(start.UtcTicks, s.AddedAt.UtcTicks);
        from += (step - from % step) % step;
        var to = Math.Min(end.UtcTicks, HostInventory.LastReport(s, now).UtcTicks);
        for (var t = from; t <= to; t += step)
            yield return new DateTimeOffset(t, TimeSpan.Zero);
    }

    /// <summary>CPU usage, percent.</summary>
    public static double Cpu(Server s, DateTimeOffset t)
    {
        var noise = Noise(s, "cpu", t);
        var value = s.Profile switch
        {
            HostProfile.Idle => 0.8 + 0.4 * noise,
            HostProfile.CpuSpike when InBuild(t) => 96 + 3.5 * noise,
            HostProfile.CpuSpike => 22 + 18 * Daily(t) + 4 * noise,
            _ => 4 + 10 * Unit(s, "cpu-base") + (12 + 22 * Unit(s, "cpu-amplitude")) * Daily(t) + 4 * noise,
        };
        return Round(value);
    }

    /// <summary>Memory usage, percent.</summary>
    public static double Memory(Server s, DateTimeOffset t)
    {
        var noise = Noise(s, "memory", t);
        var value = s.Profile == HostProfile.Idle
            ? 9 + 0.3 * noise
            : HostInventory.Role(s) switch
            {
                "db" => 72 + 3 * Daily(t) + noise,
                "cache" => 66 + 5 * Daily(t) + noise,
                _ => 28 + 35 * Unit(s, "memory-base") + 4 * Daily(t) + 1.5 * noise,
            };
        return Round(value);
    }

    /// <summary>Usage of a partition, percent; null for one without disk metrics (virtual).</summary>
    public static double? DiskUsage(Server s, Partition p, DateTimeOffset t)
    {
        if (p.IsVirtual)
            return null;
        if (p.MountPoint != "/")
            return p.MountPoint == "/boot" ? 28.4 : 5.8;
        var noise = Noise(s, "disk", t);
        var value = s.Profile switch
        {
            HostProfile.DiskNearlyFull => 95.3 + 2.2 * t.UtcDateTime.TimeOfDay.TotalDays + 0.05 * noise,
            HostProfile.Idle => 18 + 0.05 * noise,
            // Slow growth since the server was added, as logs and packages accumulate.
            _ => 22 + 40 * Unit(s, "disk-base") + 0.01 * (t - s.AddedAt).TotalDays + 0.2 * Daily(t) + 0.05 * noise,
        };
        return Round(Math.Clamp(value, 0, 99.9));
    }

    /// <summary>Average and peak input/output rates of an interface in bit/s; null for one without traffic.</summary>
    public static (double AvgIn, double AvgOut, double PeakIn, double PeakOut)? Traffic(Server s, Nic nic, DateTimeOffset t)
    {
        if (!nic.HasTraffic)
            return null;
        var noise = Noise(s, "traffic/" + nic.Name, t);
        var burst = 1.8 + 0.7 * Math.Abs(Noise(s, "burst/" + nic.Name, t));
        double avgIn, ratio;
        if (s.Profile == HostProfile.Idle)
        {
            (avgIn, ratio) = (3_000 * (1 + 0.2 * noise), 0.7);
        }
        else if (nic.Name == "eth1")
        {
            (avgIn, ratio) = (30e6 * (0.8 + 0.2 * Daily(t)) * (1 + 0.1 * noise), 1.1); // database replication
        }
        else
        {
            var scale = (2 + 38 * Unit(s, "traffic-base")) * 1e6;
            avgIn = scale * (0.25 + 0.75 * Daily(t)) * (1 + 0.15 * noise);
            ratio = HostInventory.Role(s) switch { "web" or "lb" or "api" => 2.5, "db" => 0.8, _ => 0.6 };
        }
        var avgOut = avgIn * ratio;
        return (Math.Round(avgIn, 1), Math.Round(avgOut, 1), Math.Round(avgIn * burst, 1), Math.Round(avgOut * burst, 1));
    }

    /// <summary>0 at 17:00 UTC, 1 at the daily peak (05:00 UTC).</summary>
    private static double Daily(DateTimeOffset t) =>
        0.5 + 0.5 * Math.Cos(2 * Math.PI * (t.UtcDateTime.TimeOfDay.TotalHours - PeakHourUtc) / 24);

    private static bool InBuild(DateTimeOffset t)
    {
        var minute = t.UtcDateTime.TimeOfDay.TotalMinutes;
        return minute is >= 30 and < 150 or >= 420 and < 510;
    }

    private static double Round(double value) => Math.Round(Math.Clamp(value, 0, 100), 1);

    /// <summary>A per-server constant in [0, 1).</summary>
    private static double Unit(Server s, string label) => ToUnit(Hash(s.Id + "/" + label));

    /// <summary>Noise in [-1, 1) that depends only on the server, the metric and the sample's slot.</summary>
    private static double Noise(Server s, string metric, DateTimeOffset t)
    {
        var slot = (ulong)(t.UtcTicks / HostInventory.ReportInterval.Ticks);
        return 2 * ToUnit(Mix(Hash(s.Id + "/" + metric) ^ Mix(slot))) - 1;
    }

    private static double ToUnit(ulong x) => (x >> 11) * (1.0 / (1UL << 53));

    /// <summary>FNV-1a: stable across processes, unlike <see cref="string.GetHashCode()"/>.</summary>
    private static ulong Hash(string text)
    {
        var h = 14695981039346656037UL;
        foreach (var b in Encoding.UTF8.GetBytes(text))
        {
            h ^= b;
            h *= 1099511628211UL;
        }
        return Mix(h);
    }

    /// <summary>SplitMix64's finaliser, to spread neighbouring inputs.</summary>
    private static ulong Mix(ulong z)
    {
        z += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
