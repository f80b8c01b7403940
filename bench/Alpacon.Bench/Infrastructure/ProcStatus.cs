using System.Globalization;

namespace Alpacon.Bench.Infrastructure;

/// <summary>Memory of a process from <c>/proc/&lt;pid&gt;/status</c>: resident set now (VmRSS) and its peak (VmHWM).</summary>
public readonly record struct Memory(double RssMiB, double PeakMiB)
{
    public static Memory Of(int pid)
    {
        double rss = double.NaN, peak = double.NaN;
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                rss = Kib(line) / 1024;
            else if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                peak = Kib(line) / 1024;
        }
        return new Memory(rss, peak);
    }

    private static double Kib(string line) =>
        double.Parse(line.Split(' ', '\t').Where(p => p.Length > 0).ElementAt(1), CultureInfo.InvariantCulture);
}

/// <summary>
/// CPU time a process has used (user + system, from <c>/proc/&lt;pid&gt;/stat</c>, in clock ticks of 10 ms). On a busy
/// machine it is steadier than wall-clock time: waiting for a core does not count.
/// </summary>
public static class CpuTime
{
    private const double TickMs = 10; // USER_HZ is 100 on Linux

    public static double Of(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        // The command name may contain spaces: fields are counted after its closing parenthesis.
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) * TickMs;
    }
}
