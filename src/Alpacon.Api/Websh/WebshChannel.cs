using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;

namespace Alpacon.Api.Websh;

/// <summary>
/// One open Websh user channel (alpacon-api.md §3): a WebSocket carrying raw terminal bytes both ways. A receive
/// loop runs for the channel's whole life, so a close or a drop is noticed even between commands; commands run
/// one at a time (<see cref="ExecuteAsync"/> queues callers) and are framed by a <see cref="Marker"/>.
/// </summary>
public sealed class WebshChannel : IAsyncDisposable
{
    /// <summary>The close code the server uses when the session ends (exit, close, idle timeout).</summary>
    public const int SessionEndedCode = 4000;

    /// <summary>While no command runs, the receive buffer is cut back to <see cref="IdleTailChars"/> beyond this.</summary>
    internal const int IdleLimitChars = 8 * 1024;

    /// <summary>What is kept of the output received while no command runs: the latest prompt and a little before it.</summary>
    internal const int IdleTailChars = 4 * 1024;

    private readonly WebSocket socket;
    private readonly SemaphoreSlim executeGate = new(1, 1);
    private readonly SemaphoreSlim sendGate = new(1, 1);
    private readonly Decoder decoder = new UTF8Encoding(false).GetDecoder();
    private readonly Lock gate = new();
    private readonly StringBuilder received = new();
    private readonly CancellationTokenSource stopping = new();
    private readonly int maxCapture;
    private readonly TimeSpan pingTimeout;
    private TaskCompletionSource changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task receiving = Task.CompletedTask;
    private long lastUsed;
    private int executions;
    /// <summary>A new channel syncs gently (the login may still be running); after an interrupt, with Ctrl-C between tries.</summary>
    private SyncNeed needsSync = SyncNeed.Startup;
    private long receivedChars;
    /// <summary>True while <see cref="ExecuteAsync"/> holds the channel: only then does received output belong to anyone.</summary>
    private bool executing;
    /// <summary>Set when this side closes the channel, so that the answer to our close frame is not taken for the end of the session.</summary>
    private int closingLocally;

    private WebshChannel(WebSocket socket, WebshChannelInfo info, WebshOptions options)
    {
        this.socket = socket;
        Info = info;
        maxCapture = options.MaxCaptureChars;
        pingTimeout = options.PingTimeout;
        lastUsed = Stopwatch.GetTimestamp();
    }

    /// <summary>What the channel is (ids, where it goes, masked URL); never the secret.</summary>
    public WebshChannelInfo Info { get; }

    public string Id => Info.ChannelId;

    /// <summary>
    /// Until <see cref="Closed"/> says why it ended. Not the socket's own state: that changes first (a drop aborts
    /// the socket before its receive fails; a close frame arrives before the handshake is answered), and a channel
    /// seen closed in between would be reported without a reason, then disposed as if closed here.
    /// </summary>
    public bool IsOpen
    {
        get
        {
            lock (gate)
                return Closed is null;
        }
    }

    /// <summary>Why the channel ended, once it has; null while it is open.</summary>
    public WebshClosure? Closed { get; private set; }

    public TimeSpan IdleFor => Stopwatch.GetElapsedTime(Interlocked.Read(ref lastUsed));

    public int Executions => Volatile.Read(ref executions);

    /// <summary>
    /// Dials <paramref name="url"/> with the headers the real server expects: <c>User-Agent</c> (recorded as the
    /// session's user_agent) and <c>Origin</c> (the workspace's base URL); no Authorization, no subprotocol.
    /// </summary>
    public static async Task<WebshChannel> ConnectAsync(Uri url, WebshChannelInfo info, string origin, string userAgent, WebshOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(url);
        ArgumentNullException.ThrowIfNull(options);
        var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader("User-Agent", userAgent);
        socket.Options.SetRequestHeader("Origin", origin);
        // Ping frames that must be answered: a dead peer or a silently dropped connection ends the channel.
        socket.Options.KeepAliveInterval = options.PingInterval;
        socket.Options.KeepAliveTimeout = options.PingTimeout;
        socket.Options.CollectHttpResponseDetails = true;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.ConnectTimeout);
        try
        {
            await socket.ConnectAsync(url, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is WebSocketException or HttpRequestException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            var status = socket.HttpStatusCode is { } code and not 0 ? (int)code : (int?)null;
            socket.Dispose();
            var why = e is OperationCanceledException ? $"no answer within {options.ConnectTimeout.TotalSeconds:0} s"
                : status is { } s ? $"the server answered {s} instead of switching protocols" : e.Message;
            var hint = status is 404 or 403 or 401
                ? "The channel URL is unknown, used up or its session is closed: get a fresh one with websh_session_reconnect (or create a session)."
                : "Check that the workspace is reachable and the session open (websh_sessions_list), then retry.";
            throw new WebshException($"Could not open the Websh channel {info.ChannelId} ({info.MaskedUrl}): {why}.", hint, status, e);
        }
        return Start(socket, info, options);
    }

    private WebshException Busy(TimeSpan timeout) => new(
        $"Websh channel {Id} was busy with another command for the whole {timeout.TotalSeconds:0} s, so the command was not typed.",
        "Nothing ran. Retry once the other command has finished (or with a larger 'timeout'), or run it in a session of its own with websh_session_create.");

    /// <summary>A channel over a connected <paramref name="socket"/>: its receive loop starts at once.</summary>
    internal static WebshChannel Start(WebSocket socket, WebshChannelInfo info, WebshOptions options)
    {
        var channel = new WebshChannel(socket, info, options);
        channel.receiving = Task.Run(channel.ReceiveLoopAsync, CancellationToken.None);
        return channel;
    }

    /// <summary>
    /// Runs <paramref name="command"/> in the shell and waits for its end marker (never for silence). On timeout
    /// the command is interrupted with Ctrl-C so the shell stays usable, and what arrived is returned.
    /// <paramref name="timeout"/> runs from the call: the wait behind an earlier command on this channel and the wait
    /// for the shell to read lines (a new channel, or after an interrupt) count, so no call outlasts it.
    /// </summary>
    /// <exception cref="WebshChannelClosedException">The channel was dropped (not a clean end of the session).</exception>
    /// <exception cref="WebshException">The channel stayed busy or the shell was not ready within the timeout; the command was not typed.</exception>
    public async Task<WebshExecution> ExecuteAsync(string command, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        var queued = Stopwatch.GetTimestamp();
        var deadline = queued + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        if (!await executeGate.WaitAsync(timeout, cancellationToken).ConfigureAwait(false))
            throw Busy(timeout);
        lock (gate)
            executing = true;
        try
        {
            var started = Stopwatch.GetTimestamp();
            Touch();
            Interlocked.Increment(ref executions);
            ThrowIfClosed();
            if (Remaining(deadline) <= TimeSpan.Zero)
                throw Busy(timeout);
            // A command typed with no time left would only be interrupted at once: better not typed at all.
            if ((needsSync != SyncNeed.None && !await SyncAsync(deadline, cancellationToken).ConfigureAwait(false)) || Remaining(deadline) <= TimeSpan.Zero)
            {
                throw new WebshException(
                    $"The shell on Websh channel {Id} did not get ready within {timeout.TotalSeconds:0} s (it may still be logging in, or a program holds the terminal), so the command was not typed.",
                    "Nothing ran. Retry, with a larger 'timeout' if the login is slow; if a program holds the terminal and ignores Ctrl-C, create a new session with websh_session_create.");
            }
            var marker = Marker.Create();
            lock (gate)
                received.Clear(); // the prompt and anything left over belong to no command
            var keys = marker.Wrap(command);
            await SendAsync(keys, cancellationToken).ConfigureAwait(false);
            var outputStart = -1;
            var scanFrom = 0;
            var beginScan = 0;
            long droppedChars = 0, droppedLines = 0;
            while (true)
            {
                Task wait;
                string? text = null;
                WebshClosure? closed;
                lock (gate)
                {
                    closed = Closed;
                    if (outputStart < 0)
                    {
                        // Only the new text (and a marker's length before it) is searched: echo can be long.
                        var from = Math.Max(0, beginScan - marker.Begin.Length - 2);
                        var found = marker.FindOutputStart(received.ToString(from, received.Length - from));
                        if (found >= 0)
                            outputStart = scanFrom = from + found;
                        else
                            beginScan = received.Length;
                    }
                    if (outputStart >= 0)
                    {
                        var from = Math.Max(outputStart, scanFrom - marker.Overlap);
                        var tail = received.ToString(from, received.Length - from);
                        if (marker.FindEnd(tail, 0) is { } end)
                        {
                            var output = received.ToString(outputStart, from + end.Start - outputStart);
                            return Finish(output, end.ExitCode, timedOut: false, ended: false);
                        }
                        scanFrom = received.Length;
                        // Keep memory bounded on endless output: drop the middle, remember how much.
                        var excess = received.Length - outputStart - maxCapture;
                        if (excess > 0)
                        {
                            var cut = outputStart + (maxCapture / 4);
                            droppedLines += received.ToString(cut, excess).Count('\n');
                            received.Remove(cut, excess);
                            droppedChars += excess;
                            scanFrom -= excess;
                        }
                    }
                    if (closed is not null)
                        text = received.ToString();
                    wait = changed.Task;
                }
                if (closed is not null && text is not null)
                {
                    var partial = outputStart >= 0 ? text[Math.Min(outputStart, text.Length)..] : Unframed(text, keys);
                    if (closed.IsCleanEnd)
                        return Finish(partial, null, timedOut: false, ended: true);
                    throw new WebshChannelClosedException(Info, closed, TerminalText.Clean(partial).TrimEnd('\n'));
                }
                var remaining = deadline - Stopwatch.GetTimestamp();
                if (remaining <= 0)
                {
                    string partial;
                    lock (gate)
                    {
                        var all = received.ToString();
                        partial = outputStart >= 0 ? all[outputStart..] : Unframed(all, keys);
                    }
                    await InterruptAsync().ConfigureAwait(false);
                    return Finish(partial, null, timedOut: true, ended: false);
                }
                try
                {
                    await wait.WaitAsync(TimeSpan.FromSeconds(remaining / (double)Stopwatch.Frequency), cancellationToken).ConfigureAwait(false);
                }
                catch (TimeoutException)
                {
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    // The caller gave up: do not leave the command running behind the next caller's back.
                    await InterruptAsync().ConfigureAwait(false);
                    throw;
                }
            }

            WebshExecution Finish(string raw, int? exitCode, bool timedOut, bool ended)
            {
                var clean = TerminalText.Clean(raw).TrimEnd('\n');
                return new WebshExecution(clean, exitCode, timedOut, ended, Stopwatch.GetElapsedTime(started), Stopwatch.GetElapsedTime(queued, started), droppedChars, droppedLines);
            }
        }
        finally
        {
            lock (gate)
            {
                executing = false;
                TrimIdle();
            }
            Touch();
            executeGate.Release();
        }
    }

    /// <summary>
    /// Makes sure the shell reads lines before a command is typed: a bare marker line is typed until the shell prints
    /// it. On a new channel the login may still be running (profile scripts, a program that reads the terminal), so
    /// the first command waits for it, without interrupting anything. After an interrupt the dying program may still
    /// read what is typed next, so the line is retried with Ctrl-C between attempts. The marker does not prove that
    /// readline is reading again (bash prints it before going back to readline), which is why <see cref="Marker.Wrap"/>
    /// types only lines short enough for a terminal in canonical mode.
    /// </summary>
    /// <returns>False when <paramref name="deadline"/> passed first: the sync is still needed, by the next call.</returns>
    private async Task<bool> SyncAsync(long deadline, CancellationToken cancellationToken)
    {
        var startup = needsSync == SyncNeed.Startup;
        for (var attempt = 1; attempt <= (startup ? 1 : 4); attempt++)
        {
            if (!startup)
                await SettleAsync(deadline, cancellationToken).ConfigureAwait(false);
            var marker = Marker.Create();
            lock (gate)
                received.Clear();
            await SendAsync(marker.SyncLine(), cancellationToken).ConfigureAwait(false);
            var patience = TimeSpan.FromSeconds(startup ? 15 : attempt);
            if (await WaitForAsync(marker.Sync, Min(patience, Remaining(deadline)), cancellationToken).ConfigureAwait(false))
                break;
            if (Closed is not null)
                break;
            if (Remaining(deadline) <= TimeSpan.Zero)
                return false;
            if (startup)
                break;
            await SendAsync("\u0003", cancellationToken).ConfigureAwait(false);
        }
        // Without an answer (a program that ignores Ctrl-C) the command still goes ahead, and says so by timing out.
        needsSync = SyncNeed.None;
        return true;
    }

    private static TimeSpan Remaining(long deadline) =>
        TimeSpan.FromSeconds(Math.Max(0, deadline - Stopwatch.GetTimestamp()) / (double)Stopwatch.Frequency);

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    /// <summary>
    /// Waits until the terminal has printed nothing for a moment (at most 2 s, and not past the call's deadline):
    /// after Ctrl-C the shell prints ^C and its prompt, and keys typed before it has done so are lost. Not used to
    /// decide that a command has ended.
    /// </summary>
    private async Task SettleAsync(long deadline, CancellationToken cancellationToken)
    {
        var until = Math.Min(deadline, Stopwatch.GetTimestamp() + (2 * Stopwatch.Frequency));
        while (Stopwatch.GetTimestamp() < until)
        {
            long before;
            Task wait;
            lock (gate)
            {
                before = receivedChars;
                wait = changed.Task;
            }
            try
            {
                await wait.WaitAsync(Min(TimeSpan.FromMilliseconds(300), Remaining(until)), cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                return;
            }
            lock (gate)
            {
                if (Closed is not null || receivedChars == before)
                    return;
            }
        }
    }

    private async Task<bool> WaitForAsync(string text, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        while (true)
        {
            Task wait;
            lock (gate)
            {
                if (received.ToString().Contains(text, StringComparison.Ordinal))
                    return true;
                if (Closed is not null)
                    return false;
                wait = changed.Task;
            }
            var remaining = deadline - Stopwatch.GetTimestamp();
            if (remaining <= 0)
                return false;
            try
            {
                await wait.WaitAsync(TimeSpan.FromSeconds(remaining / (double)Stopwatch.Frequency), cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
            }
        }
    }

    /// <summary>Sends keystrokes as they are (a binary frame of UTF-8, as the Alpacon CLI does).</summary>
    public async Task SendAsync(string keys, CancellationToken cancellationToken = default)
    {
        ThrowIfClosed();
        var bytes = Encoding.UTF8.GetBytes(keys);
        await sendGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await socket.SendAsync(bytes, WebSocketMessageType.Binary, endOfMessage: true, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is WebSocketException or IOException or ObjectDisposedException)
        {
            MarkClosed(null, null, e);
            ThrowIfClosed();
            throw;
        }
        finally
        {
            sendGate.Release();
        }
    }

    /// <summary>Everything received and not consumed by a command (a banner, a prompt), cleaned; empties the buffer.</summary>
    public string TakePending()
    {
        lock (gate)
        {
            var text = received.ToString();
            received.Clear();
            return TerminalText.Clean(text);
        }
    }

    /// <summary>Waits until the channel has ended (or <paramref name="timeout"/> passes); true when it has.</summary>
    public async Task<bool> WaitClosedAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        try
        {
            await receiving.WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
        }
        return Closed is not null;
    }

    /// <summary>Closes the socket cleanly (1000); the session itself stays open on the server.</summary>
    public async ValueTask DisposeAsync()
    {
        Volatile.Write(ref closingLocally, 1);
        if (socket.State == WebSocketState.Open)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            try
            {
                await sendGate.WaitAsync(timeout.Token).ConfigureAwait(false);
                try
                {
                    await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "client closing", timeout.Token).ConfigureAwait(false);
                }
                finally
                {
                    sendGate.Release();
                }
                await receiving.WaitAsync(timeout.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is WebSocketException or OperationCanceledException or IOException or ObjectDisposedException)
            {
            }
        }
        MarkClosed((int)WebSocketCloseStatus.NormalClosure, null, null);
        await stopping.CancelAsync().ConfigureAwait(false);
        socket.Abort();
        socket.Dispose();
        try
        {
            await receiving.ConfigureAwait(false);
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or IOException or ObjectDisposedException)
        {
        }
    }

    /// <summary>Ends the channel at once without a close handshake (shutdown of a host that must not wait).</summary>
    public void Abort()
    {
        Volatile.Write(ref closingLocally, 1);
        MarkClosed((int)WebSocketCloseStatus.NormalClosure, null, null);
        stopping.Cancel();
        socket.Abort();
    }

    private async Task ReceiveLoopAsync()
    {
        var buffer = new byte[16 * 1024];
        var chars = new char[buffer.Length + 4];
        try
        {
            while (true)
            {
                var result = await socket.ReceiveAsync(buffer.AsMemory(), stopping.Token).ConfigureAwait(false);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    // Why it ended is known now; answering the handshake may wait for a send in progress.
                    MarkClosed((int?)socket.CloseStatus, socket.CloseStatusDescription, null);
                    try
                    {
                        await sendGate.WaitAsync(TimeSpan.FromSeconds(2)).ConfigureAwait(false);
                        try
                        {
                            if (socket.State == WebSocketState.CloseReceived)
                                await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "", CancellationToken.None).ConfigureAwait(false);
                        }
                        finally
                        {
                            sendGate.Release();
                        }
                    }
                    catch (Exception e) when (e is WebSocketException or IOException or ObjectDisposedException)
                    {
                    }
                    return;
                }
                // Text and binary frames both carry terminal bytes; a character may be split across frames.
                var n = decoder.GetChars(buffer, 0, result.Count, chars, 0, flush: false);
                lock (gate)
                {
                    received.Append(chars, 0, n);
                    receivedChars += n;
                    TrimIdle();
                    Signal();
                }
            }
        }
        catch (Exception e) when (e is WebSocketException or IOException or ObjectDisposedException or OperationCanceledException)
        {
            MarkClosed(null, null, e);
        }
    }

    private void MarkClosed(int? code, string? reason, Exception? failure)
    {
        lock (gate)
        {
            Closed ??= new WebshClosure(code, string.IsNullOrEmpty(reason) ? null : reason, failure is null ? null : Describe(failure), Volatile.Read(ref closingLocally) != 0);
            Signal();
        }
    }

    private string Describe(Exception e) => e switch
    {
        WebSocketException { WebSocketErrorCode: WebSocketError.ConnectionClosedPrematurely } => "the connection was dropped without a close frame",
        WebSocketException w when w.InnerException?.Message is { Length: > 0 } inner => inner,
        // When a ping goes unanswered .NET aborts the socket: the waiting receive ends as cancelled ("Aborted"), with
        // the missed pong as a WebSocketException inside. Nothing else aborts it while we are not closing it ourselves.
        OperationCanceledException when Volatile.Read(ref closingLocally) == 0 && Contains<WebSocketException>(e.InnerException) =>
            $"no answer to a ping within {pingTimeout.TotalSeconds:0.#} s: the server or the network stopped responding",
        OperationCanceledException => "the connection was aborted (no answer to pings, or closed locally)",
        _ => e.Message,
    };

    private static bool Contains<T>(Exception? e)
        where T : Exception => e switch
        {
            null => false,
            T => true,
            AggregateException all => all.InnerExceptions.Any(Contains<T>),
            _ => Contains<T>(e.InnerException),
        };

    /// <summary>
    /// Between commands nothing consumes what arrives (a background job or a <c>tail -f &amp;</c> may print for hours),
    /// so only a tail is kept: the next command clears the buffer before it types anything, and its sync looks only at
    /// what arrives after that. Called under <see cref="gate"/>; while a command runs, it bounds the buffer itself.
    /// </summary>
    private void TrimIdle()
    {
        if (!executing && received.Length > IdleLimitChars)
            received.Remove(0, received.Length - IdleTailChars);
    }

    private void Signal()
    {
        var previous = changed;
        changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        previous.TrySetResult();
    }

    private async Task InterruptAsync()
    {
        needsSync = SyncNeed.AfterInterrupt;
        try
        {
            if (IsOpen)
                await SendAsync("\u0003", CancellationToken.None).ConfigureAwait(false);
        }
        catch (WebshException)
        {
        }
    }

    private void ThrowIfClosed()
    {
        if (Closed is { } closed)
            throw new WebshChannelClosedException(Info, closed, null);
    }

    private void Touch() => Interlocked.Exchange(ref lastUsed, Stopwatch.GetTimestamp());

    /// <summary>What arrived when no marker framed it: the visible text minus the echo of what we typed and prompts.</summary>
    private static string Unframed(string raw, string keys)
    {
        var lines = keys.Split('\r', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimStart('\u0015', ' ')).ToList();
        var text = TerminalText.RemoveEchoAndPrompts(TerminalText.Clean(raw), lines);
        // Our own framing never belongs in a result.
        return string.Join('\n', text.Split('\n').Where(l => !l.Contains("__ALPMCP_", StringComparison.Ordinal)));
    }
}

internal enum SyncNeed
{
    None,
    Startup,
    AfterInterrupt,
}

/// <summary>Identity of a channel, safe to show: ids, workspace and the masked URL.</summary>
public sealed record WebshChannelInfo(string ChannelId, string? SessionId, string Region, string Workspace, string MaskedUrl, DateTimeOffset ConnectedAt);

/// <summary>How a channel ended: the close code and reason the server sent, or the failure that dropped it.</summary>
/// <param name="Code">The close code received (or, closed here, the one sent).</param>
/// <param name="Reason">The close reason received, if any.</param>
/// <param name="Failure">Why the connection failed, when it ended without a close handshake.</param>
/// <param name="Local">
/// alpacon-mcp closed it (disconnect, replaced by a reconnect, idle, shutdown): whatever code came back, this says
/// nothing about the session, which goes on.
/// </param>
public sealed record WebshClosure(int? Code, string? Reason, string? Failure, bool Local = false)
{
    /// <summary>4000 (session ended), 1000 and 1001 from the server are a clean end, as the Alpacon CLI treats them.</summary>
    public bool IsCleanEnd => !Local && Code is WebshChannel.SessionEndedCode or 1000 or 1001 && Failure is null;

    public override string ToString() =>
        Local ? "closed by alpacon-mcp"
            : Failure ?? (Code is { } c ? $"closed with code {c}{(Reason is null ? "" : $" ({Reason})")}" : "closed");
}

/// <summary>The outcome of one command on a channel.</summary>
/// <param name="Output">What the command printed, cleaned of terminal controls, echo and prompts; not yet budgeted.</param>
/// <param name="ExitCode">The exit status, or null when it is unknown (timeout, session ended).</param>
/// <param name="TimedOut">The marker did not arrive in time; the command was interrupted with Ctrl-C.</param>
/// <param name="SessionEnded">The session ended while the command ran (e.g. <c>exit</c>).</param>
/// <param name="Duration">From taking the channel to the command's end marker, the wait for the shell to be ready included.</param>
/// <param name="Queued">Time spent waiting for an earlier command on the same channel.</param>
/// <param name="DroppedChars">Characters dropped from the middle while reading, to bound memory.</param>
/// <param name="DroppedLines">Line breaks among them.</param>
public sealed record WebshExecution(string Output, int? ExitCode, bool TimedOut, bool SessionEnded, TimeSpan Duration, TimeSpan Queued, long DroppedChars, long DroppedLines);

/// <summary>A Websh channel could not be opened or used; <see cref="Hint"/> says what to do next.</summary>
public class WebshException(string message, string? hint = null, int? statusCode = null, Exception? inner = null) : Exception(message, inner)
{
    public string? Hint { get; } = hint;

    public int? StatusCode { get; } = statusCode;
}

/// <summary>The channel ended before or while a command ran.</summary>
public sealed class WebshChannelClosedException(WebshChannelInfo channel, WebshClosure closure, string? partialOutput)
    : WebshException(
        $"Websh channel {channel.ChannelId} is closed: {closure}." + (closure.IsCleanEnd ? " The session has ended." : ""),
        closure.Local
            ? partialOutput is null
                ? "This server closed the channel (websh_session_reconnect replaced it, or it was disconnected); the session goes on. websh_command_execute uses the session's current channel."
                : "This server closed the channel while the command ran (websh_session_reconnect replaced it, or it was disconnected): the command may still be running in the session's shell. Check its effects before running it again."
        : closure.IsCleanEnd
            ? "The session has ended (exit, close or idle timeout). Create a new one with websh_session_create."
            : partialOutput is null
                ? "The connection dropped. websh_command_execute opens a new channel by itself; otherwise use websh_session_reconnect."
                : "The connection dropped while the command ran: it may or may not have finished. Check its effects before running it again; websh_command_execute opens a new channel by itself.")
{
    public WebshChannelInfo Channel { get; } = channel;

    public WebshClosure Closure { get; } = closure;

    /// <summary>What the command printed before the channel ended; null when the command was never sent.</summary>
    public string? PartialOutput { get; } = partialOutput;
}
