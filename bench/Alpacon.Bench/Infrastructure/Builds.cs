using System.Diagnostics;

namespace Alpacon.Bench.Infrastructure;

/// <summary>The builds a scenario can run.</summary>
public enum Artifact
{
    /// <summary>The emulator, Release, framework-dependent: the Alpacon API every scenario talks to.</summary>
    Emulator,

    /// <summary>The server, <c>dotnet build -c Release</c>, run as <c>dotnet alpacon-mcp.dll</c>.</summary>
    ServerFdd,

    /// <summary>The server, ReadyToRun, framework-dependent, linux-x64.</summary>
    ServerR2R,

    /// <summary>The server, NativeAOT, linux-x64: what ships.</summary>
    ServerAot,

    /// <summary>The hello-world floor, framework-dependent.</summary>
    FloorFdd,

    /// <summary>The hello-world floor, NativeAOT.</summary>
    FloorAot,

    /// <summary>The in-process allocation harness (the server on in-memory pipes), Release.</summary>
    AllocHarness,
}

/// <summary>A way to start a built program: the file to run, its leading arguments, and the command as the table shows it.</summary>
public sealed record Launch(Artifact Artifact, string Label, string FileName, IReadOnlyList<string> Arguments, string Display);

/// <summary>Builds (or finds) each artifact in the git-ignored <c>bench/out/</c> folder, with the same commands a user would type.</summary>
public sealed class Builds(string repoRoot, string outDir, string dotnet)
{
    private const string Server = "src/Alpacon.Mcp";
    private const string Floor = "bench/Alpacon.Bench.Floor";
    private readonly HashSet<Artifact> _ready = [];

    public string Dir(Artifact artifact) => Path.Combine(outDir, artifact switch
    {
        Artifact.Emulator => "emulator",
        Artifact.ServerFdd => "server-fdd",
        Artifact.ServerR2R => "server-r2r",
        Artifact.ServerAot => "server-aot",
        Artifact.FloorFdd => "floor-fdd",
        Artifact.FloorAot => "floor-aot",
        Artifact.AllocHarness => "alloc",
        _ => throw new ArgumentOutOfRangeException(nameof(artifact)),
    });

    /// <summary>The build command, as it is run (relative to the repository root).</summary>
    public string Command(Artifact artifact)
    {
        var o = Path.GetRelativePath(repoRoot, Dir(artifact));
        return artifact switch
        {
            Artifact.Emulator => $"dotnet build src/Alpacon.Emulator -c Release -o {o}",
            Artifact.ServerFdd => $"dotnet build {Server} -c Release -o {o}",
            Artifact.ServerR2R => $"dotnet publish {Server} -c Release -r linux-x64 --self-contained false -p:PublishReadyToRun=true -o {o}",
            Artifact.ServerAot => $"dotnet publish {Server} -c Release -r linux-x64 -p:PublishAot=true -o {o}",
            Artifact.FloorFdd => $"dotnet build {Floor} -c Release -o {o}",
            Artifact.FloorAot => $"dotnet publish {Floor} -c Release -r linux-x64 -p:PublishAot=true -o {o}",
            Artifact.AllocHarness => $"dotnet build bench/Alpacon.Bench.Alloc -c Release -o {o}",
            _ => throw new ArgumentOutOfRangeException(nameof(artifact)),
        };
    }

    /// <summary>How to start the artifact.</summary>
    public Launch Launch(Artifact artifact)
    {
        var dir = Dir(artifact);
        return artifact switch
        {
            Artifact.Emulator => new(artifact, "emulator", dotnet, [Path.Combine(dir, "Alpacon.Emulator.dll")], "dotnet Alpacon.Emulator.dll"),
            Artifact.ServerFdd => new(artifact, "framework-dependent", dotnet, [Path.Combine(dir, "alpacon-mcp.dll")], "dotnet alpacon-mcp.dll"),
            Artifact.ServerR2R => new(artifact, "ReadyToRun", Path.Combine(dir, "alpacon-mcp"), [], "alpacon-mcp (R2R, apphost)"),
            Artifact.ServerAot => new(artifact, "NativeAOT", Path.Combine(dir, "alpacon-mcp"), [], "alpacon-mcp (NativeAOT)"),
            Artifact.FloorFdd => new(artifact, "hello-world, framework-dependent", dotnet, [Path.Combine(dir, "hello-floor.dll")], "dotnet hello-floor.dll"),
            Artifact.FloorAot => new(artifact, "hello-world, NativeAOT", Path.Combine(dir, "hello-floor"), [], "hello-floor (NativeAOT)"),
            Artifact.AllocHarness => new(artifact, "allocation harness", dotnet, [Path.Combine(dir, "Alpacon.Bench.Alloc.dll")], "dotnet Alpacon.Bench.Alloc.dll"),
            _ => throw new ArgumentOutOfRangeException(nameof(artifact)),
        };
    }

    /// <summary>Builds what is needed, in a fixed order, one at a time (the machine has few cores); or only checks the files.</summary>
    public async Task EnsureAsync(IEnumerable<Artifact> needed, bool skipBuild, CancellationToken cancellationToken)
    {
        foreach (var artifact in needed.Distinct().Order())
        {
            if (_ready.Contains(artifact))
                continue;
            var launch = Launch(artifact);
            var entry = launch.FileName == dotnet ? launch.Arguments[0] : launch.FileName;
            if (!skipBuild)
                await BuildAsync(artifact, cancellationToken).ConfigureAwait(false);
            if (!File.Exists(entry))
                throw new BenchException($"{entry} is missing: run without --skip-build, or build it with: {Command(artifact)}");
            _ready.Add(artifact);
        }
    }

    private async Task BuildAsync(Artifact artifact, CancellationToken cancellationToken)
    {
        var command = Command(artifact);
        var logDir = Path.Combine(outDir, "logs");
        Directory.CreateDirectory(logDir);
        var log = Path.Combine(logDir, $"{Path.GetFileName(Dir(artifact))}.log");
        Console.Error.Write($"build  {command} ... ");
        var started = Stopwatch.GetTimestamp();
        var psi = new ProcessStartInfo(dotnet) { WorkingDirectory = repoRoot, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in command.Split(' ').Skip(1))
            psi.ArgumentList.Add(arg);
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        psi.Environment["DOTNET_NOLOGO"] = "1";
        using var process = Process.Start(psi) ?? throw new BenchException($"Could not start {dotnet}.");
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        await File.WriteAllTextAsync(log, await stdout.ConfigureAwait(false) + await stderr.ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        if (process.ExitCode != 0)
        {
            Console.Error.WriteLine("FAILED");
            throw new BenchException($"'{command}' failed (exit {process.ExitCode}); see {log}.");
        }
        Console.Error.WriteLine($"{seconds:0} s");
    }
}

/// <summary>The benchmark cannot go on; the message says why and what to do.</summary>
public sealed class BenchException(string message) : Exception(message);
