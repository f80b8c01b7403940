using System.Diagnostics;
using System.Globalization;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Alpacon.Bench.Infrastructure;

namespace Alpacon.Bench.Scenarios;

/// <summary>
/// <c>tools/call websh_command_execute</c> on an open session (stdio, NativeAOT) next to the raw WebSocket round trip
/// of the same typed line through the emulator's terminal, for a one-word output and for about 100 KB of output; for the
/// one-word output also the silence-based method of the Python server (type the bare line, read until 1 s passes
/// without output) on the raw WebSocket.
/// </summary>
public sealed class WebshExecuteScenario : IScenario
{
    private const string ServerName = "web-01";

    /// <summary>A command that has not ended after this long is counted as hung, not timed (see the notes).</summary>
    private static readonly TimeSpan HangAfter = TimeSpan.FromSeconds(5);

    /// <summary>The silence that ends a command in the Python server's method.</summary>
    private static readonly TimeSpan Silence = TimeSpan.FromSeconds(1);

    public string Name => "websh-execute";

    public string Description => "tools/call websh_command_execute (echo hi; ~100 KB of output) against the raw WebSocket round trip of the same line and, for echo, the silence-based method (read until 1 s without output)";

    public IReadOnlyList<Artifact> Needs { get; } = [Artifact.ServerAot, Artifact.Emulator];

    public async Task<ScenarioReport> RunAsync(BenchContext context, CancellationToken cancellationToken)
    {
        var emulator = await context.EmulatorAsync(cancellationToken).ConfigureAwait(false);
        using var http = BenchContext.NewHttpClient();
        var api = new DirectApi(http, emulator.BaseUrl);
        var serverId = await api.ServerIdAsync(ServerName, cancellationToken).ConfigureAwait(false);

        await using var stdio = new StdioPeer(context.Start(Artifact.ServerAot, emulator.BaseUrl));
        await stdio.InitializeAsync(cancellationToken).ConfigureAwait(false);
        async Task<string> ToolSessionAsync()
        {
            var created = ToolAnswer.Data(await stdio.RequestAsync(id => JsonRpc.CallTool(id, "websh_session_create", $$"""{"server_id":"{{serverId}}","workspace":"{{JsonRpc.Workspace}}"}"""), cancellationToken).ConfigureAwait(false), "websh_session_create");
            return created["id"]?.ToString() ?? throw new BenchException($"websh_session_create returned no id: {created.ToJsonString()}");
        }

        var toolSession = await ToolSessionAsync().ConfigureAwait(false);

        // The baseline's own session (a second channel on the tool's session would receive the tool's output too).
        async Task<RawTerminal> RawSessionAsync()
        {
            var session = await api.PostAsync("/api/websh/sessions/", new JsonObject { ["server"] = serverId, ["rows"] = 24, ["cols"] = 80 }, cancellationToken).ConfigureAwait(false);
            var url = session?["websocket_url"]?.ToString() ?? throw new BenchException("POST /api/websh/sessions/ returned no websocket_url.");
            return await RawTerminal.ConnectAsync(new Uri(url), cancellationToken).ConfigureAwait(false);
        }

        var terminal = await RawSessionAsync().ConfigureAwait(false);
        // The silence-based method's own session: its bare lines would otherwise land between the markers of the other.
        var silenceTerminal = await RawSessionAsync().ConfigureAwait(false);

        var o = context.Options;
        var commands = new[]
        {
            new Command("`echo hi`", "echo hi", Math.Clamp(o.Calls / 2, 10, 150), Math.Clamp(o.CallWarmups / 2, 2, 25), "hi"),
            new Command("`seq 1 16000` (~100 KB)", "seq 1 16000", Math.Clamp(o.Calls / 6, 5, 50), Math.Clamp(o.CallWarmups / 10, 1, 5), null),
        };
        var hungTotal = 0;
        var report = new ScenarioReport(Name, "`websh_command_execute` against the raw terminal round trip")
        {
            Method = $"One Websh session on {ServerName} for the tool (opened with `websh_session_create`, its channel pooled by the server) and one for the baseline (opened by the benchmark with `POST /api/websh/sessions/`, its WebSocket held by the benchmark). " +
                "The baseline types the same line the server types (the marker-framed `printf …; eval '<command>'; printf …` line of `Marker.Wrap`, as one binary frame) and waits for the end marker in the terminal's output: the least a marker-framed command can cost. " +
                "The tool also cleans the output (prompts, echo, escapes), bounds it (`max_output_chars` 1,000,000 here, so nothing is cut) and answers in the JSON envelope on stdio. " +
                $"For `echo hi` a third case is the silence-based method the Python server used, on a raw WebSocket session of its own: it types the bare line (`echo hi` and Enter, no markers) and reads until {Silence.TotalSeconds:0} s passes without output; " +
                "it is timed from the line sent to that silence, and it counts as having missed the output when `hi` is not on a line of what it read (left out of the times; the session is then replaced, as a wedged shell stays wedged). " +
                "Tool calls and raw round trips (and silence-based reads) take turns call by call, the order rotating.",
            Table = new MarkdownTable("command", "case", "n", "median", "p95", "ratio to raw", "output") { TextColumns = 2 },
        };
        foreach (var command in commands)
        {
            string Arguments() => $$"""{"session_id":"{{toolSession}}","command":"{{command.Line}}","timeout":{{(int)HangAfter.TotalSeconds}},"max_output_chars":1000000,"workspace":"{{JsonRpc.Workspace}}"}""";
            var raw = new List<double>();
            var tool = new List<double>();
            var silent = new List<double>();
            var lastOutput = new List<double>();
            var silentMissed = 0;
            long silentBytes = 0;
            var channel = new List<double>();
            long rawBytes = 0, toolChars = 0;
            int rawHung = 0, toolHung = 0;
            for (var round = -command.Warmups; round < command.Calls; round++)
            {
                var kinds = command.Expected is null ? 2 : 3;
                for (var k = 0; k < kinds; k++)
                {
                    var which = (k + Math.Max(round, 0)) % kinds;
                    var started = Stopwatch.GetTimestamp();
                    if (which == 2)
                    {
                        var (lastMs, printed) = await silenceTerminal.RunUntilSilentAsync(command.Line, Silence, cancellationToken).ConfigureAwait(false);
                        var ms = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                        if (!printed.ReplaceLineEndings("\n").Split('\n').Contains(command.Expected))
                        {
                            silentMissed++;
                            silenceTerminal.Dispose();
                            silenceTerminal = await RawSessionAsync().ConfigureAwait(false);
                            continue;
                        }
                        silentBytes = Encoding.UTF8.GetByteCount(printed);
                        if (round >= 0)
                        {
                            silent.Add(ms);
                            lastOutput.Add(lastMs);
                        }
                    }
                    else if (which == 0)
                    {
                        var answer = await stdio.RequestAsync(id => JsonRpc.CallTool(id, "websh_command_execute", Arguments()), cancellationToken).ConfigureAwait(false);
                        var ms = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                        var data = ToolAnswer.Data(answer, "websh_command_execute");
                        if (data["timed_out"]?.GetValue<bool>() == true)
                        {
                            // A wedged shell stays wedged: carry on in a new session.
                            toolHung++;
                            toolSession = await ToolSessionAsync().ConfigureAwait(false);
                            continue;
                        }
                        if (data["exit_code"]?.GetValue<int>() != 0)
                            throw new BenchException($"websh_command_execute did not succeed: {data.ToJsonString()[..Math.Min(400, data.ToJsonString().Length)]}");
                        toolChars = data["output"]?.ToString().Length ?? 0;
                        if (round >= 0)
                        {
                            tool.Add(ms);
                            channel.Add(data["duration_ms"]?.GetValue<double>() ?? double.NaN);
                        }
                    }
                    else
                    {
                        if (await terminal.RunAsync(command.Line, HangAfter, cancellationToken).ConfigureAwait(false) is not { } bytes)
                        {
                            rawHung++;
                            terminal.Dispose();
                            terminal = await RawSessionAsync().ConfigureAwait(false);
                            continue;
                        }
                        rawBytes = bytes;
                        var ms = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                        if (round >= 0)
                            raw.Add(ms);
                    }
                }
            }
            var r = new Stats(raw);
            var t = new Stats(tool);
            report.Table.Add(command.Label, "raw WebSocket round trip (baseline)" + Hung(rawHung), $"{r.Count}", Fmt.Ms(r.Median), Fmt.Ms(r.P95), "1.00× (baseline)", $"{rawBytes:N0} bytes between the markers");
            report.Table.Add(command.Label, $"`tools/call websh_command_execute`, stdio, {context.Builds.Launch(Artifact.ServerAot).Label}" + Hung(toolHung), $"{t.Count}", Fmt.Ms(t.Median), Fmt.Ms(t.P95), Fmt.Ratio(t.Median / r.Median), $"{toolChars:N0} characters returned");
            var inServer = new Stats(channel);
            report.Notes.Add($"{command.Label}: the tool costs {Fmt.Ms(t.Median - r.Median)} over the raw round trip (median); the server's own `duration_ms` (typing the line to its end marker on the pooled channel, whole milliseconds) has median {Fmt.Ms(inServer.Median)} and p95 {Fmt.Ms(inServer.P95)}, the rest is the call around it (stdio, cleaning, JSON).");
            if (command.Expected is not null)
            {
                var sl = new Stats(silent);
                var lo = new Stats(lastOutput);
                report.Table.Add(command.Label, $"silence-based: bare line, read until {Silence.TotalSeconds:0} s without output, raw WebSocket" + (silentMissed > 0 ? $" ({silentMissed} missed the output, left out)" : ""), $"{sl.Count}", Fmt.Ms(sl.Median), Fmt.Ms(sl.P95), Fmt.Ratio(sl.Median / r.Median), $"{silentBytes:N0} bytes read (the echoed line, the output, the prompt)");
                report.Table.Add(command.Label, "↳ of which: until its last output", $"{lo.Count}", Fmt.Ms(lo.Median), Fmt.Ms(lo.P95), "-", "-");
                report.Notes.Add($"{command.Label}: the silence-based method answers after {Fmt.Ms(sl.Median)} (median), {Fmt.Ms(sl.Median - t.Median)} later than the tool; its last output came {Fmt.Ms(lo.Median)} after the line was sent, the rest is the {Silence.TotalSeconds:0} s of silence it must wait out." +
                    (silentMissed > 0 ? $" {silentMissed} read(s) ended without the output (a wedged shell is silent too: the method cannot tell it from a finished command)." : ""));
            }
        }
        foreach (var t in new[] { terminal, silenceTerminal })
        {
            await t.CloseAsync().ConfigureAwait(false);
            t.Dispose();
        }
        if (hungTotal > 0)
        {
            report.Notes.Add($"{hungTotal} command(s) had not ended after {HangAfter.TotalSeconds:0} s (raw and tool alike) and are left out of the times: the emulator's terminal sometimes never runs a typed line " +
                "(the previous line's end marker has arrived; after that the shell echoes nothing, not even Ctrl-C, as if the previous line never finished). Both sides then carry on in a new session. The raw client shows it too, so the fault is the emulator's, not the server's.");
        }
        return report;

        string Hung(int n)
        {
            hungTotal += n;
            return n > 0 ? $" ({n} hung, left out)" : "";
        }
    }

    /// <param name="Expected">The output line the silence-based method must have read; null to leave that method out.</param>
    private sealed record Command(string Label, string Line, int Calls, int Warmups, string? Expected);

    /// <summary>A terminal WebSocket held by the benchmark: types marker-framed lines and waits for their end marker.</summary>
    private sealed class RawTerminal(ClientWebSocket socket) : IDisposable
    {
        private const string Prefix = "__ALPMCP_";
        private readonly byte[] _buffer = new byte[64 * 1024];
        private readonly StringBuilder _received = new();
        private readonly char[] _chars = new char[(64 * 1024) + 4];
        private readonly Decoder _decoder = new UTF8Encoding(false).GetDecoder();
        private Task<ValueWebSocketReceiveResult>? _pending;

        public static async Task<RawTerminal> ConnectAsync(Uri url, CancellationToken cancellationToken)
        {
            var socket = new ClientWebSocket();
            socket.Options.SetRequestHeader("User-Agent", "alpacon-bench");
            await socket.ConnectAsync(url, cancellationToken).ConfigureAwait(false);
            var terminal = new RawTerminal(socket);
            // Wait until the shell reads lines (the login banner and prompt come first), as the server's first sync does.
            await terminal.SyncAsync(cancellationToken).ConfigureAwait(false);
            return terminal;
        }

        private async Task SyncAsync(CancellationToken cancellationToken)
        {
            for (var attempt = 1; ; attempt++)
            {
                var nonce = Nonce();
                _received.Clear();
                await SendAsync($"\u0015 printf '{Prefix}%s_S__\\n' {nonce}\r", cancellationToken).ConfigureAwait(false);
                try
                {
                    await WaitForAsync($"{Prefix}{nonce}_S__", 0, TimeSpan.FromSeconds(10), cancellationToken).ConfigureAwait(false);
                    return;
                }
                catch (TimeoutException) when (attempt < 3)
                {
                    await SendAsync("\u0003", cancellationToken).ConfigureAwait(false);
                }
            }
        }

        /// <summary>Types the line as <c>Marker.Wrap</c> does and returns the byte count of the output between the markers.</summary>
        public async Task<long?> RunAsync(string command, TimeSpan timeout, CancellationToken cancellationToken)
        {
            var nonce = Nonce();
            _received.Clear();
            var line = string.Create(CultureInfo.InvariantCulture, $"\u0015 printf '{Prefix}%s_B__\\n' {nonce}; eval '{command.Replace("'", "'\\''", StringComparison.Ordinal)}'; printf '\\n{Prefix}%s_%d__\\n' {nonce} $?\r");
            await SendAsync(line, cancellationToken).ConfigureAwait(false);
            try
            {
                var begin = await WaitForAsync($"{Prefix}{nonce}_B__", 0, timeout, cancellationToken).ConfigureAwait(false);
                var end = await WaitForAsync($"{Prefix}{nonce}_0__", begin, timeout, cancellationToken).ConfigureAwait(false);
                return Encoding.UTF8.GetByteCount(_received.ToString(begin, end - begin));
            }
            catch (TimeoutException)
            {
                return null; // the caller opens a new session: a wedged shell answers nothing, not even Ctrl-C
            }
        }

        /// <summary>
        /// The Python server's method: types the bare line and reads until <paramref name="silence"/> passes without
        /// output. Returns when the last output arrived (ms after the line was sent) and everything read.
        /// </summary>
        public async Task<(double LastOutputMs, string Output)> RunUntilSilentAsync(string command, TimeSpan silence, CancellationToken cancellationToken)
        {
            _received.Clear();
            var started = Stopwatch.GetTimestamp();
            await SendAsync($"{command}\r", cancellationToken).ConfigureAwait(false);
            var last = started;
            while (true)
            {
                _pending ??= socket.ReceiveAsync(_buffer.AsMemory(), CancellationToken.None).AsTask();
                if (await Task.WhenAny(_pending, Task.Delay(silence, cancellationToken)).ConfigureAwait(false) != _pending)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    return (Stopwatch.GetElapsedTime(started, last).TotalMilliseconds, _received.ToString());
                }
                await AppendPendingAsync().ConfigureAwait(false);
                last = Stopwatch.GetTimestamp();
            }
        }

        public async Task CloseAsync()
        {
            try
            {
                await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "", CancellationToken.None).ConfigureAwait(false);
            }
            catch (WebSocketException)
            {
            }
        }

        public void Dispose() => socket.Dispose();

        private string Tail() => _received.ToString(Math.Max(0, _received.Length - 400), Math.Min(400, _received.Length)).ReplaceLineEndings("⏎");

        private static string Nonce() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));

        private Task SendAsync(string keys, CancellationToken cancellationToken) =>
            socket.SendAsync(new ReadOnlyMemory<byte>(Encoding.UTF8.GetBytes(keys)), WebSocketMessageType.Binary, true, cancellationToken).AsTask();

        /// <summary>Receives until <paramref name="marker"/> appears at or after <paramref name="from"/>; returns where it starts.</summary>
        /// <remarks>A cancelled receive would abort the socket: a timed-out wait leaves its receive pending for the next one.</remarks>
        private async Task<int> WaitForAsync(string marker, int from, TimeSpan timeout, CancellationToken cancellationToken)
        {
            var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
            var scan = from;
            while (true)
            {
                var at = _received.Length - scan >= marker.Length ? _received.ToString(scan, _received.Length - scan).IndexOf(marker, StringComparison.Ordinal) : -1;
                if (at >= 0)
                    return scan + at;
                scan = Math.Max(from, _received.Length - marker.Length);
                _pending ??= socket.ReceiveAsync(_buffer.AsMemory(), CancellationToken.None).AsTask();
                var remaining = deadline - Stopwatch.GetTimestamp();
                if (remaining <= 0 || await Task.WhenAny(_pending, Task.Delay(TimeSpan.FromSeconds(remaining / (double)Stopwatch.Frequency), cancellationToken)).ConfigureAwait(false) != _pending)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    throw new TimeoutException($"The raw terminal did not print {marker} within {timeout.TotalSeconds:0} s; it printed: {Tail()}");
                }
                await AppendPendingAsync().ConfigureAwait(false);
            }
        }

        /// <summary>Appends what the completed pending receive brought.</summary>
        private async Task AppendPendingAsync()
        {
            var result = await _pending!.ConfigureAwait(false);
            _pending = null;
            if (result.MessageType == WebSocketMessageType.Close)
                throw new BenchException("The raw terminal's WebSocket closed.");
            _received.Append(_chars, 0, _decoder.GetChars(_buffer, 0, result.Count, _chars, 0, flush: false));
        }
    }
}
