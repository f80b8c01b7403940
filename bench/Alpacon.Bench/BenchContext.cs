using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Alpacon.Bench.Infrastructure;

namespace Alpacon.Bench;

/// <summary>
/// What every scenario shares: the options, the builds, one emulator process, and the environment the servers
/// run in (an empty working directory, an empty HOME so no real token file is read, the bench workspace in the
/// environment).
/// </summary>
public sealed class BenchContext : IAsyncDisposable
{
    /// <summary>The emulator's seeded admin token (the sandbox's; it grants nothing beyond the emulator).</summary>
    public const string Token = "alpat-sandbox-admin-7Qm2x9Lk4Rt8Vb3N";

    /// <summary>The emulator's seeded server count: what servers_list must return.</summary>
    public const int SeededServers = 24;

    private readonly string _scratch;
    private Emulator? _emulator;

    public BenchContext(BenchOptions options, string repoRoot)
    {
        Options = options;
        RepoRoot = repoRoot;
        OutDir = Path.GetFullPath(options.OutDir ?? Path.Combine(repoRoot, "bench", "out"));
        Dotnet = FindDotnet();
        Builds = new Builds(repoRoot, OutDir, Dotnet);
        _scratch = Directory.CreateTempSubdirectory("alpacon-bench-").FullName;
        WorkDir = Directory.CreateDirectory(Path.Combine(_scratch, "cwd")).FullName;
        HomeDir = Directory.CreateDirectory(Path.Combine(_scratch, "home")).FullName;
    }

    public BenchOptions Options { get; }

    public string RepoRoot { get; }

    public string OutDir { get; }

    public string Dotnet { get; }

    public Builds Builds { get; }

    /// <summary>An empty working directory for every child (a big CWD slows some hosts down: notes §4).</summary>
    public string WorkDir { get; }

    public string HomeDir { get; }

    /// <summary>The emulator, started on first use and shared by every scenario of the run.</summary>
    public async Task<Emulator> EmulatorAsync(CancellationToken cancellationToken)
    {
        if (_emulator is not null)
            return _emulator;
        _emulator = await Emulator.StartAsync(this, cancellationToken).ConfigureAwait(false);
        return _emulator;
    }

    /// <summary>The environment of every child: ours, minus any Alpacon configuration, plus the bench workspace.</summary>
    public IReadOnlyDictionary<string, string?> Environment(Uri? apiUrl)
    {
        var env = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (System.Collections.DictionaryEntry e in System.Environment.GetEnvironmentVariables())
        {
            var key = (string)e.Key;
            if (!key.StartsWith("ALPACON_MCP_", StringComparison.Ordinal))
                env[key] = e.Value as string;
        }
        env["HOME"] = HomeDir;
        env["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        if (apiUrl is not null)
        {
            env["ALPACON_MCP_AP1_BENCH_TOKEN"] = Token;
            env["ALPACON_MCP_AP1_BENCH_URL"] = apiUrl.AbsoluteUri.TrimEnd('/');
        }
        return env;
    }

    /// <summary>Starts a built program in the bench environment.</summary>
    public ChildProcess Start(Artifact artifact, Uri? apiUrl, params string[] arguments)
    {
        var environment = Environment(apiUrl);
        // The emulator's hosts get a 256 MiB disk: webftp-throughput stores 1, 16 and 64 MiB files on one of them.
        if (artifact == Artifact.Emulator)
            environment = new Dictionary<string, string?>(environment, StringComparer.Ordinal) { ["ALPACON_EMULATOR_HOST_DISK_MIB"] = "256" };
        if (artifact is Artifact.ServerFdd or Artifact.ServerR2R or Artifact.ServerAot && Options.ServerEnvironment.Count > 0)
            environment = environment.Concat(Options.ServerEnvironment.Select(e => KeyValuePair.Create(e.Key, (string?)e.Value))).GroupBy(e => e.Key).ToDictionary(g => g.Key, g => g.Last().Value);
        return ChildProcess.Start(Builds.Launch(artifact), arguments, WorkDir, environment);
    }

    /// <summary>A loopback port nobody listens on right now.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>An HttpClient for loopback: keep-alive connections, no limit on them, no proxy, no decompression.</summary>
    public static HttpClient NewHttpClient() => new(new SocketsHttpHandler
    {
        UseProxy = false,
        MaxConnectionsPerServer = int.MaxValue,
        PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
        PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
        AutomaticDecompression = DecompressionMethods.None,
    })
    {
        Timeout = TimeSpan.FromSeconds(60),
    };

    /// <summary>Polls <paramref name="url"/> until it answers 2xx (a process is ready), or fails with its stderr.</summary>
    public static async Task WaitReadyAsync(HttpClient http, Uri url, ChildProcess process, Action<HttpRequestMessage>? prepare, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            if (process.HasExited)
                throw new BenchException($"The process ended before {url} answered. stderr:\n{process.ErrorTail}");
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, url);
                prepare?.Invoke(request);
                using var response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
                if (response.IsSuccessStatusCode)
                    return;
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            if (DateTime.UtcNow > deadline)
                throw new BenchException($"{url} did not answer within 60 s. stderr:\n{process.ErrorTail}");
            await Task.Delay(50, cancellationToken).ConfigureAwait(false);
        }
    }

    private static string FindDotnet()
    {
        if (System.Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host))
            return host;
        // .../dotnet/shared/Microsoft.NETCore.App/<version>/ -> .../dotnet/dotnet
        var root = Path.GetFullPath(Path.Combine(RuntimeEnvironment.GetRuntimeDirectory(), "..", "..", ".."));
        var candidate = Path.Combine(root, OperatingSystem.IsWindows() ? "dotnet.exe" : "dotnet");
        return File.Exists(candidate) ? candidate : "dotnet";
    }

    public async ValueTask DisposeAsync()
    {
        if (_emulator is not null)
            await _emulator.DisposeAsync().ConfigureAwait(false);
        try
        {
            Directory.Delete(_scratch, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
