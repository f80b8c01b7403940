using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;

namespace Alpacon.Bench.Infrastructure;

/// <summary>The machine a run was measured on, and how busy it was: figures mean little without these.</summary>
public sealed record MachineFacts(
    int Cores,
    string Cpu,
    double MemoryGiB,
    string Os,
    string Kernel,
    string Runtime,
    string Sdk,
    string Commit,
    string LoadAtStart)
{
    /// <summary>When the measurements started (after the builds).</summary>
    public DateTimeOffset At { get; set; } = DateTimeOffset.UtcNow;

    public string LoadAtStart { get; set; } = LoadAtStart;

    public string LoadAtEnd { get; set; } = "";

    /// <summary>The <c>--server-env</c> settings of the run, if any.</summary>
    public string ServerEnvironment { get; set; } = "";

    public static async Task<MachineFacts> CollectAsync(string repoRoot, string dotnet)
    {
        var cpu = ReadFirst("/proc/cpuinfo", "model name") ?? RuntimeInformation.ProcessArchitecture.ToString();
        var memKb = ReadFirst("/proc/meminfo", "MemTotal") is { } m ? double.Parse(m.Split(' ', StringSplitOptions.RemoveEmptyEntries)[0], CultureInfo.InvariantCulture) : double.NaN;
        var os = File.Exists("/etc/os-release")
            ? File.ReadLines("/etc/os-release").FirstOrDefault(l => l.StartsWith("PRETTY_NAME=", StringComparison.Ordinal))?["PRETTY_NAME=".Length..].Trim('"')
            : null;
        var kernel = File.Exists("/proc/sys/kernel/osrelease") ? File.ReadAllText("/proc/sys/kernel/osrelease").Trim() : "";
        var sdk = (await RunAsync(dotnet, repoRoot, "--version").ConfigureAwait(false)).Trim();
        var commit = (await RunAsync("git", repoRoot, "rev-parse", "--short", "HEAD").ConfigureAwait(false)).Trim();
        var dirty = (await RunAsync("git", repoRoot, "status", "--porcelain", "--untracked-files=no").ConfigureAwait(false)).Trim().Length > 0;
        return new MachineFacts(
            Environment.ProcessorCount,
            cpu,
            memKb / 1024 / 1024,
            os ?? RuntimeInformation.OSDescription,
            kernel,
            RuntimeInformation.FrameworkDescription,
            sdk.Length > 0 ? sdk : "?",
            commit.Length > 0 ? commit + (dirty ? " (with uncommitted changes)" : "") : "?",
            LoadAverage());
    }

    /// <summary>The 1, 5 and 15 minute load averages: above the core count, the figures carry other work's noise.</summary>
    public static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "?";

    public string ToMarkdown() =>
        $"""
        | | |
        |---|---|
        | measured | {At:yyyy-MM-dd HH:mm} UTC, commit {Commit} |
        | CPU | {Cores} cores, {Cpu} |
        | memory | {MemoryGiB.ToString("0.#", CultureInfo.InvariantCulture)} GiB |
        | OS | {Os}, Linux {Kernel} |
        | .NET | {Runtime}, SDK {Sdk} |
        | load average (1/5/15 min) | {LoadAtStart} at start, {LoadAtEnd} at end |

        """;

    private static string? ReadFirst(string path, string key) =>
        File.Exists(path)
            ? File.ReadLines(path).FirstOrDefault(l => l.StartsWith(key, StringComparison.Ordinal))?.Split(':', 2)[1].Trim()
            : null;

    private static async Task<string> RunAsync(string file, string cwd, params string[] args)
    {
        try
        {
            var psi = new ProcessStartInfo(file) { WorkingDirectory = cwd, RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var a in args)
                psi.ArgumentList.Add(a);
            using var p = Process.Start(psi)!;
            var output = await p.StandardOutput.ReadToEndAsync().ConfigureAwait(false);
            await p.WaitForExitAsync().ConfigureAwait(false);
            return p.ExitCode == 0 ? output : "";
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return "";
        }
    }
}
