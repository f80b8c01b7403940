using System.Text.Json.Nodes;
using Alpacon.Emulator.Websh;
using Alpacon.Mcp.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using ModelContextProtocol.Client;

namespace Alpacon.Mcp.Tests.Reliability;

/// <summary>
/// What some tools need to exist before they can do their normal work (a command, an event, a user, WebFTP and Websh
/// sessions, a pooled channel), made once per connection through the tools themselves, so that it exists where the
/// server under test looks (a pooled Websh channel lives in that server process). A Websh channel's URL is the one
/// thing no tool returns (it is a credential), so it comes from the emulator, as the Alpacon API would hand it out.
/// Tools that use up what they act on get a fresh one per call from the <c>New…</c> methods.
/// </summary>
public sealed class ToolSetup : IDisposable
{
    private static readonly TimeSpan CallBound = TimeSpan.FromSeconds(60);

    private readonly McpClient _client;
    private readonly EmulatorFixture _emulator;

    private ToolSetup(McpClient client, EmulatorFixture emulator)
    {
        _client = client;
        _emulator = emulator;
    }

    /// <summary>A command that ran to its end.</summary>
    public string CommandId { get; private set; } = "";

    public string EventId { get; private set; } = "";

    /// <summary>A user made for these calls (updated, inspected; never deleted).</summary>
    public string UserId { get; private set; } = "";

    /// <summary>A WebFTP session as root on web-01, so that /tmp is writable.</summary>
    public string WebftpSessionId { get; private set; } = "";

    /// <summary>A Websh session whose pooled channel runs websh_command_execute.</summary>
    public string WebshSessionId { get; private set; } = "";

    /// <summary>
    /// The pooled channel of another session, for websh_channel_execute. Each tool that types commands has a shell of
    /// its own: the suites call tools side by side, and lines typed on two channels of one session interleave in its
    /// shell, as they would for two people at one terminal.
    /// </summary>
    public string WebshChannelId { get; private set; } = "";

    /// <summary>A third session: new channels (reconnect, connect, disconnect) and websh_websocket_execute's shell.</summary>
    public string WebshOtherSessionId { get; private set; } = "";

    /// <summary>A directory of this machine for files tools write locally (<c>local_path</c>); removed with the setup.</summary>
    public string LocalRoot { get; } = Directory.CreateTempSubdirectory("alpacon-reliability-").FullName;

    public static async Task<ToolSetup> CreateAsync(McpClient client, EmulatorFixture emulator)
    {
        var setup = new ToolSetup(client, emulator);
        try
        {
            var command = await setup.CallAsync("execute_command", new() { ["server_id"] = ToolCases.ServerId, ["command"] = "uptime" });
            setup.CommandId = (string)command["command_id"]!;
            var events = await setup.CallAsync("list_events", new() { ["limit"] = 1 });
            setup.EventId = (string)events["events"]![0]!["id"]!;
            setup.UserId = await setup.NewUserAsync();
            var webftp = await setup.CallAsync("webftp_session_create", new() { ["server_id"] = ToolCases.ServerId, ["username"] = "root" });
            setup.WebftpSessionId = (string)webftp["id"]!;
            setup.WebshSessionId = await setup.NewWebshSessionAsync();
            var channel = await setup.CallAsync("websh_session_create", new() { ["server_id"] = ToolCases.ServerId });
            setup.WebshChannelId = (string)channel["channel_id"]!;
            setup.WebshOtherSessionId = await setup.NewWebshSessionAsync();
            return setup;
        }
        catch
        {
            setup.Dispose();
            throw;
        }
    }

    /// <summary>A name no other call used: <c>prefix-1a2b3c4d</c>.</summary>
    public string Unique(string prefix) => $"{prefix}-{Guid.NewGuid().ToString("N")[..8]}";

    public async Task<string> NewUserAsync()
    {
        var name = Unique("rel");
        var created = await CallAsync("iam_user_create", new() { ["username"] = name, ["email"] = $"{name}@example.com" });
        return (string)created["user"]!["id"]!;
    }

    /// <summary>A command waiting for a human's approval (a sudo line): not delivered, so it can still be cancelled.</summary>
    public async Task<string> AwaitingCommandAsync()
    {
        var command = await CallAsync("execute_command", new() { ["server_id"] = ToolCases.ServerId, ["command"] = "sudo true" });
        Assert.True((bool?)command["pending"], $"the sudo line is not awaiting approval: {command.ToJsonString()}");
        return (string)command["command_id"]!;
    }

    public async Task<string> NewWebshSessionAsync() =>
        (string)(await CallAsync("websh_session_create", new() { ["server_id"] = ToolCases.ServerId }))["id"]!;

    /// <summary>A new channel of <see cref="WebshOtherSessionId"/>, pooled in the server under test.</summary>
    public async Task<string> NewPooledChannelAsync() =>
        (string)(await CallAsync("websh_session_reconnect", new() { ["session_id"] = WebshOtherSessionId }))["channel_id"]!;

    /// <summary>A new user channel of <see cref="WebshOtherSessionId"/> that nobody connected yet, with its URL.</summary>
    public (string Id, string Url) NewChannelUrl()
    {
        var store = _emulator.Emulator.Services.GetRequiredService<WebshStore>();
        var channel = store.AddUserChannel(WebshOtherSessionId, isMaster: true, readOnly: false)
            ?? throw new InvalidOperationException($"Websh session {WebshOtherSessionId} is closed.");
        return (channel.Id, channel.WebSocketUrl(_emulator.BaseUrl.AbsoluteUri.TrimEnd('/')));
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(LocalRoot, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Left in the temporary directory: nothing depends on it.
        }
    }

    /// <summary>The data of a successful call; a setup call that fails stops the test with the tool's answer.</summary>
    private async Task<JsonNode> CallAsync(string tool, Dictionary<string, object?> args)
    {
        args["workspace"] = McpHarness.Workspace;
        using var bound = new CancellationTokenSource(CallBound);
        var result = await _client.CallToolAsync(tool, args, cancellationToken: bound.Token);
        var text = ToolCases.Text(result);
        Assert.False(result.IsError == true, $"setup: {tool} failed: {text}");
        return JsonNode.Parse(text)!["data"]!;
    }
}
