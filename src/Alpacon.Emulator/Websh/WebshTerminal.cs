using System.Net.WebSockets;

namespace Alpacon.Emulator.Websh;

/// <summary>
/// A session's PTY: the shell (started on the first connection), the connected user channels, the broadcast of
/// output to all of them, and the idle timer. Output goes out as binary frames of at most 4 KB cut at any byte,
/// so a UTF-8 character may be split across frames as on the real server (text frames, when configured, are cut
/// at character boundaries because a text frame must be valid UTF-8).
/// </summary>
internal sealed class WebshTerminal
{
    private const int FrameBytes = 4096;
    private readonly WebshStore store;
    private readonly WebshSession session;
    private readonly TimeSpan? idleTimeout;
    private readonly ITimer? idle;
    private readonly List<WebshConnection> connections = [];
    private readonly Lock gate = new();
    private readonly System.Text.Decoder recentDecoder = new System.Text.UTF8Encoding(false).GetDecoder();
    private readonly System.Text.StringBuilder recent = new();
    private IWebshShell? shell;
    private bool closed;

    public WebshTerminal(WebshStore store, WebshSession session, TimeSpan? idleTimeout)
    {
        this.store = store;
        this.session = session;
        this.idleTimeout = idleTimeout;
        if (idleTimeout is { } timeout)
            idle = store.World.Time.CreateTimer(_ => _ = Task.Run(() => store.CloseSessionAsync(session.Id, WebshConnection.SessionEnded, "idle timeout")), null, timeout, Timeout.InfiniteTimeSpan);
    }

    public string RecentOutput
    {
        get
        {
            lock (gate)
                return recent.ToString();
        }
    }

    /// <summary>Adds a connection; the first one starts the shell (banner and prompt go to it).</summary>
    public bool Attach(WebshConnection connection)
    {
        IWebshShell? starting = null;
        lock (gate)
        {
            if (closed)
                return false;
            connections.Add(connection);
            if (shell is null)
                shell = starting = store.CreateShell(session);
        }
        Activity();
        starting?.Start(BroadcastAsync, () => _ = Task.Run(() => store.CloseSessionAsync(session.Id)));
        return true;
    }

    public void Detach(WebshConnection connection)
    {
        lock (gate)
            connections.Remove(connection);
    }

    public async ValueTask InputAsync(ReadOnlyMemory<byte> keys, CancellationToken cancellationToken)
    {
        Activity();
        IWebshShell? target;
        lock (gate)
            target = shell;
        if (target is not null)
            await target.InputAsync(keys, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Drops the channel's connections now, or (<paramref name="beforeNextMessage"/>) at their next message.</summary>
    public int Drop(string channelId, bool beforeNextMessage)
    {
        List<WebshConnection> dropped;
        lock (gate)
        {
            dropped = [.. connections.Where(c => c.Channel.Id == channelId)];
            if (!beforeNextMessage)
            {
                foreach (var c in dropped)
                    connections.Remove(c);
            }
        }
        foreach (var c in dropped)
        {
            if (beforeNextMessage)
                c.DropBeforeNextMessage();
            else
                c.Abort();
        }
        return dropped.Count;
    }

    /// <summary>Makes the channel's connections stop reading after the next message each receives; how many there are.</summary>
    public int Stall(string channelId)
    {
        List<WebshConnection> stalled;
        lock (gate)
            stalled = [.. connections.Where(c => c.Channel.Id == channelId)];
        foreach (var c in stalled)
            c.StallAfterNextMessage();
        return stalled.Count;
    }

    public async Task CloseAsync(int code, string reason)
    {
        List<WebshConnection> all;
        IWebshShell? ending;
        lock (gate)
        {
            if (closed)
                return;
            closed = true;
            all = [.. connections];
            connections.Clear();
            ending = shell;
        }
        idle?.Dispose();
        await Task.WhenAll(all.Select(c => c.CloseAsync(code, reason))).ConfigureAwait(false);
        if (ending is not null)
            await ending.DisposeAsync().ConfigureAwait(false);
    }

    private async ValueTask BroadcastAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
    {
        Activity();
        List<WebshConnection> targets;
        lock (gate)
            targets = [.. connections];
        var text = store.Options.WebshTextFrames;
        foreach (var connection in targets)
        {
            try
            {
                for (var offset = 0; offset < bytes.Length;)
                {
                    var length = Math.Min(FrameBytes, bytes.Length - offset);
                    if (text)
                    {
                        // Back up to a character boundary: continuation bytes are 10xxxxxx.
                        while (offset + length < bytes.Length && length > 1 && (bytes.Span[offset + length] & 0xC0) == 0x80)
                            length--;
                    }
                    await connection.SendAsync(bytes.Slice(offset, length), text ? WebSocketMessageType.Text : WebSocketMessageType.Binary, cancellationToken).ConfigureAwait(false);
                    offset += length;
                }
            }
            catch (Exception e) when (e is WebSocketException or IOException or ObjectDisposedException or OperationCanceledException)
            {
                Detach(connection);
            }
        }
        // Recorded once sent: a test that sees output here and then drops a connection before its next message knows
        // that this output went out before the drop.
        lock (gate)
        {
            var chars = new char[bytes.Length + 4];
            recent.Append(chars, 0, recentDecoder.GetChars(bytes.Span, chars, flush: false));
            if (recent.Length > 8192)
                recent.Remove(0, recent.Length - 4096);
        }
    }

    private void Activity()
    {
        if (idleTimeout is { } timeout)
            idle?.Change(timeout, Timeout.InfiniteTimeSpan);
    }
}

/// <summary>One accepted WebSocket of a user channel.</summary>
/// <param name="dropAfterMessages">
/// Fault injection (<c>websocket_drop</c>): once this many messages have been sent, the connection is dropped without
/// a close frame at its next message either way; null for a healthy connection.
/// </param>
internal sealed class WebshConnection(WebSocket socket, HttpContext context, WebshUserChannel channel, int? dropAfterMessages = null)
{
    /// <summary>Close code of a session that ended (exit, close, idle timeout); clients treat it as a clean end.</summary>
    public const int SessionEnded = 4000;

    private readonly SemaphoreSlim send = new(1, 1);
    private readonly TaskCompletionSource finished = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock dropGate = new();
    private int sent;
    private int? dropAfter = dropAfterMessages;
    private int stall;

    public WebshUserChannel Channel => channel;

    /// <summary>Fault injection: the connection is dropped at its next message either way, not before.</summary>
    public void DropBeforeNextMessage()
    {
        lock (dropGate)
            dropAfter = sent;
    }

    /// <summary>
    /// Fault injection: once the endpoint has handled the next message it receives, it stops reading (see
    /// <see cref="StallDue"/>). Not at once: a receive is already waiting, and taking it back would abort the socket.
    /// </summary>
    public void StallAfterNextMessage() => Volatile.Write(ref stall, 1);

    /// <summary>
    /// The endpoint must stop calling ReceiveAsync, as a peer that hangs would: pings are answered only inside
    /// ReceiveAsync, so they go unanswered while output is still sent, and only the client's ping timeout notices.
    /// </summary>
    public bool StallDue => Volatile.Read(ref stall) != 0;

    /// <summary>
    /// Called before each message either way: aborts the connection when a planned drop is due. The drop waits for
    /// the next message rather than following the last one at once: an abort resets the connection, which discards
    /// frames still in flight, so the client would not reliably get the messages the drop was planned after.
    /// </summary>
    public bool DropIfDue()
    {
        lock (dropGate)
        {
            if (dropAfter is not { } limit || sent < limit)
                return false;
        }
        Abort();
        return true;
    }

    public WebSocket Socket => socket;

    /// <summary>Called by the endpoint when its receive loop is over.</summary>
    public void Finished() => finished.TrySetResult();

    public async Task SendAsync(ReadOnlyMemory<byte> bytes, WebSocketMessageType type, CancellationToken cancellationToken)
    {
        await send.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (socket.State == WebSocketState.Open && !DropIfDue())
            {
                await socket.SendAsync(bytes, type, endOfMessage: true, cancellationToken).ConfigureAwait(false);
                lock (dropGate)
                    sent++;
            }
        }
        finally
        {
            send.Release();
        }
    }

    /// <summary>Sends the close frame and waits briefly for the client's answer; a client that does not answer is cut off.</summary>
    public async Task CloseAsync(int code, string reason)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        try
        {
            await send.WaitAsync(timeout.Token).ConfigureAwait(false);
            try
            {
                if (socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
                    await socket.CloseOutputAsync((WebSocketCloseStatus)code, reason, timeout.Token).ConfigureAwait(false);
            }
            finally
            {
                send.Release();
            }
            await finished.Task.WaitAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is WebSocketException or IOException or ObjectDisposedException or OperationCanceledException)
        {
            Abort();
        }
    }

    /// <summary>Drops the TCP connection with no close frame.</summary>
    public void Abort()
    {
        context.Abort();
        socket.Abort();
    }
}
