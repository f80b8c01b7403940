using System.Text.Json.Nodes;
using Alpacon.Emulator.Core;
using Alpacon.Mcp.Tests.Infrastructure;
using static Alpacon.Mcp.Tests.Infrastructure.McpHarness;

namespace Alpacon.Mcp.Tests.Tools;

[Collection(EmulatorCollection.Name)]
public sealed class ServerToolsTests(EmulatorFixture emulator)
{
    private static readonly string Web01 = Seed.ServerId("web-01");
    private static readonly string Db01 = Seed.ServerId("db-01");

    [Fact]
    public async Task ServersList_ReturnsEveryServerOfTheWorkspace()
    {
        await using var c = await ConnectAsync(emulator);
        var body = Success(await c.CallAsync("servers_list", new() { ["workspace"] = "acme" }));

        var servers = body["data"]!.AsArray();
        Assert.Equal(24, servers.Count);
        Assert.Equal("ap1", (string?)body["region"]);
        Assert.Equal("acme", (string?)body["workspace"]);
        var web01 = servers.Single(s => (string?)s!["name"] == "web-01")!;
        Assert.Equal(Web01, (string?)web01["id"]);
        Assert.Equal("Ubuntu 22.04", (string?)web01["os"]);
        Assert.False((bool)servers.Single(s => (string?)s!["name"] == "worker-04")!["is_connected"]!);
    }

    [Fact]
    public async Task ServersList_WorkspaceMayBeOmittedWhenOnlyOneIsConfigured()
    {
        await using var c = await ConnectAsync(emulator);
        var body = Success(await c.CallAsync("servers_list"));
        Assert.Equal("acme", (string?)body["workspace"]);
    }

    [Fact]
    public async Task ServerGet_UsesTheDetailRoute()
    {
        await using var c = await ConnectAsync(emulator);
        var before = emulator.Emulator.Journal.Elapsed;
        var body = Success(await c.CallAsync("server_get", new() { ["server_id"] = Db01, ["workspace"] = "acme" }));

        Assert.Equal("db-01", (string?)body["data"]!["name"]);
        Assert.Equal(Db01, (string?)body["server_id"]);
        var request = Assert.Single(emulator.Emulator.Journal.Entries, e => e.At >= before && e.Path.StartsWith("/api/servers/servers/", StringComparison.Ordinal));
        Assert.Equal($"/api/servers/servers/{Db01}/", request.Path);
        Assert.Equal("", request.QueryString);
        Assert.Equal($"token=\"{EmulatorFixture.TestToken}\"", request.Authorization);
        Assert.StartsWith("alpacon-mcp/", request.UserAgent);
    }

    [Fact]
    public async Task ServerGet_UnknownServer_Is404WithHint()
    {
        await using var c = await ConnectAsync(emulator);
        var body = Error(await c.CallAsync("server_get", new() { ["server_id"] = "00000000-0000-4000-8000-000000000000" }));
        Assert.Equal(404, (int?)body["status_code"]);
        Assert.Contains("servers_list", (string?)body["hint"]);
    }

    [Theory]
    [InlineData("web-01")]
    [InlineData("")]
    [InlineData("0e617a7e-4126-521f-af4a-96041889059Z")]
    [InlineData("../../etc/passwd")]
    public async Task ServerGet_BadId_IsRefusedBeforeAnyRequest(string id)
    {
        await using var c = await ConnectAsync(emulator);
        var before = emulator.Emulator.Journal.Elapsed;
        var body = Error(await c.CallAsync("server_get", new() { ["server_id"] = id }));
        Assert.Contains("server_id", (string?)body["message"]);
        Assert.DoesNotContain(emulator.Emulator.Journal.Entries, e => e.At >= before && e.Path.StartsWith("/api/servers/servers/", StringComparison.Ordinal) && e.Path.Length > "/api/servers/servers/".Length);
    }

    [Fact]
    public async Task ServerNotesList_FiltersByServer()
    {
        await using var c = await ConnectAsync(emulator);
        var before = emulator.Emulator.Journal.Elapsed;
        var body = Success(await c.CallAsync("server_notes_list", new() { ["server_id"] = Db01 }));

        var notes = body["data"]!.AsArray();
        Assert.True(notes.Count >= 2);
        Assert.All(notes, n => Assert.Equal("db-01", (string?)n!["server"]!["name"]));
        var request = emulator.Emulator.Journal.Entries.Last(e => e.At >= before && e.Path == "/api/servers/notes/");
        Assert.Equal(Db01, request.QueryValue("server"));
    }

    [Fact]
    public async Task ServerNoteCreate_FoldsTitleIntoContent()
    {
        await using var c = await ConnectAsync(emulator);
        var server = Seed.ServerId("web-03");
        var body = Success(await c.CallAsync("server_note_create", new() { ["server_id"] = server, ["title"] = "Deploy", ["content"] = "v2.4 rolled out" }));

        Assert.Equal("**Deploy**\n\nv2.4 rolled out", (string?)body["data"]!["content"]);
        var post = emulator.Emulator.Journal.Matching("POST", "/api/servers/notes/").Last();
        var sent = JsonNode.Parse(post.Body!)!.AsObject();
        Assert.False(sent.ContainsKey("title"));
        Assert.Equal(server, (string?)sent["server"]);

        var listed = Success(await c.CallAsync("server_notes_list", new() { ["server_id"] = server }));
        Assert.Contains(listed["data"]!.AsArray(), n => (string?)n!["content"] == "**Deploy**\n\nv2.4 rolled out");
    }

    [Fact]
    public async Task ServerNoteCreate_TooLong_IsRefusedBeforeTheRequest()
    {
        await using var c = await ConnectAsync(emulator);
        var body = Error(await c.CallAsync("server_note_create", new() { ["server_id"] = Web01, ["title"] = "t", ["content"] = new string('x', 600) }));
        Assert.Contains("512", (string?)body["message"]);
    }

    [Fact]
    public async Task ServerNoteCreate_ReadOnlyToken_Is403WithHint()
    {
        await using var c = await ConnectAsync(emulator, token: EmulatorFixture.ViewerTestToken);
        var body = Error(await c.CallAsync("server_note_create", new() { ["server_id"] = Web01, ["title"] = "t", ["content"] = "c" }));
        Assert.Equal(403, (int?)body["status_code"]);
        Assert.Contains("not allowed", (string?)body["hint"]);
    }

    [Fact]
    public async Task AnyTool_WithRefusedToken_Is401WithHint()
    {
        await using var c = await ConnectAsync(emulator, token: "alpat-not-a-real-token-000000");
        var body = Error(await c.CallAsync("servers_list"));
        Assert.Equal(401, (int?)body["status_code"]);
        Assert.Contains("auth_set_token", (string?)body["hint"]);
        Assert.DoesNotContain("alpat-not-a-real-token-000000", body.ToJsonString());
    }

    [Fact]
    public async Task AnyTool_UnconfiguredWorkspace_SaysHowToConfigureIt()
    {
        await using var c = await ConnectAsync(emulator);
        var body = Error(await c.CallAsync("servers_list", new() { ["workspace"] = "nope", ["region"] = "us1" }));
        Assert.Contains("No token is configured for workspace 'nope' in region 'us1'", (string?)body["message"]);
        Assert.Contains("ALPACON_MCP_US1_NOPE_TOKEN", (string?)body["hint"]);
    }

    [Theory]
    [InlineData("region", "AP 1")]
    [InlineData("region", "ap1; rm -rf /")]
    [InlineData("workspace", "Acme Corp")]
    [InlineData("workspace", "../etc")]
    public async Task AnyTool_BadRegionOrWorkspace_IsAClearError(string name, string value)
    {
        await using var c = await ConnectAsync(emulator);
        var body = Error(await c.CallAsync("servers_list", new() { [name] = value }));
        Assert.Contains("is not a", (string?)body["message"]);
        Assert.NotNull(body["hint"]);
    }

    [Fact]
    public async Task AnyTool_UnreachableHost_IsAClearErrorAndTheServerKeepsServing()
    {
        var env = new Dictionary<string, string> { ["ALPACON_MCP_AP1_DOWN_TOKEN"] = "alpat-x-0000000000000", ["ALPACON_MCP_AP1_DOWN_URL"] = "http://127.0.0.1:1" };
        await using var c = await ConnectAsync(emulator, extraEnv: env);
        var body = Error(await c.CallAsync("servers_list", new() { ["workspace"] = "down" }));
        Assert.Contains("Could not reach", (string?)body["hint"]);
        Success(await c.CallAsync("servers_list", new() { ["workspace"] = "acme" }));
    }
}
