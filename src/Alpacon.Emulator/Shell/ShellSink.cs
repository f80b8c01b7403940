namespace Alpacon.Emulator.Shell;

/// <summary>
/// Receives a command line's output (stdout and stderr interleaved, as a terminal or the agent's combined capture
/// shows them) in chunks, as it is produced: after each command and before each wait, at most
/// <see cref="ShellLimits.ChunkChars"/> characters at a time.
/// </summary>
public delegate ValueTask ShellSink(string chunk, CancellationToken cancellationToken);

/// <summary>The whole output and exit status of one command line.</summary>
public sealed record ShellResult(string Output, int ExitCode);

/// <summary>Bounds that keep any command line from exhausting the emulator.</summary>
public static class ShellLimits
{
    /// <summary>The most characters one command line may print (and one pipe or file redirection may carry).</summary>
    public const int MaxOutputChars = 8 << 20;

    /// <summary>The largest chunk handed to a <see cref="ShellSink"/>.</summary>
    public const int ChunkChars = 64 << 10;

    /// <summary>How deep scripts, <c>bash -c</c> and <c>$(…)</c> may nest, so a script that runs itself ends.</summary>
    public const int MaxDepth = 16;

    /// <summary>The most iterations one loop may run; a loop with no output would otherwise spin until cancelled.</summary>
    public const int MaxLoopIterations = 10_000;
}
