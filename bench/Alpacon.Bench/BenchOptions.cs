using System.Globalization;

namespace Alpacon.Bench;

/// <summary>The command line of the benchmark.</summary>
public sealed class BenchOptions
{
    public const string Usage = """
        Alpacon MCP benchmarks: the emulator and the server run as separate processes on loopback; every
        figure is measured next to its baseline in the same run.

        Usage: dotnet run -c Release --project bench/Alpacon.Bench -- [scenario ...] [options]

          scenario           cold-start, servers-list, throughput, allocations, ... or all (default); --list shows them
          --write-docs       replace this run's results in docs/benchmarks.md (between its markers)
          --skip-build       use the builds already in bench/out/ instead of building them
          --quick            a smoke run: few samples, short throughput levels (figures not for publishing)
          --cold-runs N      measured starts per variant (default 20, after 3 warm-ups)
          --calls N          measured tools/call per transport (default 300, after 50 warm-ups)
          --duration S       seconds measured per throughput level (default 5, after 1 s of warm-up)
          --out DIR          where builds and logs go (default bench/out, git-ignored)
          --server-env N=V   set an environment variable for the servers only (e.g. DOTNET_gcServer=1); repeatable
          --list             list the scenarios
        """;

    public List<string> Scenarios { get; } = [];

    public bool WriteDocs { get; set; }

    public bool SkipBuild { get; set; }

    public bool List { get; set; }

    public bool Help { get; set; }

    public int ColdWarmups { get; set; } = 3;

    public int ColdRuns { get; set; } = 20;

    public int CallWarmups { get; set; } = 50;

    public int Calls { get; set; } = 300;

    public TimeSpan Warmup { get; set; } = TimeSpan.FromSeconds(1);

    public TimeSpan Duration { get; set; } = TimeSpan.FromSeconds(5);

    public bool Quick { get; set; }

    public string? OutDir { get; set; }

    /// <summary>Extra environment of the server processes only (an experiment: a GC setting, a log level).</summary>
    public Dictionary<string, string> ServerEnvironment { get; } = new(StringComparer.Ordinal);

    public static BenchOptions Parse(IReadOnlyList<string> args)
    {
        var o = new BenchOptions();
        for (var i = 0; i < args.Count; i++)
        {
            string Value() => i + 1 < args.Count ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
            int Count() => int.TryParse(Value(), NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : throw new ArgumentException($"{args[i - 1]} needs a positive number.");
            switch (args[i])
            {
                case "--write-docs": o.WriteDocs = true; break;
                case "--skip-build": o.SkipBuild = true; break;
                case "--list": o.List = true; break;
                case "-h" or "--help": o.Help = true; break;
                case "--cold-runs": o.ColdRuns = Count(); break;
                case "--calls": o.Calls = Count(); break;
                case "--duration": o.Duration = TimeSpan.FromSeconds(Count()); break;
                case "--out": o.OutDir = Value(); break;
                case "--server-env":
                    var pair = Value();
                    var eq = pair.IndexOf('=', StringComparison.Ordinal);
                    if (eq <= 0)
                        throw new ArgumentException("--server-env needs NAME=VALUE.");
                    o.ServerEnvironment[pair[..eq]] = pair[(eq + 1)..];
                    break;
                case "--quick":
                    o.Quick = true;
                    o.ColdWarmups = 1;
                    o.ColdRuns = 5;
                    o.CallWarmups = 10;
                    o.Calls = 50;
                    o.Warmup = TimeSpan.FromMilliseconds(300);
                    o.Duration = TimeSpan.FromSeconds(1);
                    break;
                case var s when s.StartsWith('-'): throw new ArgumentException($"Unknown option '{s}'.");
                case var s: o.Scenarios.Add(s); break;
            }
        }
        return o;
    }
}
