using System.Text.Json.Nodes;
using Alpacon.Mcp.Tests.Infrastructure;
using ModelContextProtocol.Client;
using static Alpacon.Mcp.Tests.Infrastructure.McpHarness;

namespace Alpacon.Mcp.Tests;

[Collection(EmulatorCollection.Name)]
public sealed class CliTests(EmulatorFixture emulator) : IDisposable
{
    private readonly string _home = Directory.CreateTempSubdirectory("alpacon-cli-").FullName;

    public void Dispose() => Directory.Delete(_home, recursive: true);

    private Dictionary<string, string> Env(params (string Key, string Value)[] extra)
    {
        var env = new Dictionary<string, string> { ["HOME"] = _home };
        foreach (var (k, v) in extra)
            env[k] = v;
        return env;
    }

    [Fact]
    public async Task Version_And_Help_ExitZero()
    {
        var version = await CliProcess.RunAsync(["--version"], Env());
        Assert.Equal(0, version.ExitCode);
        Assert.Matches(@"^\d+\.\d+\.\d+\s*$", version.StandardOutput);

        var help = await CliProcess.RunAsync(["--help"], Env());
        Assert.Equal(0, help.ExitCode);
        Assert.Contains("--sandbox", help.StandardOutput);
    }

    [Theory]
    [InlineData("--bogus")]
    [InlineData("--transport", "carrier-pigeon")]
    [InlineData("--toolsets", "servers,nope")]
    [InlineData("--port", "99999")]
    [InlineData("frobnicate")]
    [InlineData("--request-timeout", "0")]
    public async Task BadCommandLine_ExitsTwoWithAMessage(params string[] args)
    {
        var outcome = await CliProcess.RunAsync(args, Env());
        Assert.Equal(2, outcome.ExitCode);
        Assert.StartsWith("alpacon-mcp: ", outcome.StandardError);
        Assert.Equal("", outcome.StandardOutput);
    }

    [Fact]
    public async Task Http_BeyondLoopbackWithoutAccessToken_RefusesToStart()
    {
        var outcome = await CliProcess.RunAsync(["--transport", "http", "--host", "0.0.0.0", "--port", "0"], Env());
        Assert.Equal(2, outcome.ExitCode);
        Assert.Contains("--auth-token", outcome.StandardError);
    }

    [Fact]
    public async Task Add_TwoConcurrentProcesses_LoseNothing_AndFileIs0600()
    {
        var file = Path.Combine(_home, "token.json");
        async Task Writer(string prefix)
        {
            for (var i = 0; i < 6; i++)
            {
                var outcome = await CliProcess.RunAsync(["add", "--workspace", $"{prefix}-{i}", "--config-file", file], Env(), stdin: $"alpat-{prefix}-{i}-secret\n");
                Assert.Equal(0, outcome.ExitCode);
                Assert.DoesNotContain("secret", outcome.StandardOutput);
            }
        }
        await Task.WhenAll(Writer("a"), Writer("b"));

        var json = JsonNode.Parse(File.ReadAllText(file))!["ap1"]!.AsObject();
        Assert.Equal(12, json.Count);
        Assert.Equal("alpat-b-5-secret", (string?)json["b-5"]);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
    }

    [Fact]
    public async Task NoTokenConfigured_ServesTheSandbox()
    {
        await using var client = await McpClient.CreateAsync(new StdioClientTransport(new StdioClientTransportOptions
        {
            Command = "dotnet",
            Arguments = [Path.Combine(AppContext.BaseDirectory, "alpacon-mcp.dll")],
            EnvironmentVariables = new Dictionary<string, string?> { ["HOME"] = _home },
            WorkingDirectory = _home,
        }), new McpClientOptions { ProtocolVersion = HostProtocol });

        Assert.Contains("SANDBOX", client.ServerInstructions);
        var body = Success(await client.CallToolAsync("servers_list", new Dictionary<string, object?>()));
        Assert.Equal("sandbox", (string?)body["workspace"]);
        Assert.Equal(24, body["data"]!.AsArray().Count);
        var file = Path.Combine(_home, ".alpacon-mcp", "token.json");
        Assert.False(File.Exists(file));

        // A token the assistant stores for a real workspace is kept in the token file, and usable at once.
        var set = Success(await client.CallToolAsync("auth_set_token", new Dictionary<string, object?>
        {
            ["region"] = "ap1",
            ["workspace"] = "acme",
            ["token"] = EmulatorFixture.TestToken,
            ["url"] = emulator.BaseUrl.AbsoluteUri,
        }));
        Assert.Equal(file, (string?)set["data"]!["store"]);
        Assert.True((bool)set["data"]!["verified"]!);
        Assert.Contains("started on the sandbox", (string?)set["data"]!["note"]);
        Assert.Contains("\"acme\"", File.ReadAllText(file));
        Assert.DoesNotContain("sandbox", File.ReadAllText(file));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        Assert.Equal("acme", (string?)Success(await client.CallToolAsync("servers_list", new Dictionary<string, object?> { ["workspace"] = "acme" }))["workspace"]);
        Assert.Equal("sandbox", (string?)Success(await client.CallToolAsync("servers_list", new Dictionary<string, object?> { ["workspace"] = "sandbox" }))["workspace"]);
    }

    [Fact]
    public async Task Sandbox_IgnoresTheUsersTokenFileAndEnvironment()
    {
        Directory.CreateDirectory(Path.Combine(_home, ".alpacon-mcp"));
        var file = Path.Combine(_home, ".alpacon-mcp", "token.json");
        File.WriteAllText(file, """{"ap1":{"real":"alpat-real-token-123456"}}""");
        await using var client = await McpClient.CreateAsync(new StdioClientTransport(new StdioClientTransportOptions
        {
            Command = "dotnet",
            Arguments = [Path.Combine(AppContext.BaseDirectory, "alpacon-mcp.dll"), "--sandbox"],
            EnvironmentVariables = new Dictionary<string, string?> { ["HOME"] = _home, ["ALPACON_MCP_AP1_ENVWS_TOKEN"] = "alpat-env-123456789" },
            WorkingDirectory = _home,
        }));

        var set = Success(await client.CallToolAsync("auth_set_token", new Dictionary<string, object?> { ["region"] = "ap1", ["workspace"] = "extra", ["token"] = "alpat-extra-123456789", ["verify"] = false }));
        Assert.Equal("memory (sandbox)", (string?)set["data"]!["store"]);
        Assert.Equal("""{"ap1":{"real":"alpat-real-token-123456"}}""", File.ReadAllText(file));
        var error = Error(await client.CallToolAsync("servers_list", new Dictionary<string, object?> { ["workspace"] = "envws" }));
        Assert.Contains("No token is configured", (string?)error["message"]);
    }

    [Fact]
    public async Task MalformedTokenFile_ServerStillStarts_AndToolsNameTheFile()
    {
        var file = Path.Combine(_home, "broken.json");
        File.WriteAllText(file, "{\"ap1\": {\"acme\": ");
        await using var client = await McpClient.CreateAsync(new StdioClientTransport(new StdioClientTransportOptions
        {
            Command = "dotnet",
            Arguments = [Path.Combine(AppContext.BaseDirectory, "alpacon-mcp.dll"), "--config-file", file],
            EnvironmentVariables = new Dictionary<string, string?> { ["HOME"] = _home },
        }));
        var body = Error(await client.CallToolAsync("servers_list", new Dictionary<string, object?>()));
        Assert.Contains(file, (string?)body["message"]);
        Assert.Contains("not valid JSON", (string?)body["message"]);
        _ = emulator;
    }
}
