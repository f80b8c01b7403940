using System.Text.Json.Nodes;
using Alpacon.Emulator.Core;
using Alpacon.Mcp.Tests.Infrastructure;
using static Alpacon.Mcp.Tests.Infrastructure.McpHarness;

namespace Alpacon.Mcp.Tests;

/// <summary>Every tool and resource, success and failure, over each transport and both protocol generations.</summary>
[Collection(EmulatorCollection.Name)]
public sealed class TransportTests(EmulatorFixture emulator)
{
    public static TheoryData<Transport, string?> Matrix => new()
    {
        { Transport.Pipes, null },
        { Transport.Pipes, HostProtocol },
        { Transport.Stdio, null },
        { Transport.Stdio, HostProtocol },
        { Transport.Http, null },
        { Transport.Http, HostProtocol },
    };

    [Theory]
    [MemberData(nameof(Matrix))]
    public async Task EveryFoundationTool_WorksEndToEnd(Transport transport, string? protocol)
    {
        await using var c = await ConnectAsync(emulator, transport, protocol);
        if (protocol is not null)
            Assert.Equal(protocol, c.Client.NegotiatedProtocolVersion);
        var web02 = Seed.ServerId("web-02");

        var tools = await c.Client.ListToolsAsync();
        foreach (var name in new[] { "auth_set_token", "auth_remove_token", "servers_list", "server_get", "server_notes_list", "server_note_create" })
            Assert.Contains(tools, t => t.Name == name);

        Assert.Equal(24, Success(await c.CallAsync("servers_list")).AsObject()["data"]!.AsArray().Count);
        Assert.Equal("web-02", (string?)Success(await c.CallAsync("server_get", new() { ["server_id"] = web02 }))["data"]!["name"]);
        Error(await c.CallAsync("server_get", new() { ["server_id"] = "not-a-uuid" }));
        Success(await c.CallAsync("server_notes_list", new() { ["server_id"] = web02 }));
        Error(await c.CallAsync("server_notes_list", new() { ["server_id"] = "" }));
        Success(await c.CallAsync("server_note_create", new() { ["server_id"] = web02, ["title"] = transport.ToString(), ["content"] = "checked" }));
        Error(await c.CallAsync("server_note_create", new() { ["server_id"] = "00000000-0000-4000-8000-000000000000", ["title"] = "t", ["content"] = "c" }));
        Success(await c.CallAsync("auth_set_token", new() { ["region"] = "us1", ["workspace"] = "extra", ["token"] = "alpat-extra-1234567890", ["verify"] = false }));
        Error(await c.CallAsync("auth_set_token", new() { ["region"] = "us1", ["workspace"] = "extra", ["token"] = "" }));
        Success(await c.CallAsync("auth_remove_token", new() { ["region"] = "us1", ["workspace"] = "extra" }));
        Error(await c.CallAsync("auth_remove_token", new() { ["region"] = "!!", ["workspace"] = "extra" }));

        Assert.NotEmpty((await c.Client.ReadResourceAsync("auth://status")).Contents);
        Assert.NotEmpty((await c.Client.ReadResourceAsync("auth://config")).Contents);
        Assert.NotEmpty((await c.Client.ReadResourceAsync("auth://tokens/ap1/acme")).Contents);
        await Assert.ThrowsAsync<ModelContextProtocol.McpProtocolException>(() => c.Client.ReadResourceAsync("auth://tokens/ap1/missing").AsTask());
    }

    [Fact]
    public async Task Stdio_WritesNothingButProtocolOnStdout_AndLogsToStderr()
    {
        // A raw process, not the SDK client: the client skips stray stdout lines, which other hosts choke on.
        var env = new Dictionary<string, string>
        {
            ["HOME"] = Path.GetTempPath(),
            ["ALPACON_MCP_AP1_ACME_TOKEN"] = EmulatorFixture.TestToken,
            ["ALPACON_MCP_AP1_ACME_URL"] = emulator.BaseUrl.AbsoluteUri,
        };
        await using var server = ServerProcess.StartStdio(env, "--log-level", "trace");
        var input = new StreamWriter(server.Input) { AutoFlush = true, NewLine = "\n" };
        var output = new StreamReader(server.Output);
        await input.WriteLineAsync("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"" + HostProtocol + "\",\"capabilities\":{},\"clientInfo\":{\"name\":\"raw\",\"version\":\"1\"}}}");
        await input.WriteLineAsync("""{"jsonrpc":"2.0","method":"notifications/initialized"}""");
        await input.WriteLineAsync("""{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"server_get","arguments":{"server_id":"bad"}}}""");
        await input.WriteLineAsync("""{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"servers_list","arguments":{}}}""");

        var answered = new HashSet<long>();
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (answered.Count < 3)
        {
            var line = await output.ReadLineAsync(deadline.Token) ?? throw new InvalidOperationException("stdout closed early:\n" + string.Join("\n", server.Log));
            var message = JsonNode.Parse(line)!.AsObject(); // any non-JSON line fails here
            Assert.Equal("2.0", (string?)message["jsonrpc"]);
            if (message["id"] is { } id)
                answered.Add((long)id);
        }
        Assert.Equal([1, 2, 3], answered.Order());

        input.Close(); // stdin closed: the server stops
        Assert.Equal(0, await server.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        Assert.Null(await output.ReadLineAsync()); // nothing more on stdout, not even at shutdown
        Assert.Contains(server.Log, l => l.Contains("Tool call servers_list", StringComparison.Ordinal) && l.Contains("success", StringComparison.Ordinal));
        Assert.Contains(server.Log, l => l.Contains("Tool call server_get", StringComparison.Ordinal));
    }
}
