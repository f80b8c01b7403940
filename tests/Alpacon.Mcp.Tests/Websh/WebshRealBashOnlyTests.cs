using Alpacon.Mcp.Tests.Infrastructure;
using static Alpacon.Mcp.Tests.Infrastructure.McpHarness;

namespace Alpacon.Mcp.Tests.Websh;

/// <summary>What only a real terminal does to output: wrapping, colours, programs waiting for input.</summary>
[Collection(PtyEmulatorCollection.Name)]
public sealed class WebshRealBashOnlyTests(PtyEmulatorFixture emulator)
{
    private static readonly string Web01 = Alpacon.Emulator.Core.Seed.ServerId("web-01");

    private async Task<(Connection Connection, string Session)> OpenAsync()
    {
        var c = await ConnectAsync(emulator);
        var session = (string)Success(await c.CallAsync("websh_session_create", new() { ["server_id"] = Web01 }))["data"]!["id"]!;
        return (c, session);
    }

    private static async Task<System.Text.Json.Nodes.JsonNode> RunAsync(Connection c, string session, string command, int timeout = 10) =>
        Success(await c.CallAsync("websh_command_execute", new() { ["session_id"] = session, ["command"] = command, ["timeout"] = timeout }))["data"]!;

    [Fact]
    public async Task LongCommandLine_ThatWrapsOnAnEightyColumnTerminal_GivesExactOutput()
    {
        var (c, session) = await OpenAsync();
        await using var _ = c;
        var word = string.Concat(Enumerable.Repeat("abcdefghij", 25)); // 250 characters: the typed line wraps several times
        var result = await RunAsync(c, session, $"echo {word} | wc -c; echo {word}");
        Assert.Equal($"251\n{word}", (string?)result["output"]);
        Assert.Equal(0, (int?)result["exit_code"]);
    }

    [Fact]
    public async Task ColouredOutput_IsReturnedAsPlainText()
    {
        var (c, session) = await OpenAsync();
        await using var _ = c;
        Assert.Equal("red and plain", (string?)(await RunAsync(c, session, @"printf '\e[31mred\e[0m and \e[1mplain\e[0m\n'"))["output"]);
        await RunAsync(c, session, "mkdir -p colours/sub && touch colours/file && chmod +x colours/file");
        var ls = (string)(await RunAsync(c, session, "ls --color=always colours"))["output"]!;
        Assert.Matches("^file +sub$", ls); // columns, as ls prints them on a terminal, without the colour codes
    }

    [Fact]
    public async Task ProgressBarWithCarriageReturns_KeepsTheFinalState()
    {
        var (c, session) = await OpenAsync();
        await using var _ = c;
        var result = await RunAsync(c, session, @"for p in 10 50 100; do printf '\rprogress %3d%%' $p; sleep 0.1; done; echo");
        Assert.Equal("progress 100%", (string?)result["output"]);
    }

    [Fact]
    public async Task CommandWaitingForInput_TimesOut_IsInterrupted_AndTheShellStaysUsable()
    {
        var (c, session) = await OpenAsync();
        await using var _ = c;
        await RunAsync(c, session, "true");
        var waiting = await RunAsync(c, session, "echo 'say something:'; read answer; echo \"got $answer\"", timeout: 2);
        Assert.True((bool)waiting["timed_out"]!);
        Assert.Equal("say something:", (string?)waiting["output"]);
        var cat = await RunAsync(c, session, "cat", timeout: 1);
        Assert.True((bool)cat["timed_out"]!);
        var after = await RunAsync(c, session, "echo still here; echo $((6 * 7))");
        Assert.Equal("still here\n42", (string?)after["output"]);
        Assert.False((bool)after["timed_out"]!);
    }

    [Fact]
    public async Task Utf8AndStderr_AreKeptInOrder()
    {
        var (c, session) = await OpenAsync();
        await using var _ = c;
        var text = string.Concat(Enumerable.Repeat("한글 ✓ ", 500)).TrimEnd(); // > 4 KB: PTY reads split characters
        var result = await RunAsync(c, session, $"echo '{text}'; echo oops >&2; exit_code_test() {{ return 7; }}; exit_code_test");
        Assert.Equal($"{text}\noops", (string?)result["output"]);
        Assert.Equal(7, (int?)result["exit_code"]);
    }

    [Fact]
    public async Task LongCommand_TypedWhileTheShellIsNotReading_RunsWhole()
    {
        // Between two readline calls (while a command or PROMPT_COMMAND runs) bash's terminal is in canonical mode,
        // where one line keeps at most 4095 bytes and loses the rest, Enter included. This PROMPT_COMMAND holds bash
        // there until a whole line has arrived, as a slow prompt or a loaded machine can, so the long command below
        // is typed while the shell is not reading: every time, not only when the timing is unlucky.
        var (c, session) = await OpenAsync();
        await using var _ = c;
        await RunAsync(c, session, "PROMPT_COMMAND='until read -t 0; do sleep 0.01; done'");
        var word = string.Concat(Enumerable.Repeat("0123456789", 600));
        var result = await RunAsync(c, session, $"echo {word} | wc -c; echo '{word}' | tail -c 11; echo \"it's\" 'done'");
        Assert.Equal("6001\n0123456789\nit's done", (string?)result["output"]);
        Assert.Equal(0, (int?)result["exit_code"]);
        Assert.Equal("6001", (string?)(await RunAsync(c, session, $"printf '%s\\n' '{word}' | wc -c"))["output"]);
    }

    [Fact]
    public async Task Exit_EndsTheSessionCleanly()
    {
        var (c, session) = await OpenAsync();
        await using var _ = c;
        await RunAsync(c, session, "true");
        var result = await RunAsync(c, session, "exit");
        Assert.True((bool)result["session_ended"]!);
        var store = Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<Alpacon.Emulator.Websh.WebshStore>(emulator.Emulator.Services);
        Assert.NotNull(store.FindSession(session)!.ClosedAt);
    }
}
