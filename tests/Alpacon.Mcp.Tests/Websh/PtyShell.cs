using System.Diagnostics;
using Alpacon.Emulator;
using Alpacon.Emulator.Websh;
using Alpacon.Mcp.Tests.Infrastructure;

namespace Alpacon.Mcp.Tests.Websh;

/// <summary>
/// Tests only: a real <c>bash -i</c> in a pseudo-terminal, plugged in behind the emulator's Websh endpoints, so the
/// client is proven against real terminal behaviour (readline echo and redisplay, line wrapping at the terminal
/// width, bracketed paste, colours, SIGINT from Ctrl-C, programs waiting for input). A small Python helper opens
/// the PTY (Python's pty module), sets its size, execs bash and copies bytes between the PTY and its pipes.
/// </summary>
internal sealed class PtyShell(WebshShellRequest request) : IWebshShell
{
    private const string Helper = """
        import fcntl, os, pty, select, signal, struct, sys, termios
        rows, cols, rcfile = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
        pid, fd = pty.fork()
        if pid == 0:
            fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
            os.execvp("bash", ["bash", "--noprofile", "--rcfile", rcfile, "-i"])
        # Never block writing keys while bash blocks writing its echo: keys wait in 'pending' until the PTY takes them.
        os.set_blocking(fd, False)
        inp, out = sys.stdin.fileno(), sys.stdout.fileno()
        pending = b""
        while True:
            ready, writable, _ = select.select([fd, inp], [fd] if pending else [], [])
            if fd in ready:
                try:
                    data = os.read(fd, 65536)
                except BlockingIOError:
                    data = None
                except OSError:
                    break
                if data == b"":
                    break
                while data:
                    data = data[os.write(out, data):]
            if fd in writable and pending:
                try:
                    pending = pending[os.write(fd, pending):]
                except BlockingIOError:
                    pass
            if inp in ready:
                data = os.read(inp, 65536)
                if not data:
                    os.kill(pid, signal.SIGHUP)
                    break
                pending += data
        os.waitpid(pid, 0)
        """;

    /// <summary>bash's default Debian prompt, coloured.</summary>
    private const string Prompt = @"\[\e[01;32m\]\u@\h\[\e[00m\]:\[\e[01;34m\]\w\[\e[00m\]\$ ";

    private readonly CancellationTokenSource stopping = new();
    private Process? process;
    private Task reading = Task.CompletedTask;
    private string? home;

    public static bool IsAvailable => Which("python3") && Which("bash");

    public void Start(Func<ReadOnlyMemory<byte>, CancellationToken, ValueTask> output, Action ended)
    {
        home = Directory.CreateTempSubdirectory("websh-pty-").FullName;
        var start = new ProcessStartInfo("python3")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = home,
        };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(Helper);
        start.ArgumentList.Add(request.Rows.ToString(System.Globalization.CultureInfo.InvariantCulture));
        start.ArgumentList.Add(request.Cols.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var rcfile = Path.Combine(home, ".bashrc");
        File.WriteAllText(rcfile, $"PS1='{Prompt}'\n");
        start.ArgumentList.Add(rcfile);
        start.Environment["TERM"] = "xterm-256color";
        start.Environment["HOME"] = home;
        start.Environment["HISTFILE"] = "/dev/null";
        start.Environment["LANG"] = "C.UTF-8";
        start.Environment.Remove("COLUMNS");
        start.Environment.Remove("LINES");
        process = Process.Start(start) ?? throw new InvalidOperationException("python3 did not start");
        process.ErrorDataReceived += (_, _) => { };
        process.BeginErrorReadLine();
        var stdout = process.StandardOutput.BaseStream;
        reading = Task.Run(async () =>
        {
            var buffer = new byte[16 * 1024];
            try
            {
                int n;
                while ((n = await stdout.ReadAsync(buffer, stopping.Token)) > 0)
                    await output(buffer.AsMemory(0, n).ToArray(), stopping.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or IOException or ObjectDisposedException)
            {
            }
            if (!stopping.IsCancellationRequested)
                ended();
        });
    }

    public async ValueTask InputAsync(ReadOnlyMemory<byte> keys, CancellationToken cancellationToken)
    {
        if (process is null || process.HasExited)
            return;
        var stdin = process.StandardInput.BaseStream;
        await stdin.WriteAsync(keys, cancellationToken);
        await stdin.FlushAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        await stopping.CancelAsync();
        if (process is not null)
        {
            try
            {
                if (!process.HasExited)
                    process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(5));
            }
            catch (Exception e) when (e is InvalidOperationException or TimeoutException or System.ComponentModel.Win32Exception)
            {
            }
            process.Dispose();
        }
        try
        {
            await reading;
        }
        catch (OperationCanceledException)
        {
        }
        if (home is not null)
        {
            try
            {
                Directory.Delete(home, recursive: true);
            }
            catch (IOException)
            {
            }
        }
        stopping.Dispose();
    }

    private static bool Which(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Any(d => d.Length > 0 && File.Exists(Path.Combine(d, program)));
}

/// <summary>An emulator whose Websh terminals run a real bash in a PTY (same REST endpoints and WebSocket protocol).</summary>
public sealed class PtyEmulatorFixture : EmulatorFixture
{
    protected override void Configure(EmulatorOptions options) => options.WebshShellFactory = request => new PtyShell(request);
}

[CollectionDefinition(Name)]
public sealed class PtyEmulatorCollection : ICollectionFixture<PtyEmulatorFixture>
{
    public const string Name = "websh-pty";
}
