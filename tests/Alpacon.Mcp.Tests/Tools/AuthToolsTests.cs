using System.Text.Json.Nodes;
using Alpacon.Emulator.Core;
using Alpacon.Mcp.Tests.Infrastructure;
using ModelContextProtocol.Protocol;
using static Alpacon.Mcp.Tests.Infrastructure.McpHarness;

namespace Alpacon.Mcp.Tests.Tools;

[Collection(EmulatorCollection.Name)]
public sealed class AuthToolsTests(EmulatorFixture emulator)
{
    [Fact]
    public async Task AuthSetToken_StoresPrivately_VerifiesAndNeverEchoesTheToken()
    {
        await using var c = await ConnectAsync(emulator);
        var body = Success(await c.CallAsync("auth_set_token", new()
        {
            ["region"] = "ap1",
            ["workspace"] = "second",
            ["token"] = Seed.OperatorToken,
            ["url"] = emulator.BaseUrl.AbsoluteUri,
        }));

        Assert.True((bool)body["data"]!["verified"]!);
        Assert.DoesNotContain(Seed.OperatorToken, body.ToJsonString());
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(c.TokenFile!));
        var file = JsonNode.Parse(File.ReadAllText(c.TokenFile!))!;
        Assert.Equal(Seed.OperatorToken, (string?)file["ap1"]!["second"]!["token"]);

        // The new workspace is usable at once.
        var servers = Success(await c.CallAsync("servers_list", new() { ["workspace"] = "second" }));
        Assert.Equal("second", (string?)servers["workspace"]);
    }

    [Fact]
    public async Task AuthSetToken_BadToken_IsStoredButReportedAsNotWorking()
    {
        await using var c = await ConnectAsync(emulator);
        var body = Success(await c.CallAsync("auth_set_token", new()
        {
            ["region"] = "ap1",
            ["workspace"] = "third",
            ["token"] = "alpat-wrong-token-1234567890",
            ["url"] = emulator.BaseUrl.AbsoluteUri,
        }));
        Assert.False((bool)body["data"]!["verified"]!);
        Assert.Contains("401", (string?)body["data"]!["verification_error"]);
        Assert.Contains("auth_set_token", (string?)body["data"]!["hint"]);
    }

    [Theory]
    [InlineData("token", "has space")]
    [InlineData("token", "")]
    [InlineData("url", "ftp://example.com")]
    [InlineData("workspace", "Bad Name")]
    public async Task AuthSetToken_BadInput_IsRefused(string name, string value)
    {
        await using var c = await ConnectAsync(emulator);
        var args = new Dictionary<string, object?> { ["region"] = "ap1", ["workspace"] = "w", ["token"] = "alpat-good-token-123456", [name] = value };
        Error(await c.CallAsync("auth_set_token", args));
        Assert.False(File.Exists(c.TokenFile!) && File.ReadAllText(c.TokenFile!).Contains("\"w\"", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AuthRemoveToken_RemovesFromFile_AndSaysWhenEnvironmentStillHasOne()
    {
        await using var c = await ConnectAsync(emulator);
        Success(await c.CallAsync("auth_set_token", new() { ["region"] = "ap1", ["workspace"] = "gone", ["token"] = "alpat-gone-123456789", ["verify"] = false }));

        var removed = Success(await c.CallAsync("auth_remove_token", new() { ["region"] = "ap1", ["workspace"] = "gone" }));
        Assert.True((bool)removed["data"]!["removed"]!);
        Assert.DoesNotContain("gone", File.ReadAllText(c.TokenFile!));

        var again = Success(await c.CallAsync("auth_remove_token", new() { ["region"] = "ap1", ["workspace"] = "gone" }));
        Assert.False((bool)again["data"]!["removed"]!);

        var env = Success(await c.CallAsync("auth_remove_token", new() { ["region"] = "ap1", ["workspace"] = "acme" }));
        Assert.Contains("ALPACON_MCP_AP1_ACME_TOKEN", (string?)env["data"]!["environment"]);
    }

    [Fact]
    public async Task Resources_ShowMaskedTokensOnly()
    {
        await using var c = await ConnectAsync(emulator);
        var status = await ReadAsync(c, "auth://status");
        Assert.Equal("environment", (string?)status["workspaces"]![0]!["source"]);
        Assert.Equal("alpat-…cdef", (string?)status["workspaces"]![0]!["token"]);

        var config = await ReadAsync(c, "auth://config");
        Assert.Equal(c.TokenFile, (string?)config["in_use"]);
        Assert.Equal("ALPACON_MCP_CONFIG_FILE", (string?)config["candidates"]![0]!["origin"]);
        Assert.Contains(config["environment_variables"]!.AsArray(), v => (string?)v == "ALPACON_MCP_AP1_ACME_TOKEN");

        var token = await ReadAsync(c, "auth://tokens/ap1/acme");
        Assert.Equal(emulator.BaseUrl.AbsoluteUri.TrimEnd('/'), (string?)token["base_url"]);
        Assert.True((bool)token["url_pinned"]!);

        foreach (var uri in new[] { "auth://status", "auth://config", "auth://tokens/ap1/acme" })
        {
            var text = ((TextResourceContents)(await c.Client.ReadResourceAsync(uri)).Contents.Single()).Text;
            Assert.DoesNotContain(EmulatorFixture.TestToken, text);
        }
    }

    [Fact]
    public async Task TokenResource_UnknownWorkspace_IsAnError()
    {
        await using var c = await ConnectAsync(emulator);
        var e = await Assert.ThrowsAsync<ModelContextProtocol.McpProtocolException>(() => c.Client.ReadResourceAsync("auth://tokens/ap1/nope").AsTask());
        Assert.Contains("No token is configured for ap1/nope", e.Message);
    }

    [Fact]
    public async Task Resources_AreListed()
    {
        await using var c = await ConnectAsync(emulator);
        var resources = await c.Client.ListResourcesAsync();
        Assert.Contains(resources, r => r.Uri == "auth://status");
        Assert.Contains(resources, r => r.Uri == "auth://config");
        var templates = await c.Client.ListResourceTemplatesAsync();
        Assert.Contains(templates, t => t.UriTemplate == "auth://tokens/{region}/{workspace}");
    }

    private static async Task<JsonNode> ReadAsync(Connection c, string uri)
    {
        var result = await c.Client.ReadResourceAsync(uri);
        var contents = Assert.IsType<TextResourceContents>(Assert.Single(result.Contents));
        Assert.Equal("application/json", contents.MimeType);
        return JsonNode.Parse(contents.Text)!;
    }
}
