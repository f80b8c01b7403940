using System.Diagnostics;
using System.Reflection;
using Alpacon.Api;
using Alpacon.Mcp.Tests.Infrastructure;

namespace Alpacon.Mcp.Tests.Surface;

/// <summary>
/// The framework-dependent .NET tool package: packed from the build under test, installed into a temporary tool
/// path from a local folder only (no feed on the internet), and run. The NativeAOT package is left to the README's
/// manual steps: it takes minutes to build.
/// </summary>
public sealed class ToolPackageTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("alpacon-pack-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private async Task<(int ExitCode, string Output)> RunAsync(string command, params string[] args)
    {
        var start = new ProcessStartInfo(command) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = _dir };
        foreach (var arg in args)
            start.ArgumentList.Add(arg);
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        // A private package cache: an older alpacon-mcp of the same version in ~/.nuget/packages must not be picked up.
        start.Environment["NUGET_PACKAGES"] = Path.Combine(_dir, "packages");
        start.Environment["HOME"] = _dir;
        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("ALPACON_MCP_", StringComparison.Ordinal)).ToList())
            start.Environment.Remove(name);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout + await stderr);
    }

    [Fact]
    public async Task ToolPackage_InstallsFromALocalFolder_AndRuns()
    {
        var configuration = typeof(ToolPackageTests).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";
        var project = Path.Combine(Repository.Root, "src", "Alpacon.Mcp", "Alpacon.Mcp.csproj");
        var feed = Path.Combine(_dir, "feed");
        var pack = await RunAsync("dotnet", "pack", project, "-c", configuration, "--no-build", "-o", feed);
        Assert.True(pack.ExitCode == 0, pack.Output);
        var package = Assert.Single(Directory.GetFiles(feed, "*.nupkg"));
        Assert.Equal($"alpacon-mcp.{AlpaconApiOptions.Version}.nupkg", Path.GetFileName(package));

        var tools = Path.Combine(_dir, "tools");
        var install = await RunAsync("dotnet", "tool", "install", "alpacon-mcp", "--tool-path", tools, "--source", feed, "--version", AlpaconApiOptions.Version);
        Assert.True(install.ExitCode == 0, install.Output);

        var command = Path.Combine(tools, "alpacon-mcp");
        var version = await RunAsync(command, "--version");
        Assert.Equal((0, AlpaconApiOptions.Version), (version.ExitCode, version.Output.Trim()));

        // The packaged emulator comes along: the newcomer's first command works from the installed tool.
        var call = await RunAsync(command, "--sandbox", "call", "servers_list");
        Assert.True(call.ExitCode == 0, call.Output);
        Assert.Contains("\"workspace\": \"sandbox\"", call.Output);
    }
}
