using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;

namespace Alpacon.Bench.Infrastructure;

/// <summary>
/// A process the benchmark started: stdin/stdout redirected (stdout may be the protocol channel), stderr drained
/// into a small ring so a failure can be explained. Every child is killed when the benchmark exits.
/// </summary>
public sealed class ChildProcess : IAsyncDisposable
{
    private const int KeptErrorLines = 40;
    private static readonly ConcurrentDictionary<int, Process> Running = new();
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _errors = new();

    private ChildProcess(Process process)
    {
        _process = process;
        Input = process.StandardInput;
        Input.AutoFlush = false;
        Output = process.StandardOutput;
    }

    public int Pid => _process.Id;

    public StreamWriter Input { get; }

    public StreamReader Output { get; }

    public bool HasExited => _process.HasExited;

    /// <summary>The last lines the child wrote on stderr.</summary>
    public string ErrorTail => string.Join('\n', _errors);

    public static ChildProcess Start(Launch launch, IEnumerable<string> extraArguments, string workingDirectory, IReadOnlyDictionary<string, string?> environment)
    {
        var psi = new ProcessStartInfo(launch.FileName)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardInputEncoding = new UTF8Encoding(false),
            StandardOutputEncoding = new UTF8Encoding(false),
        };
        foreach (var arg in launch.Arguments.Concat(extraArguments))
            psi.ArgumentList.Add(arg);
        psi.Environment.Clear();
        foreach (var (key, value) in environment)
            psi.Environment[key] = value;
        var process = new Process { StartInfo = psi };
        if (!process.Start())
            throw new BenchException($"Could not start {launch.FileName}.");
        var child = new ChildProcess(process);
        Running[process.Id] = process;
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null)
                return;
            child._errors.Enqueue(e.Data);
            while (child._errors.Count > KeptErrorLines && child._errors.TryDequeue(out var _))
            {
            }
        };
        process.BeginErrorReadLine();
        return child;
    }

    /// <summary>Writes one line and flushes it: one JSON-RPC message.</summary>
    public async Task SendLineAsync(string line, CancellationToken cancellationToken)
    {
        await Input.WriteAsync(line.AsMemory(), cancellationToken).ConfigureAwait(false);
        await Input.WriteAsync("\n".AsMemory(), cancellationToken).ConfigureAwait(false);
        await Input.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The next stdout line; fails with the child's stderr when the child ends first.</summary>
    public async Task<string> ReadLineAsync(CancellationToken cancellationToken)
    {
        var line = await Output.ReadLineAsync(cancellationToken).ConfigureAwait(false);
        return line ?? throw new BenchException($"{_process.StartInfo.FileName} closed stdout{(HasExited ? $" (exit {_process.ExitCode})" : "")}. stderr:\n{ErrorTail}");
    }

    /// <summary>Closes stdin (a stdio MCP server exits on EOF) and waits; kills the child if it lingers.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                try
                {
                    Input.Close();
                }
                catch (IOException)
                {
                    // The child is already gone.
                }
                using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                try
                {
                    await _process.WaitForExitAsync(wait.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    _process.Kill(entireProcessTree: true);
                    await _process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
                }
            }
        }
        finally
        {
            Running.TryRemove(_process.Id, out _);
            _process.Dispose();
        }
    }

    /// <summary>Stops a long-running child (an HTTP server, the emulator) at once.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
        }
        await DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>Kills every child still running (Ctrl+C, an exception): only the processes this program started.</summary>
    public static void KillAll()
    {
        foreach (var (_, process) in Running)
        {
            try
            {
                if (!process.HasExited)
                    process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
            }
        }
    }
}
