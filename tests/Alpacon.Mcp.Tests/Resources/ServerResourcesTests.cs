using System.Text.Json.Nodes;
using Alpacon.Emulator.Core;
using Alpacon.Mcp.Tests.Infrastructure;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using static Alpacon.Mcp.Tests.Infrastructure.McpHarness;

namespace Alpacon.Mcp.Tests.Resources;

[Collection(EmulatorCollection.Name)]
public sealed class ServerResourcesTests(EmulatorFixture emulator)
{
    private static readonly string Web01 = Seed.ServerId("web-01");
    private static readonly string Db01 = Seed.ServerId("db-01");

    private IEnumerable<JournalEntry> Since(TimeSpan before, string path) =>
        emulator.Emulator.Journal.Entries.Where(e => e.At >= before && e.Method == "GET" && e.Path == path);

    [Fact]
    public async Task Resources_ServerListAndOverview_MirrorTheTools()
    {
        await using var c = await ConnectAsync(emulator);
        var templates = await c.Client.ListResourceTemplatesAsync();
        Assert.Contains(templates, t => t.UriTemplate == "alpacon://servers/{region}/{workspace}");
        Assert.Contains(templates, t => t.UriTemplate == "alpacon://servers/{region}/{workspace}/{server_id}/overview");

        var list = JsonNode.Parse(Text(await c.Client.ReadResourceAsync("alpacon://servers/ap1/acme")))!;
        Assert.Equal("acme", (string?)list["workspace"]);
        Assert.Equal(24, (int?)list["count"]);
        Assert.Contains(list["servers"]!.AsArray(), s => (string?)s!["name"] == "web-01" && (string?)s["id"] == Web01);

        var before = emulator.Emulator.Journal.Elapsed;
        var overview = JsonNode.Parse(Text(await c.Client.ReadResourceAsync($"alpacon://servers/ap1/acme/{Db01}/overview")))!;
        Assert.Equal(Db01, (string?)overview["server_id"]);
        Assert.Equal("Rocky Linux", (string?)overview["os"]!["name"]);
        Assert.Equal(3, overview["partitions"]!.AsArray().Count);
        Assert.Single(Since(before, "/api/proc/info/"));
    }

    [Fact]
    public async Task Resources_BadServerIdOrWorkspace_IsAProtocolErrorWithTheReason()
    {
        await using var c = await ConnectAsync(emulator);
        var bad = await Assert.ThrowsAnyAsync<McpException>(() => c.Client.ReadResourceAsync("alpacon://servers/ap1/acme/web-01/overview").AsTask());
        Assert.Contains("server_id", bad.Message);
        var missing = await Assert.ThrowsAnyAsync<McpException>(() => c.Client.ReadResourceAsync("alpacon://servers/us1/nope").AsTask());
        Assert.Contains("ALPACON_MCP_US1_NOPE_TOKEN", missing.Message);
    }

    private static string Text(ReadResourceResult result) => Assert.IsType<TextResourceContents>(Assert.Single(result.Contents)).Text;
}
