using System.Net.WebSockets;
using System.Text.RegularExpressions;
using Alpacon.Api.Websh;

namespace Alpacon.Api.Tests;

/// <summary>How a channel reports its end, step by step, on a socket the test drives.</summary>
public sealed partial class WebshChannelTests
{
    private const string Prompt = "\u001b[01;32mjane@web-01\u001b[00m:\u001b[01;34m~\u001b[00m$ ";

    private static readonly WebshChannelInfo Info = new("ch-1", "s-1", "ap1", "acme", "wss://host/ws/websh/ch-1/…/", DateTimeOffset.UnixEpoch);

    /// <summary>A bound for waiting on the channel's own loop; never an assertion on time.</summary>
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(5)]
    [InlineData(17)]
    [InlineData(4096)]
    public async Task Execute_TerminalOutputInFramesOfAnySize_GivesTheSameOutputAndStatus(int frameBytes)
    {
        // A terminal that answers what is typed: echo, then what the shell prints, then its prompt, all of it cut into
        // frames of frameBytes bytes (markers, escape sequences and UTF-8 characters included).
        var socket = new ScriptedWebSocket();
        ActAsTerminal(socket, nonce => Finished(nonce, "out 한글✓\r\nsecond line\r\n", 7), frameBytes);
        await using var channel = WebshChannel.Start(socket, Info, new WebshOptions());
        socket.Output("Welcome\r\n" + Prompt, frameBytes);

        // The first call syncs with the shell first; the second types its command at once.
        foreach (var _ in new[] { "first", "second" })
        {
            var result = await channel.ExecuteAsync("echo out 한글✓; echo second line; (exit 7)", Bound, CancellationToken.None);
            Assert.False(result.TimedOut);
            Assert.Equal("out 한글✓\nsecond line", result.Output);
            Assert.Equal(7, result.ExitCode);
        }
    }

    /// <summary>
    /// Makes <paramref name="socket"/> answer what is typed as a terminal does: the echo, then for a sync line its
    /// marker and a prompt, for a command its begin marker and what <paramref name="run"/> prints for the command's
    /// nonce (<see cref="Finished"/> ends it). Every key sent is added to <paramref name="typed"/>; while
    /// <paramref name="ready"/> says no, the shell answers nothing.
    /// </summary>
    private static void ActAsTerminal(ScriptedWebSocket socket, Func<string, string> run, int frameBytes = 4096, System.Collections.Concurrent.ConcurrentQueue<string>? typed = null, Func<bool>? ready = null)
    {
        socket.OnSend = keys =>
        {
            typed?.Enqueue(keys);
            if (ready is not null && !ready())
                return;
            var echo = keys.TrimStart('\u0015').Replace("\r", "\r\n", StringComparison.Ordinal);
            if (SyncNonce().Match(keys) is { Success: true } sync)
                socket.Output($"{echo}__ALPMCP_{sync.Groups[1].Value}_S__\r\n{Prompt}", frameBytes);
            else if (BeginNonce().Match(keys) is { Success: true } begin)
                socket.Output($"{echo}__ALPMCP_{begin.Groups[1].Value}_B__\r\n{run(begin.Groups[1].Value)}", frameBytes);
        };
    }

    /// <summary>What a command prints after <paramref name="output"/> (CRLF lines) to end with <paramref name="status"/>: its end marker and a prompt.</summary>
    private static string Finished(string nonce, string output, int status) => $"{output}\r\n__ALPMCP_{nonce}_{status}__\r\n{Prompt}";

    [GeneratedRegex(@"printf '__ALPMCP_%s_S__\\n' ([0-9a-f]+)\r")]
    private static partial Regex SyncNonce();

    [GeneratedRegex(@"printf '__ALPMCP_%s_B__\\n' ([0-9a-f]+);")]
    private static partial Regex BeginNonce();

    [Fact]
    public async Task OutputWhileNoCommandRuns_KeepsOnlyASmallTail_AndTheNextCommandStillRuns()
    {
        var socket = new ScriptedWebSocket();
        ActAsTerminal(socket, nonce => Finished(nonce, "out\r\n", 0));
        await using var channel = WebshChannel.Start(socket, Info, new WebshOptions());
        socket.Output("Welcome\r\n" + Prompt, 4096);
        Assert.Equal("out", (await channel.ExecuteAsync("echo out", Bound, CancellationToken.None)).Output);

        // A background job prints 1.5 MB between two commands, and again after the second.
        var background = string.Concat(Enumerable.Range(1, 100_000).Select(i => $"background {i}\r\n"));
        socket.Output(background, 4096);
        Assert.Equal("out", (await channel.ExecuteAsync("echo out", Bound, CancellationToken.None)).Output);
        socket.Output(background, 4096);
        socket.ReleaseCloseOutput.SetResult();
        socket.ReceiveClose(4000, "session ended");
        Assert.True(await channel.WaitClosedAsync(Bound)); // the receive loop has taken every frame before the close

        var pending = channel.TakePending();
        Assert.InRange(pending.Length, 1, WebshChannel.IdleLimitChars);
        Assert.EndsWith("background 100000", pending.TrimEnd('\n'), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Timeout_CountsTheWaitForTheShell_WhichGetsNoCommandIfItIsNotReadyInTime()
    {
        // A login that takes its time: the shell answers nothing until the test lets it. The sync alone used to wait up
        // to 15 s whatever the timeout, and then the command was typed with a whole timeout of its own.
        var socket = new ScriptedWebSocket();
        var sent = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var ready = false;
        ActAsTerminal(socket, nonce => Finished(nonce, "out\r\n", 0), typed: sent, ready: () => Volatile.Read(ref ready));
        await using var channel = WebshChannel.Start(socket, Info, new WebshOptions());

        var notReady = await Assert.ThrowsAsync<WebshException>(() => channel.ExecuteAsync("echo out", TimeSpan.FromSeconds(1), CancellationToken.None));
        Assert.IsNotType<WebshChannelClosedException>(notReady);
        Assert.Contains("not typed", notReady.Message, StringComparison.Ordinal);
        Assert.Contains("Nothing ran", notReady.Hint, StringComparison.Ordinal);
        Assert.All(sent, keys => Assert.Matches(SyncNonce(), keys)); // only sync lines: the command never went out
        Assert.True(channel.IsOpen);

        // Once the shell answers, the next call syncs again and runs the command.
        Volatile.Write(ref ready, true);
        var result = await channel.ExecuteAsync("echo out", Bound, CancellationToken.None);
        Assert.Equal("out", result.Output);
        Assert.Equal(0, result.ExitCode);
    }

    [Fact]
    public async Task Timeout_CountsTheWaitBehindAnEarlierCommand_WhichLeavesTheLaterOneUntyped()
    {
        // The first command runs until the test ends it; a second call on the channel queues behind it. Its timeout
        // runs from the call, so it fails when the time is up rather than waiting for the first command however long.
        var socket = new ScriptedWebSocket();
        var sent = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var running = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        ActAsTerminal(socket, nonce =>
        {
            running.TrySetResult(nonce);
            return "working\r\n";
        }, typed: sent);
        await using var channel = WebshChannel.Start(socket, Info, new WebshOptions());
        socket.Output("Welcome\r\n" + Prompt, 4096);

        var first = channel.ExecuteAsync("long-job", Bound, CancellationToken.None);
        var nonce = await running.Task.WaitAsync(Bound);
        var typed = sent.Count;
        var busy = await Assert.ThrowsAsync<WebshException>(() => channel.ExecuteAsync("echo later", TimeSpan.FromMilliseconds(200), CancellationToken.None).WaitAsync(Bound));
        Assert.Contains("busy with another command", busy.Message, StringComparison.Ordinal);
        Assert.Contains("not typed", busy.Message, StringComparison.Ordinal);
        Assert.Contains("Nothing ran", busy.Hint, StringComparison.Ordinal);
        Assert.Equal(typed, sent.Count); // nothing went out for the later call
        Assert.DoesNotContain(sent, keys => keys.Contains("echo later", StringComparison.Ordinal));

        // The first command is untouched by the later call's timeout: it ends normally.
        socket.Output(Finished(nonce, "done\r\n", 0), 4096);
        var result = await first.WaitAsync(Bound);
        Assert.Equal("working\ndone", result.Output);
        Assert.Equal(0, result.ExitCode);
    }

    [Fact]
    public async Task Drop_SocketAbortedBeforeItsReceiveFails_ChannelIsNeverClosedWithoutAReason()
    {
        var socket = new ScriptedWebSocket();
        var channel = WebshChannel.Start(socket, Info, new WebshOptions());

        // A dropped connection aborts the socket first; its pending receive fails a moment later. A pool that looks in
        // between must not find a channel that is closed but cannot say why (it used to, and then disposing it
        // recorded "closed by alpacon-mcp", a clean end, instead of the drop).
        socket.SetState(WebSocketState.Aborted);
        Assert.True(channel.IsOpen || channel.Closed is not null, "closed without a reason");

        socket.FailReceive(new WebSocketException(WebSocketError.ConnectionClosedPrematurely));
        Assert.True(await channel.WaitClosedAsync(Bound));
        await channel.DisposeAsync();

        Assert.False(channel.IsOpen);
        Assert.Contains("dropped", channel.Closed!.ToString(), StringComparison.Ordinal);
        Assert.False(channel.Closed.IsCleanEnd);
    }

    [Fact]
    public async Task ClosedHere_WhileACommandRuns_IsNotTheEndOfTheSession()
    {
        // websh_session_reconnect closes the channel it replaces; the server answers our close frame with 1000, which
        // must not read as the session ending (the command goes on in the shell).
        var socket = new ScriptedWebSocket();
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        ActAsTerminal(socket, _ =>
        {
            started.TrySetResult();
            return "started\r\n";
        });
        var channel = WebshChannel.Start(socket, Info, new WebshOptions());
        socket.Output(Prompt, 4096);
        var running = channel.ExecuteAsync("echo started; sleep 60", Bound, CancellationToken.None);
        await started.Task.WaitAsync(Bound);

        await channel.DisposeAsync();

        var closed = await Assert.ThrowsAsync<WebshChannelClosedException>(() => running);
        Assert.True(closed.Closure.Local);
        Assert.False(closed.Closure.IsCleanEnd);
        Assert.Equal("started", closed.PartialOutput);
        Assert.Contains("closed by alpacon-mcp", closed.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("session has ended", closed.Message, StringComparison.Ordinal);
        Assert.Contains("may still be running", closed.Hint, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SessionEnded_CloseFrameWhileTheHandshakeIsAnswered_Reports4000AtOnce()
    {
        var socket = new ScriptedWebSocket();
        var channel = WebshChannel.Start(socket, Info, new WebshOptions());

        socket.ReceiveClose(4000, "session ended");
        await socket.ClosingOutput.Task.WaitAsync(Bound);

        // The answer to the close frame has not gone out yet, but the end is known: 4000, a clean end of the session.
        Assert.False(channel.IsOpen);
        Assert.Equal(4000, channel.Closed?.Code);
        socket.ReleaseCloseOutput.SetResult();
        Assert.True(await channel.WaitClosedAsync(Bound));
        await channel.DisposeAsync();
        Assert.Equal(4000, channel.Closed!.Code);
        Assert.True(channel.Closed.IsCleanEnd);
    }
}
