using Alpacon.Api.Configuration;
using Alpacon.Emulator;
using Alpacon.Emulator.Core;

namespace Alpacon.Mcp.Hosting;

/// <summary>
/// <c>--sandbox</c>: the emulator runs in-process on a loopback port and the server's only workspace,
/// <c>ap1/sandbox</c>, points at it. The user's token file and environment are neither read nor written.
/// </summary>
public sealed class Sandbox : IAsyncDisposable
{
    private Sandbox(RunningEmulator emulator)
    {
        Emulator = emulator;
        Store = new MemoryTokenStore([new TokenEntry(Regions.Default, Seed.Workspace, Seed.AdminToken, emulator.BaseUrl.AbsoluteUri.TrimEnd('/'))]);
    }

    public RunningEmulator Emulator { get; }

    public ITokenStore Store { get; }

    public static async Task<Sandbox> StartAsync(CancellationToken cancellationToken = default) =>
        new(await EmulatorHost.StartAsync(new EmulatorOptions { Urls = "http://127.0.0.1:0" }, cancellationToken).ConfigureAwait(false));

    public ValueTask DisposeAsync() => Emulator.DisposeAsync();
}
