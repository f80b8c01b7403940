using Alpacon.Emulator.Core;
using Alpacon.Emulator.Shell;

namespace Alpacon.Emulator.Tests.Shell;

/// <summary>Fresh emulated worlds on a fixed clock, so uptime and dates are the same on every run.</summary>
internal static class TestHosts
{
    public static readonly DateTimeOffset Now = new(2026, 5, 1, 12, 0, 0, TimeSpan.Zero);

    public static World NewWorld() => new(new EmulatorOptions()) { Time = new FixedTime(Now) };

    public static SimulatedHost Host(string name = "web-01")
    {
        var world = NewWorld();
        return world.Hosts.Get(world.Servers.Single(s => s.Name == name));
    }

    public static async Task<ShellResult> Run(string line, string host = "web-01", string? user = null, string? stdin = null) =>
        await Host(host).RunAsync(line, user, stdin);

    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
