using System.Net;
using System.Net.WebSockets;
using System.Text;
using Alpacon.Api;
using Alpacon.Api.Configuration;
using Alpacon.Api.Websh;
using Alpacon.Emulator;
using Alpacon.Emulator.Core;
using Alpacon.Emulator.Faults;
using Alpacon.Emulator.Websh;
using Alpacon.Mcp.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using static Alpacon.Mcp.Tests.Infrastructure.McpHarness;

namespace Alpacon.Mcp.Tests.Websh;

/// <summary>The emulator's Websh terminal speaks §3 of the API contract, byte for byte.</summary>
[Collection(EmulatorCollection.Name)]
public sealed class WebshEmulatorProtocolTests(EmulatorFixture emulator)
{
    private static readonly string Web01 = Seed.ServerId("web-01");

    private WebshStore Store => emulator.Emulator.Services.GetRequiredService<WebshStore>();

    /// <summary>A session made over REST only, so the first WebSocket below is the one that starts its shell.</summary>
    private Task<(string Session, string Url)> NewSessionAsync() => NewSessionAsync(emulator);

    private static async Task<(string Session, string Url)> NewSessionAsync(EmulatorFixture emulator)
    {
        using var http = new HttpClient();
        var ws = new WorkspaceTarget("ap1", "acme", emulator.BaseUrl, EmulatorFixture.TestToken, TokenSource.Environment, true);
        var created = (await new WebshClient(new Alpacon.Api.Http.AlpaconHttp(http)).CreateSessionAsync(ws, Web01, null))!;
        return ((string)created["id"]!, (string)created["websocket_url"]!);
    }

    private static async Task<ClientWebSocket> DialAsync(string url)
    {
        var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        socket.Options.SetRequestHeader("User-Agent", "protocol-test/1.0");
        await socket.ConnectAsync(new Uri(url), CancellationToken.None);
        return socket;
    }

    /// <summary>Reads frames until <paramref name="until"/> appears in the decoded text (bounded), recording frame types.</summary>
    private static async Task<(string Text, List<WebSocketMessageType> Types)> ReadUntilAsync(ClientWebSocket socket, string until)
    {
        var decoder = new UTF8Encoding(false).GetDecoder();
        var text = new StringBuilder();
        var types = new List<WebSocketMessageType>();
        var buffer = new byte[65536];
        var chars = new char[buffer.Length + 4];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (!text.ToString().Contains(until, StringComparison.Ordinal))
        {
            var r = await socket.ReceiveAsync(buffer, timeout.Token);
            types.Add(r.MessageType);
            if (r.MessageType == WebSocketMessageType.Close)
                break;
            text.Append(chars, 0, decoder.GetChars(buffer, 0, r.Count, chars, 0, false));
        }
        return (text.ToString(), types);
    }

    private static Task SendAsync(ClientWebSocket socket, string keys) =>
        socket.SendAsync(Encoding.UTF8.GetBytes(keys), WebSocketMessageType.Binary, true, CancellationToken.None);

    [Fact]
    public async Task Terminal_SendsBannerColouredPrompt_EchoesInput_AndAnswersWithCrlfInBinaryFrames()
    {
        var (session, url) = await NewSessionAsync();
        using var socket = await DialAsync(url);
        Assert.Null(socket.SubProtocol);
        var (_, types) = await ReadUntilAsync(socket, "$ ");
        Assert.All(types, t => Assert.Equal(WebSocketMessageType.Binary, t));
        await SendAsync(socket, "echo hi there\r");
        var (text, _) = await ReadUntilAsync(socket, "hi there\r\n\u001b[01;32m");
        Assert.Contains("echo hi there\r\nhi there\r\n\u001b[01;32mjane@web-01\u001b[00m:\u001b[01;34m~\u001b[00m$ ", text, StringComparison.Ordinal);
        Assert.Equal("protocol-test/1.0", Store.FindSession(session)!.UserAgent);
    }

    [Fact]
    public async Task FirstConnection_GetsTheLoginBanner_LaterOnesOnlyWhatFollows()
    {
        var (session, url) = await NewSessionAsync();
        using var first = await DialAsync(url);
        var (banner, _) = await ReadUntilAsync(first, "$ ");
        Assert.StartsWith("Welcome to Ubuntu", banner, StringComparison.Ordinal);
        Assert.Contains("Last login:", banner, StringComparison.Ordinal);
        var second = Store.AddUserChannel(session, isMaster: true, readOnly: false)!;
        using var other = await DialAsync(second.WebSocketUrl(emulator.BaseUrl.AbsoluteUri.TrimEnd('/')));
        await SendAsync(first, "echo shared\r");
        var (seen, _) = await ReadUntilAsync(other, "shared\r\n");
        Assert.DoesNotContain("Welcome", seen, StringComparison.Ordinal);
        Assert.StartsWith("echo shared", seen, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadOnlyChannel_SeesOutput_ButItsKeysAreDropped()
    {
        var (session, url) = await NewSessionAsync();
        using var writer = await DialAsync(url);
        await ReadUntilAsync(writer, "$ ");
        var watcher = Store.AddUserChannel(session, isMaster: false, readOnly: true)!;
        using var watch = await DialAsync(watcher.WebSocketUrl(emulator.BaseUrl.AbsoluteUri.TrimEnd('/')));
        await SendAsync(watch, "echo from-watcher\r");
        await SendAsync(writer, "echo from-writer\r");
        var (text, _) = await ReadUntilAsync(watch, "from-writer\r\n");
        Assert.DoesNotContain("from-watcher", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Exit_ClosesEveryChannelWith4000_AndTheUrlStopsWorking()
    {
        var (session, url) = await NewSessionAsync();
        using var socket = await DialAsync(url);
        await ReadUntilAsync(socket, "$ ");
        await SendAsync(socket, "exit\r");
        var (text, types) = await ReadUntilAsync(socket, "\u0000never");
        Assert.Contains("logout", text, StringComparison.Ordinal);
        Assert.Equal(WebSocketMessageType.Close, types[^1]);
        Assert.Equal(4000, (int?)socket.CloseStatus);
        Assert.NotNull(Store.FindSession(session)!.ClosedAt);

        using var again = new ClientWebSocket();
        again.Options.CollectHttpResponseDetails = true;
        await Assert.ThrowsAsync<WebSocketException>(() => again.ConnectAsync(new Uri(url), CancellationToken.None));
        Assert.Equal(HttpStatusCode.NotFound, again.HttpStatusCode);
    }

    [Fact]
    public async Task WebSocketDropFault_EndsTheConnectionWithoutACloseFrame_AfterTheGivenMessages()
    {
        var (session, url) = await NewSessionAsync();
        var channel = WebshUrls.ChannelId(new Uri(url))!;
        // Only this channel's socket: other tests share the emulator.
        using var fault = emulator.Emulator.Faults.Add(new FaultRule(FaultKind.WebSocketDrop, $"/ws/websh/{channel}/") { Count = 1, AfterMessages = 3 });
        using var socket = await DialAsync(url);
        Assert.Equal(1, fault.Hits);

        // Message 1 is the banner and prompt, 2 the echo of the line, 3 its first output; the connection dies when the
        // next one is due, so the three arrive and nothing after them.
        await ReadUntilAsync(socket, "$ ");
        await SendAsync(socket, "echo $((40+2)); sleep 1; echo late\r");
        var (text, types) = await ReadUntilAsync(socket, "42\r\n");
        Assert.DoesNotContain(WebSocketMessageType.Close, types);
        Assert.EndsWith("42\r\n", text, StringComparison.Ordinal);
        var dropped = await Assert.ThrowsAsync<WebSocketException>(() => socket.ReceiveAsync(new byte[1024], CancellationToken.None));
        Assert.Equal(WebSocketError.ConnectionClosedPrematurely, dropped.WebSocketErrorCode);
        Assert.Null(socket.CloseStatus);
        Assert.Null(Store.FindSession(session)!.ClosedAt); // a dropped connection leaves the session open
    }

    [Fact]
    public async Task UnknownToken_IsRefusedWith404()
    {
        var (_, url) = await NewSessionAsync();
        using var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        // Change the token's last character; always to another one (a random token ends in 'x' one time in 64).
        var wrong = url[..^2] + (url[^2] == 'x' ? "y/" : "x/");
        await Assert.ThrowsAsync<WebSocketException>(() => socket.ConnectAsync(new Uri(wrong), CancellationToken.None));
        Assert.Equal(HttpStatusCode.NotFound, socket.HttpStatusCode);
    }

    [Fact]
    public async Task CtrlC_InterruptsTheRunningLine_AndBackspaceEdits()
    {
        var (_, url) = await NewSessionAsync();
        using var socket = await DialAsync(url);
        await ReadUntilAsync(socket, "$ ");
        await SendAsync(socket, "sleep 60\r");
        await SendAsync(socket, "\u0003");
        await ReadUntilAsync(socket, "^C");
        await SendAsync(socket, "echo abX\u007fc\r");
        var (text, _) = await ReadUntilAsync(socket, "abc\r\n");
        Assert.Contains("\b \b", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MultiByteCharacters_SplitAcrossFrames_AreDecodedWhole()
    {
        await using var c = await ConnectAsync(emulator);
        var session = (string)Success(await c.CallAsync("websh_session_create", new() { ["server_id"] = Web01 }))["data"]!["id"]!;
        var text = string.Concat(Enumerable.Repeat("한글✓", 2000)); // 18 KB of 3-byte characters: 4 KB frames cut inside them
        var result = Success(await c.CallAsync("websh_command_execute", new() { ["session_id"] = session, ["command"] = $"echo {text}", ["max_output_chars"] = 100_000 }))["data"]!;
        Assert.Equal(text, (string?)result["output"]);
    }

    /// <summary>
    /// Older server code sends terminal output as text frames (cut at character boundaries) rather than binary ones:
    /// the tools read both, end to end, with the same output and exit status.
    /// </summary>
    [Fact]
    public async Task TextFrames_OfOlderServers_GiveTheSameOutputAndExitStatus()
    {
        var textFrames = new TextFramesEmulatorFixture();
        await textFrames.InitializeAsync();
        try
        {
            var (_, url) = await NewSessionAsync(textFrames);
            using (var socket = await DialAsync(url))
            {
                var (_, types) = await ReadUntilAsync(socket, "$ ");
                Assert.All(types, t => Assert.Equal(WebSocketMessageType.Text, t)); // the mode under test is on
            }

            await using var c = await ConnectAsync(textFrames);
            var session = (string)Success(await c.CallAsync("websh_session_create", new() { ["server_id"] = Web01 }))["data"]!["id"]!;
            var text = string.Concat(Enumerable.Repeat("한글✓", 2000)); // longer than a frame: cut between characters
            var result = Success(await c.CallAsync("websh_command_execute", new() { ["session_id"] = session, ["command"] = $"echo {text}; false", ["max_output_chars"] = 100_000 }))["data"]!;
            Assert.Equal(text, (string?)result["output"]);
            Assert.Equal(1, (int?)result["exit_code"]);
            Assert.False((bool)result["timed_out"]!);
        }
        finally
        {
            await textFrames.DisposeAsync();
        }
    }

    private sealed class TextFramesEmulatorFixture : EmulatorFixture
    {
        protected override void Configure(EmulatorOptions options) => options.WebshTextFrames = true;
    }

    [Fact]
    public async Task IdleTimeout_EndsTheSessionWith4000()
    {
        var options = new EmulatorOptions { WebshIdleTimeout = TimeSpan.FromMilliseconds(300) };
        options.ExtraTokens.Add(new TokenGrant(EmulatorFixture.TestToken, "jane"));
        await using var idle = await EmulatorHost.StartAsync(options);
        var store = idle.Services.GetRequiredService<WebshStore>();
        using var http = new HttpClient();
        var ws = new WorkspaceTarget("ap1", "acme", idle.BaseUrl, EmulatorFixture.TestToken, TokenSource.Environment, true);
        var client = new WebshClient(new Alpacon.Api.Http.AlpaconHttp(http));
        var created = (await client.CreateSessionAsync(ws, Web01, null))!;
        var info = new WebshChannelInfo((string)created["userchannel_id"]!, (string)created["id"]!, "ap1", "acme", "masked", DateTimeOffset.UtcNow);
        await using var channel = await WebshChannel.ConnectAsync(new Uri((string)created["websocket_url"]!), info, WebshUrls.Origin(idle.BaseUrl), "test", new WebshOptions(), CancellationToken.None);
        Assert.True(await channel.WaitClosedAsync(TimeSpan.FromSeconds(20)));
        Assert.Equal(4000, channel.Closed!.Code);
        Assert.True(channel.Closed.IsCleanEnd);
        Assert.NotNull(store.FindSession((string)created["id"]!)!.ClosedAt);
    }

    [Fact]
    public async Task Pool_ExpiresIdleChannels_AndClosesAllOnDispose()
    {
        var (session, url) = await NewSessionAsync();
        var ws = new WorkspaceTarget("ap1", "acme", emulator.BaseUrl, EmulatorFixture.TestToken, TokenSource.Environment, true);
        var pool = new ChannelPool(new AlpaconApiOptions(), new WebshOptions { IdleTimeout = TimeSpan.FromHours(1) });
        var (first, _) = await pool.ConnectAsync(WebshUrls.ChannelId(new Uri(url))!, new Uri(url), ws, session, CancellationToken.None);
        Assert.Equal(0, await pool.SweepAsync());
        var second = Store.AddUserChannel(session, true, false)!;
        var secondUrl = new Uri(second.WebSocketUrl(emulator.BaseUrl.AbsoluteUri.TrimEnd('/')));
        var (other, _) = await pool.ConnectAsync(second.Id, secondUrl, ws, session, CancellationToken.None);
        Assert.Equal(2, pool.Count);
        await pool.DisposeAsync();
        Assert.Equal(0, pool.Count);
        Assert.False(first.IsOpen);
        Assert.False(other.IsOpen);

        // The pool's own sweep would run every second here: its timer must not beat the sweep this test makes.
        var expiring = new ChannelPool(new AlpaconApiOptions(), new WebshOptions { IdleTimeout = TimeSpan.Zero }, time: new TimersNeverFire());
        var third = Store.AddUserChannel(session, true, false)!;
        var (channel, _) = await expiring.ConnectAsync(third.Id, new Uri(third.WebSocketUrl(emulator.BaseUrl.AbsoluteUri.TrimEnd('/'))), ws, session, CancellationToken.None);
        Assert.Equal(1, await expiring.SweepAsync());
        Assert.False(channel.IsOpen);
        Assert.Equal(0, expiring.Count);
        expiring.Dispose();
    }

    /// <summary>Real time whose timers never fire: a test makes the timed work happen itself.</summary>
    private sealed class TimersNeverFire : TimeProvider
    {
        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) => new Stopped();

        private sealed class Stopped : ITimer
        {
            public bool Change(TimeSpan dueTime, TimeSpan period) => true;

            public void Dispose()
            {
            }

            public ValueTask DisposeAsync() => ValueTask.CompletedTask;
        }
    }
}
