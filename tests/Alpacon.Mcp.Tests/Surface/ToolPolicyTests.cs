using System.ComponentModel;
using Alpacon.Emulator.Core;
using Alpacon.Mcp.Hosting;
using Alpacon.Mcp.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using ModelContextProtocol;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;
using static Alpacon.Mcp.Tests.Infrastructure.McpHarness;

namespace Alpacon.Mcp.Tests.Surface;

/// <summary>--toolsets and --read-only: hidden from tools/list AND refused at call time, with an explanation.</summary>
[Collection(EmulatorCollection.Name)]
public sealed class ToolPolicyTests(EmulatorFixture emulator)
{
    private static readonly ToolCatalog Catalog = ToolCatalog.Create(new ServerSettings());

    private RequestJournal Journal => emulator.Emulator.Journal;

    [Fact]
    public void Catalog_TagsEveryToolWithAKnownToolset()
    {
        Assert.NotEmpty(Catalog.All);
        Assert.All(Catalog.All, t => Assert.Contains(t.Toolset, Toolsets.All.Select(s => s.Name)));
        Assert.Equal("servers", Catalog.Find("servers_list")!.Toolset);
        Assert.Equal("iam", Catalog.Find("iam_user_delete")!.Toolset);
        Assert.True(Catalog.Find("iam_user_delete")!.SelfConfirming);
        Assert.False(Catalog.Find("auth_remove_token")!.SelfConfirming);
    }

    [Fact]
    public void CatalogTool_IsFiledUnderItsName_AndBuiltOnFirstUse_Once()
    {
        var built = 0;
        var tool = new CatalogTool("servers", "servers_list", () =>
        {
            built++;
            return Catalog.Find("servers_list")!.Tool;
        });
        var collection = new McpServerPrimitiveCollection<McpServerTool> { tool };
        Assert.True(collection.TryGetPrimitive("servers_list", out _));
        Assert.Equal(0, built); // filing the tool (what the server does at start-up) does not build it

        Assert.Equal("servers_list", tool.ProtocolTool.Name);
        Assert.NotEmpty(tool.Metadata);
        Assert.Equal(1, built);

        var misnamed = new CatalogTool("servers", "server_list", () => Catalog.Find("servers_list")!.Tool);
        Assert.Contains("built as 'servers_list'", Assert.Throws<InvalidOperationException>(() => misnamed.ProtocolTool).Message);
    }

    [Fact]
    public async Task NoOptions_ListsTheWholeCatalog()
    {
        await using var c = await ConnectAsync(emulator);
        var listed = (await c.Client.ListToolsAsync()).Select(t => t.Name).ToList();
        Assert.Equal(Catalog.All.Select(t => t.Name), listed);
    }

    [Fact]
    public async Task Toolsets_ListOnlyTheSelectedToolsets()
    {
        await using var c = await ConnectAsync(emulator, extraArgs: ["--toolsets", "servers,workspace"]);
        var listed = (await c.Client.ListToolsAsync()).Select(t => t.Name).ToList();
        Assert.Equal(Catalog.All.Where(t => t.Toolset is "servers" or "workspace").Select(t => t.Name), listed);
    }

    [Fact]
    public async Task Toolsets_CallToAToolOfAnotherToolset_IsRefusedWithAHint_AndSendsNothing()
    {
        await using var c = await ConnectAsync(emulator, extraArgs: ["--toolsets", "servers"]);
        var before = Journal.Elapsed;
        var body = Error(await c.CallAsync("iam_users_list"));

        Assert.Contains("'iam' toolset", (string?)body["message"]);
        Assert.Contains("--toolsets", (string?)body["hint"]);
        Assert.DoesNotContain(Journal.Entries, e => e.At >= before && e.Path.StartsWith("/api/iam/", StringComparison.Ordinal));
        Success(await c.CallAsync("servers_list"));
    }

    [Theory]
    [InlineData(Transport.Pipes)]
    [InlineData(Transport.Http)]
    public async Task ReadOnly_ListsOnlyReadOnlyTools(Transport transport)
    {
        await using var c = await ConnectAsync(emulator, transport, extraArgs: ["--read-only"]);
        var listed = await c.Client.ListToolsAsync();

        Assert.All(listed, t => Assert.True(t.ProtocolTool.Annotations?.ReadOnlyHint == true, $"{t.Name} is listed under --read-only"));
        Assert.Equal(Catalog.All.Where(t => t.ReadOnly).Select(t => t.Name), listed.Select(t => t.Name));
        Assert.Contains(listed, t => t.Name == "servers_list");
        Assert.Contains("--read-only", c.Client.ServerInstructions);
    }

    [Fact]
    public async Task ReadOnly_CallToAWriteTool_IsRefusedWithTheReadOnlyHint_AndSendsNothing()
    {
        await using var c = await ConnectAsync(emulator, extraArgs: ["--read-only"]);
        var before = Journal.Elapsed;
        var body = Error(await c.CallAsync("server_note_create", new() { ["server_id"] = Seed.ServerId("web-01"), ["title"] = "t", ["content"] = "c" }));

        Assert.Contains("--read-only", (string?)body["message"]);
        Assert.Contains("the server runs with --read-only", (string?)body["hint"], StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(Journal.Entries, e => e.At >= before && e.Method != "GET");
        Assert.Equal("web-01", (string?)Success(await c.CallAsync("server_get", new() { ["server_id"] = Seed.ServerId("web-01") }))["data"]!["name"]);
    }

    [Fact]
    public async Task ReadOnly_FromTheEnvironment_OverStdio_RefusesDestructiveTools()
    {
        await using var c = await ConnectAsync(emulator, Transport.Stdio, protocolVersion: HostProtocol, extraEnv: new Dictionary<string, string> { ["ALPACON_MCP_READ_ONLY"] = "1" });
        var listed = await c.Client.ListToolsAsync();
        Assert.DoesNotContain(listed, t => t.Name == "iam_user_delete");

        var before = Journal.Elapsed;
        var body = Error(await c.CallAsync("iam_user_delete", new() { ["user_id"] = Seed.UserId("bo") }));
        Assert.Contains("--read-only", (string?)body["hint"]);
        Assert.DoesNotContain(Journal.Entries, e => e.At >= before && e.Method == "DELETE");
    }

    [Fact]
    public async Task ToolsTheHostAdds_AreOutsideThePolicy_ListedAndRunWithoutConfirmation()
    {
        // A test-only host (the conformance fixtures) adds tools through AddAlpaconMcp's extend hook. They belong to no
        // toolset, so --toolsets and --read-only do not hide them, and their default (destructive) hints ask nothing.
        var asked = new List<ElicitRequestParams>();
        var handlers = new McpClientHandlers
        {
            ElicitationHandler = (request, _) =>
            {
                lock (asked)
                    asked.Add(request!);
                return ValueTask.FromResult(new ElicitResult { Action = "decline" });
            },
        };
        await using var c = await ConnectAsync(emulator, extraArgs: ["--toolsets", "servers", "--read-only"], handlers: handlers, extend: m => m.WithTools<HostTools>());

        var listed = (await c.Client.ListToolsAsync()).Select(t => t.Name).ToList();
        Assert.Contains("host_fixture", listed);
        Assert.DoesNotContain("iam_users_list", listed);
        var result = await c.CallAsync("host_fixture");
        Assert.False(result.IsError == true);
        Assert.Equal("fixture ran", Assert.IsType<TextContentBlock>(Assert.Single(result.Content)).Text);
        Assert.Empty(asked);
        Assert.Contains("'iam' toolset", (string?)Error(await c.CallAsync("iam_users_list"))["message"]);
    }

    [McpServerToolType]
    public sealed class HostTools
    {
        [McpServerTool(Name = "host_fixture")]
        [Description("A tool a test host adds, with no annotations (test only).")]
        public static string Fixture() => "fixture ran";
    }

    [Fact]
    public async Task UnknownTool_IsStillAProtocolError()
    {
        await using var c = await ConnectAsync(emulator, extraArgs: ["--read-only"]);
        var e = await Assert.ThrowsAsync<McpProtocolException>(() => c.CallAsync("no_such_tool"));
        Assert.Contains("no_such_tool", e.Message);
    }
}
