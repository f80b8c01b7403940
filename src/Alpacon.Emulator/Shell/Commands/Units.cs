using System.Globalization;

namespace Alpacon.Emulator.Shell.Commands;

/// <summary>Human-readable sizes as coreutils print them: powers of 1024, one decimal below 10, rounded up.</summary>
internal static class Units
{
    /// <summary><c>ls -h</c>, <c>df -h</c>, <c>du -h</c>: 612, 4.0K, 12K, 1.2G.</summary>
    public static string Human(long bytes, string suffix = "")
    {
        if (bytes < 1024)
            return bytes.ToString(CultureInfo.InvariantCulture) + (suffix.Length > 0 ? "B" : "");
        double value = bytes;
        var unit = -1;
        do
        {
            value /= 1024;
            unit++;
        }
        while (value >= 1024 && unit < 5);
        var letter = "KMGTPE"[unit] + suffix;
        if (value < 10)
        {
            var rounded = Math.Ceiling(value * 10) / 10;
            return rounded >= 10 ? "10" + letter : rounded.ToString("0.0", CultureInfo.InvariantCulture) + letter;
        }
        return Math.Ceiling(value).ToString("0", CultureInfo.InvariantCulture) + letter;
    }

    /// <summary>A <c>ls -l</c> time: "Mar  7 09:00" within six months, "Mar  7  2025" otherwise.</summary>
    public static string LsTime(DateTimeOffset time, DateTimeOffset now)
    {
        var recent = time > now.AddDays(-182) && time <= now.AddHours(1);
        var day = time.Day.ToString(CultureInfo.InvariantCulture).PadLeft(2);
        return string.Create(CultureInfo.InvariantCulture, $"{time:MMM} {day} {(recent ? time.ToString("HH:mm", CultureInfo.InvariantCulture) : " " + time.Year)}");
    }

    /// <summary>Blocks of 1 KiB a file occupies on a 4 KiB-block filesystem, as ls -s, du and "total" count them.</summary>
    public static long Blocks(VfsEntry entry) => entry.IsDirectory ? 4 : (entry.Size + 4095) / 4096 * 4;
}
