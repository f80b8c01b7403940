using Alpacon.Api.Configuration;
using Alpacon.Emulator;
using Alpacon.Emulator.Core;

namespace Alpacon.Mcp.Hosting;

/// <summary>
/// <c>--sandbox</c>: the emulator runs in-process on a loopback port and the server's only workspace,
/// <c>ap1/sandbox</c>, points at it. With <c>--sandbox</c> the user's token file and environment are neither read
/// nor written; when the server falls back to the sandbox because nothing is configured, a token stored for a real
/// workspace goes to the token file (<see cref="LayeredTokenStore"/>), so the user keeps it.
/// </summary>
public sealed class Sandbox : IAsyncDisposable
{
    private Sandbox(RunningEmulator emulator, ITokenStore? persistent)
    {
        Emulator = emulator;
        var memory = new MemoryTokenStore([new TokenEntry(Regions.Default, Seed.Workspace, Seed.AdminToken, emulator.BaseUrl.AbsoluteUri.TrimEnd('/'))]);
        Store = persistent is null ? memory : new LayeredTokenStore(memory, persistent);
    }

    public RunningEmulator Emulator { get; }

    public ITokenStore Store { get; }

    /// <param name="persistent">Where tokens for workspaces other than the sandbox go; null keeps everything in memory.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    public static async Task<Sandbox> StartAsync(ITokenStore? persistent = null, CancellationToken cancellationToken = default) =>
        new(await EmulatorHost.StartAsync(new EmulatorOptions { Urls = "http://127.0.0.1:0" }, cancellationToken).ConfigureAwait(false), persistent);

    public ValueTask DisposeAsync() => Emulator.DisposeAsync();
}
