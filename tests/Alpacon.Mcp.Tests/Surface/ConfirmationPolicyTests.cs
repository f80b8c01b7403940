using System.Text.Json;
using System.Text.Json.Nodes;
using Alpacon.Emulator.Core;
using Alpacon.Mcp.Hosting;
using Alpacon.Mcp.Tests.Infrastructure;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using static Alpacon.Mcp.Tests.Infrastructure.McpHarness;

namespace Alpacon.Mcp.Tests.Surface;

/// <summary>
/// Every tool whose destructive hint is true asks through the one <c>Confirmation</c> helper, under the
/// --confirm-destructive policy; auth_remove_token is the generic case, iam_user_delete the self-confirming one.
/// </summary>
[Collection(EmulatorCollection.Name)]
public sealed class ConfirmationPolicyTests(EmulatorFixture emulator)
{
    private RequestJournal Journal => emulator.Emulator.Journal;

    private static McpClientHandlers Answering(List<ElicitRequestParams> asked, string action, bool ticked = true) => new()
    {
        ElicitationHandler = (request, _) =>
        {
            lock (asked)
                asked.Add(request!);
            return ValueTask.FromResult(action == "accept"
                ? new ElicitResult { Action = "accept", Content = new Dictionary<string, JsonElement> { ["confirm"] = JsonElement.Parse(ticked ? "true" : "false") } }
                : new ElicitResult { Action = action });
        },
    };

    /// <summary>Stores a token for ap1/extra, then asks auth_remove_token to remove it.</summary>
    private static async Task<CallToolResult> RemoveStoredTokenAsync(Connection c)
    {
        Success(await c.CallAsync("auth_set_token", new() { ["region"] = "ap1", ["workspace"] = "extra", ["token"] = "alpat-extra-0123456789", ["verify"] = false }));
        return await c.CallAsync("auth_remove_token", new() { ["region"] = "ap1", ["workspace"] = "extra" });
    }

    private static bool Stored(Connection c) =>
        File.Exists(c.TokenFile) && JsonNode.Parse(File.ReadAllText(c.TokenFile!))?["ap1"]?["extra"] is not null;

    [Fact]
    public async Task Destructive_Auto_ClientCanAsk_AsksOnceNamingToolAndArguments_ThenRuns()
    {
        var asked = new List<ElicitRequestParams>();
        await using var c = await ConnectAsync(emulator, protocolVersion: HostProtocol, handlers: Answering(asked, "accept"));
        var data = Success(await RemoveStoredTokenAsync(c))["data"]!;

        var question = Assert.Single(asked).Message;
        Assert.Contains("auth_remove_token", question);
        Assert.Contains("ap1/extra", question);
        Assert.Contains("destructive", question);
        Assert.True((bool)data["removed"]!);
        Assert.False(Stored(c));
    }

    [Theory]
    [InlineData("decline", "declined")]
    [InlineData("cancel", "cancelled")]
    [InlineData("accept-unticked", "declined")]
    public async Task Destructive_Auto_UserSaysNo_DoesNothing_AndSaysSo(string action, string outcome)
    {
        var asked = new List<ElicitRequestParams>();
        await using var c = await ConnectAsync(emulator, protocolVersion: HostProtocol,
            handlers: Answering(asked, action == "accept-unticked" ? "accept" : action, ticked: false));
        var body = Success(await RemoveStoredTokenAsync(c));

        Assert.Single(asked);
        Assert.False((bool)body["data"]!["performed"]!);
        Assert.Equal(outcome, (string?)body["data"]!["confirmation"]!["outcome"]);
        Assert.StartsWith("Nothing was done", (string?)body["data"]!["message"]);
        Assert.True(Stored(c));
    }

    [Fact]
    public async Task Destructive_InvalidArguments_AreRefusedBeforeTheUserIsAsked()
    {
        var asked = new List<ElicitRequestParams>();
        await using var c = await ConnectAsync(emulator, protocolVersion: HostProtocol, handlers: Answering(asked, "accept"));
        var body = Error(await c.CallAsync("auth_remove_token", new() { ["region"] = "ap1" }));

        Assert.Contains("'workspace' is required", (string?)body["message"]);
        Assert.Empty(asked);
    }

    [Fact]
    public async Task Destructive_Auto_ClientCannotAsk_GoesAhead()
    {
        await using var c = await ConnectAsync(emulator, protocolVersion: HostProtocol);
        Assert.True((bool)Success(await RemoveStoredTokenAsync(c))["data"]!["removed"]!);
        Assert.False(Stored(c));
    }

    [Fact]
    public async Task Destructive_Always_ClientCannotAsk_IsRefusedWithAHint()
    {
        await using var c = await ConnectAsync(emulator, protocolVersion: HostProtocol, extraArgs: ["--confirm-destructive", "always"]);
        var body = Error(await RemoveStoredTokenAsync(c));

        Assert.Contains("--confirm-destructive always", (string?)body["message"]);
        Assert.Contains("Nothing was changed", (string?)body["hint"]);
        Assert.True(Stored(c));
    }

    [Fact]
    public async Task Destructive_Always_ClientCanAsk_Asks()
    {
        var asked = new List<ElicitRequestParams>();
        await using var c = await ConnectAsync(emulator, protocolVersion: HostProtocol, extraArgs: ["--confirm-destructive", "always"], handlers: Answering(asked, "accept"));
        Assert.True((bool)Success(await RemoveStoredTokenAsync(c))["data"]!["removed"]!);
        Assert.Single(asked);
    }

    [Fact]
    public async Task Destructive_Never_DoesNotAsk()
    {
        var asked = new List<ElicitRequestParams>();
        await using var c = await ConnectAsync(emulator, protocolVersion: HostProtocol, extraEnv: new Dictionary<string, string> { ["ALPACON_MCP_CONFIRM_DESTRUCTIVE"] = "never" }, handlers: Answering(asked, "decline"));
        Assert.True((bool)Success(await RemoveStoredTokenAsync(c))["data"]!["removed"]!);
        Assert.Empty(asked);
    }

    [Fact]
    public async Task NonDestructiveTools_NeverAsk()
    {
        var asked = new List<ElicitRequestParams>();
        await using var c = await ConnectAsync(emulator, protocolVersion: HostProtocol, extraArgs: ["--confirm-destructive", "always"], handlers: Answering(asked, "decline"));
        Success(await c.CallAsync("servers_list"));
        Success(await c.CallAsync("server_note_create", new() { ["server_id"] = Seed.ServerId("web-02"), ["title"] = "confirm test", ["content"] = "not destructive" }));
        Assert.Empty(asked);
    }

    [Fact]
    public async Task SelfConfirmingTool_Always_ClientCannotAsk_IsRefusedBeforeDeleting()
    {
        await using var c = await ConnectAsync(emulator, protocolVersion: HostProtocol, extraArgs: ["--confirm-destructive", "always"]);
        var username = "always" + Guid.NewGuid().ToString("N")[..8];
        var id = (string)Success(await c.CallAsync("iam_user_create", new() { ["username"] = username, ["email"] = $"{username}@example.com" }))["data"]!["user"]!["id"]!;
        var before = Journal.Elapsed;

        var body = Error(await c.CallAsync("iam_user_delete", new() { ["user_id"] = id }));
        Assert.Contains("--confirm-destructive always", (string?)body["message"]);
        Assert.DoesNotContain(Journal.Entries, e => e.At >= before && e.Method == "DELETE");
        Success(await c.CallAsync("iam_user_get", new() { ["user_id"] = id }));
    }

    [Fact]
    public async Task SelfConfirmingTool_Never_DeletesWithoutAsking()
    {
        var asked = new List<ElicitRequestParams>();
        await using var c = await ConnectAsync(emulator, protocolVersion: HostProtocol, extraArgs: ["--confirm-destructive", "never"], handlers: Answering(asked, "decline"));
        var username = "never" + Guid.NewGuid().ToString("N")[..8];
        var id = (string)Success(await c.CallAsync("iam_user_create", new() { ["username"] = username, ["email"] = $"{username}@example.com" }))["data"]!["user"]!["id"]!;

        var data = Success(await c.CallAsync("iam_user_delete", new() { ["user_id"] = id }))["data"]!;
        Assert.True((bool)data["deleted"]!);
        Assert.Equal("not_asked", (string?)data["confirmation"]!["outcome"]);
        Assert.Empty(asked);
    }

    [Fact]
    public void Question_HidesSecretArguments_AndShortensLongOnes()
    {
        var tool = ToolCatalog.Create(new ServerSettings()).Find("auth_remove_token")!;
        var arguments = new Dictionary<string, JsonElement>
        {
            ["workspace"] = JsonElement.Parse("\"acme\""),
            ["command"] = JsonElement.Parse("\"systemctl restart nginx\""),
            ["env"] = JsonElement.Parse("""{"DB_PASSWORD":"hunter2"}"""),
            ["token"] = JsonElement.Parse("\"alpat-SECRET-123456789\""),
            ["content"] = JsonElement.Parse($"\"{new string('x', 1000)}\""),
        };
        var question = ToolFilters.Question(tool, arguments);

        Assert.Contains("ap1/acme", question);
        Assert.Contains("command = systemctl restart nginx", question);
        Assert.Contains("env = (hidden)", question);
        Assert.DoesNotContain("hunter2", question);
        Assert.DoesNotContain("SECRET", question);
        Assert.Contains("(1000 characters)", question);
    }
}
