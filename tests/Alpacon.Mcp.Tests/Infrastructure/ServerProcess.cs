using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Alpacon.Mcp.Tests.Infrastructure;

/// <summary>
/// The real <c>alpacon-mcp</c> as a child process, over HTTP or stdio: for what only a process shows (signals, exit
/// codes, its own memory). Its stderr is kept; over HTTP, <see cref="Url"/> is read from the "serving HTTP on" line.
/// </summary>
public sealed partial class ServerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly List<string> _log = [];
    private readonly TaskCompletionSource<Uri> _url = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private ServerProcess(Process process)
    {
        _process = process;
    }

    public int Pid => _process.Id;

    /// <summary>The streamable HTTP endpoint, <c>http://127.0.0.1:PORT/mcp</c>.</summary>
    public Uri Url { get; private set; } = null!;

    public IReadOnlyList<string> Log
    {
        get
        {
            lock (_log)
                return [.. _log];
        }
    }

    [GeneratedRegex(@"serving HTTP on (http://\S+/mcp)")]
    private static partial Regex ServingLine();

    public static async Task<ServerProcess> StartHttpAsync(IReadOnlyDictionary<string, string> env, params string[] args)
    {
        var server = Start(env, ["--transport", "http", "--port", "0", .. args], stdio: false);
        var exited = server._process.WaitForExitAsync();
        var first = await Task.WhenAny(server._url.Task, exited, Task.Delay(TimeSpan.FromSeconds(60)));
        if (first != server._url.Task)
        {
            await server.DisposeAsync();
            throw new InvalidOperationException("alpacon-mcp did not start serving HTTP:\n" + string.Join("\n", server.Log));
        }
        server.Url = await server._url.Task;
        return server;
    }

    /// <summary>The stdio server as a client launches it; talk to it through <see cref="Input"/> and <see cref="Output"/>.</summary>
    public static ServerProcess StartStdio(IReadOnlyDictionary<string, string> env, params string[] args) => Start(env, args, stdio: true);

    /// <summary>The server's stdin (stdio servers).</summary>
    public Stream Input => _process.StandardInput.BaseStream;

    /// <summary>The server's stdout (stdio servers).</summary>
    public Stream Output => _process.StandardOutput.BaseStream;

    private static ServerProcess Start(IReadOnlyDictionary<string, string> env, string[] args, bool stdio)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetTempPath(),
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "alpacon-mcp.dll"));
        foreach (var arg in args)
            start.ArgumentList.Add(arg);
        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("ALPACON_MCP_", StringComparison.Ordinal)).ToList())
            start.Environment.Remove(name);
        foreach (var (k, v) in env)
            start.Environment[k] = v;

        var server = new ServerProcess(Process.Start(start)!);
        server._process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null)
                return;
            lock (server._log)
                server._log.Add(e.Data);
            if (ServingLine().Match(e.Data) is { Success: true } m)
                server._url.TrySetResult(new Uri(m.Groups[1].Value));
        };
        server._process.BeginErrorReadLine();
        if (!stdio)
        {
            server._process.OutputDataReceived += (_, e) =>
            {
                if (e.Data is not null)
                {
                    lock (server._log)
                        server._log.Add("stdout: " + e.Data);
                }
            };
            server._process.BeginOutputReadLine();
        }
        return server;
    }

    /// <summary>Sends SIGTERM, as a service manager or container runtime does to stop a server.</summary>
    public async Task TerminateAsync()
    {
        using var kill = Process.Start("kill", ["-TERM", Pid.ToString(System.Globalization.CultureInfo.InvariantCulture)])!;
        await kill.WaitForExitAsync();
    }

    /// <summary>The exit code, or null when the process is still running after <paramref name="bound"/>.</summary>
    public async Task<int?> WaitForExitAsync(TimeSpan bound)
    {
        using var cts = new CancellationTokenSource(bound);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
            return _process.ExitCode;
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }

    /// <summary>Peak resident memory so far (VmHWM from /proc), in KiB.</summary>
    public long PeakRssKiB() => ProcStatus(Pid, "VmHWM");

    public static long ProcStatus(int pid, string field)
    {
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith(field + ":", StringComparison.Ordinal))
                return long.Parse(line[(field.Length + 1)..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
        }
        return 0;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }
}
