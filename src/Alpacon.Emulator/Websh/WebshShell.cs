using Alpacon.Emulator.Core;
using Alpacon.Emulator.Shell;

namespace Alpacon.Emulator.Websh;

/// <summary>
/// What runs behind a session's PTY: the emulator's virtual shell by default; tests plug in a real bash in a
/// pseudo-terminal through <see cref="EmulatorOptions.WebshShellFactory"/> to check the client against real
/// terminal behaviour. Bytes in and out are raw terminal bytes (§3.4).
/// </summary>
public interface IWebshShell : IAsyncDisposable
{
    /// <summary>
    /// Starts the shell. <paramref name="output"/> receives what the terminal prints, in order (calls are not
    /// concurrent); <paramref name="ended"/> is called once when the shell exits (<c>exit</c>, Ctrl-D).
    /// </summary>
    void Start(Func<ReadOnlyMemory<byte>, CancellationToken, ValueTask> output, Action ended);

    /// <summary>Keystrokes from a writable channel.</summary>
    ValueTask InputAsync(ReadOnlyMemory<byte> keys, CancellationToken cancellationToken);
}

/// <summary>What a shell factory is asked for: the session's server, host, account and terminal size.</summary>
public sealed record WebshShellRequest(Server Server, SimulatedHost Host, string Username, int Rows, int Cols);
