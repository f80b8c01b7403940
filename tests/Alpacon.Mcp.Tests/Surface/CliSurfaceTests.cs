using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Alpacon.Emulator.Core;
using Alpacon.Mcp.Hosting;
using Alpacon.Mcp.Tests.Infrastructure;

namespace Alpacon.Mcp.Tests.Surface;

/// <summary>The command line for people, end to end as processes: exit codes, outputs and file modes.</summary>
[Collection(EmulatorCollection.Name)]
public sealed class CliSurfaceTests(EmulatorFixture emulator) : IDisposable
{
    private readonly string _home = Directory.CreateTempSubdirectory("alpacon-surface-").FullName;

    public void Dispose() => Directory.Delete(_home, recursive: true);

    private Dictionary<string, string> Env(params (string Key, string Value)[] extra)
    {
        var env = new Dictionary<string, string> { ["HOME"] = _home };
        foreach (var (k, v) in extra)
            env[k] = v;
        return env;
    }

    private Task<CliProcess.Outcome> Run(params string[] args) => CliProcess.RunAsync(args, Env(), workingDirectory: _home);

    private string TokenFile(string json)
    {
        var file = Path.Combine(_home, "token.json");
        File.WriteAllText(file, json);
        return file;
    }

    /// <summary>A token file whose ap1 workspaces all point at the emulator.</summary>
    private string Workspaces(params (string Name, string Token)[] workspaces)
    {
        var region = new JsonObject();
        foreach (var (name, token) in workspaces)
            region[name] = new JsonObject { ["token"] = token, ["url"] = emulator.BaseUrl.AbsoluteUri };
        return new JsonObject { ["ap1"] = region }.ToJsonString();
    }

    [Fact]
    public async Task Version_ComesFromDirectoryBuildProps()
    {
        var props = File.ReadAllText(Path.Combine(Repository.Root, "Directory.Build.props"));
        var version = Regex.Match(props, "<Version>([^<]+)</Version>").Groups[1].Value;
        Assert.Equal(version, (await Run("--version")).StandardOutput.Trim());
    }

    [Fact]
    public async Task Tools_ListsEveryToolWithToolsetHintsAndParameters()
    {
        var outcome = await Run("tools");
        Assert.Equal(0, outcome.ExitCode);
        var lines = outcome.StandardOutput.Split('\n');
        foreach (var tool in ToolCatalog.Create(new ServerSettings()).All)
            Assert.Contains(lines, l => l.StartsWith(tool.Name + " ", StringComparison.Ordinal) && l.Contains($" {tool.Toolset} ", StringComparison.Ordinal));
        var delete = lines.Single(l => l.StartsWith("iam_user_delete ", StringComparison.Ordinal));
        Assert.Contains("destructive", delete);
        Assert.Contains("user_id=<string>", delete);
        Assert.Contains("[region=ap1]", lines.Single(l => l.StartsWith("servers_list ", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Tools_ReadOnlyAndToolsets_ListOnlyWhatTheServerWouldExpose()
    {
        var outcome = await Run("--read-only", "--toolsets", "servers,iam", "tools");
        Assert.Equal(0, outcome.ExitCode);
        Assert.Contains("servers_list ", outcome.StandardOutput);
        Assert.Contains("iam_users_list ", outcome.StandardOutput);
        Assert.DoesNotContain("server_note_create", outcome.StandardOutput);
        Assert.DoesNotContain("iam_user_delete", outcome.StandardOutput);
        Assert.DoesNotContain("auth_set_token", outcome.StandardOutput);
        Assert.Contains("hidden by --read-only and --toolsets", outcome.StandardOutput);
    }

    [Fact]
    public async Task Tools_OneTool_DescribesItsParameters()
    {
        var outcome = await Run("tools", "server_get");
        Assert.Equal(0, outcome.ExitCode);
        Assert.Contains("toolset: servers", outcome.StandardOutput);
        Assert.Contains("server_id (string, required): Server UUID", outcome.StandardOutput);
        Assert.Contains("region (string, default ap1)", outcome.StandardOutput);
        Assert.Contains("Usage: alpacon-mcp call server_get server_id=<string>", outcome.StandardOutput);
    }

    [Theory]
    [InlineData("tools", "nope")]
    [InlineData("call")]
    [InlineData("--sandbox", "call", "nope_tool")]
    [InlineData("--sandbox", "call", "server_get")]
    [InlineData("--sandbox", "call", "iam_users_list", "page=abc")]
    [InlineData("--sandbox", "call", "servers_list", "colour=blue")]
    [InlineData("--sandbox", "call", "servers_list", "not-key-value")]
    [InlineData("--confirm-destructive", "sometimes")]
    public async Task BadToolsOrCallCommandLine_ExitsTwoWithAMessage(params string[] args)
    {
        var outcome = await Run(args);
        Assert.Equal(2, outcome.ExitCode);
        Assert.Contains("alpacon-mcp: ", outcome.StandardError);
        Assert.Equal("", outcome.StandardOutput);
    }

    [Fact]
    public async Task UnknownToolsetFromTheEnvironment_ExitsTwo()
    {
        var outcome = await CliProcess.RunAsync(["tools"], Env(("ALPACON_MCP_TOOLSETS", "servers,telepathy")));
        Assert.Equal(2, outcome.ExitCode);
        Assert.Contains("Unknown toolset(s): telepathy", outcome.StandardError);
    }

    [Fact]
    public async Task Call_Sandbox_ServersList_IsAFirstCommandThatWorks()
    {
        var outcome = await Run("--sandbox", "call", "servers_list");
        Assert.Equal(0, outcome.ExitCode);
        var body = JsonNode.Parse(outcome.StandardOutput)!;
        Assert.Equal("success", (string?)body["status"]);
        Assert.Equal("sandbox", (string?)body["workspace"]);
        Assert.Equal(24, body["data"]!.AsArray().Count);
    }

    [Fact]
    public async Task Call_JsonObjectArguments_AndToolErrorExitsOne()
    {
        var ok = await Run("--sandbox", "call", "server_get", $"{{\"server_id\": \"{Seed.ServerId("db-01")}\"}}");
        Assert.Equal(0, ok.ExitCode);
        Assert.Equal("db-01", (string?)JsonNode.Parse(ok.StandardOutput)!["data"]!["name"]);

        var error = await Run("--sandbox", "call", "server_get", "server_id=00000000-0000-4000-8000-000000000000");
        Assert.Equal(1, error.ExitCode);
        var body = JsonNode.Parse(error.StandardOutput)!;
        Assert.Equal("error", (string?)body["status"]);
        Assert.Equal(404, (int?)body["status_code"]);
    }

    [Fact]
    public async Task Call_ReadOnly_RefusesAWriteTool_ExitsOne()
    {
        var outcome = await Run("--sandbox", "--read-only", "call", "server_note_create", $"server_id={Seed.ServerId("web-01")}", "title=t", "content=c");
        Assert.Equal(1, outcome.ExitCode);
        Assert.Contains("--read-only", (string?)JsonNode.Parse(outcome.StandardOutput)!["hint"]);
    }

    [Fact]
    public async Task Call_ConfiguredWorkspace_TypedArguments_ReachTheApi()
    {
        var before = emulator.Emulator.Journal.Elapsed;
        var outcome = await CliProcess.RunAsync(["call", "iam_users_list", "page=1", "page_size=2", "--workspace", "acme"],
            Env(("ALPACON_MCP_AP1_ACME_TOKEN", EmulatorFixture.TestToken), ("ALPACON_MCP_AP1_ACME_URL", emulator.BaseUrl.AbsoluteUri)), workingDirectory: _home);

        Assert.Equal(0, outcome.ExitCode);
        Assert.Equal("acme", (string?)JsonNode.Parse(outcome.StandardOutput)!["workspace"]);
        var request = Assert.Single(emulator.Emulator.Journal.Matching("GET", "/api/iam/users/"), e => e.At >= before);
        Assert.Equal("2", request.QueryValue("page_size"));
    }

    [Fact]
    public async Task Setup_StdinIsNotATerminal_RefusesWithExitTwo()
    {
        var outcome = await CliProcess.RunAsync(["setup"], Env(), stdin: "ap1\nacme\n");
        Assert.Equal(2, outcome.ExitCode);
        Assert.Contains("stdin is not a terminal", outcome.StandardError);
        Assert.Contains("alpacon-mcp add", outcome.StandardError);
        Assert.False(Directory.Exists(Path.Combine(_home, ".alpacon-mcp")));
    }

    [Fact]
    public async Task List_ShowsEveryWorkspaceWithSourceMaskedTokenAndBaseUrl()
    {
        var file = TokenFile("""{"ap1": {"acme": "alpat-FILESECRET-0123456789abcd", "lab": {"token": "alpat-LABSECRET-99887766", "url": "https://alpacon.example.com"}}}""");
        var outcome = await CliProcess.RunAsync(["list", "--config-file", file], Env(("ALPACON_MCP_US1_OPS_TEAM_TOKEN", "alpat-ENVSECRET-55554444")));

        Assert.Equal(0, outcome.ExitCode);
        var lines = outcome.StandardOutput.Split('\n');
        Assert.Matches(@"^ap1\s+acme\s+file\s+alpat-…abcd\s+https://acme\.ap1\.alpacon\.io$", lines.Single(l => l.Contains("acme")));
        Assert.Matches(@"^ap1\s+lab\s+file\s+alpat-…7766\s+https://alpacon\.example\.com \(pinned\)$", lines.Single(l => l.Contains(" lab ")));
        Assert.Matches(@"^us1\s+ops-team\s+environment\s+alpat-…4444\s+https://ops-team\.us1\.alpacon\.io$", lines.Single(l => l.Contains("ops-team")));
        Assert.DoesNotContain("SECRET", outcome.StandardOutput);
        Assert.Contains(file, outcome.StandardOutput);
    }

    [Fact]
    public async Task Test_EveryWorkspaceWorks_ExitsZero()
    {
        var file = TokenFile(Workspaces(("acme", EmulatorFixture.TestToken)));
        var outcome = await CliProcess.RunAsync(["test", "--config-file", file], Env());

        Assert.Equal(0, outcome.ExitCode);
        Assert.Matches(@"ap1/acme\s+ok", outcome.StandardOutput);
        Assert.Contains("1 of 1 workspace(s) work.", outcome.StandardOutput);
        Assert.DoesNotContain("TESTSECRET", outcome.StandardOutput);
    }

    [Fact]
    public async Task Test_OneWorkspaceFails_ExitsOneAndSaysWhy()
    {
        var file = TokenFile(Workspaces(("acme", EmulatorFixture.TestToken), ("stale", "alpat-REVOKED-0000000000")));
        var outcome = await CliProcess.RunAsync(["test", "--config-file", file], Env());

        Assert.Equal(1, outcome.ExitCode);
        Assert.Matches(@"ap1/acme\s+ok", outcome.StandardOutput);
        Assert.Matches(@"ap1/stale\s+FAILED", outcome.StandardOutput);
        Assert.Contains("auth_set_token or 'alpacon-mcp setup'", outcome.StandardOutput);
        Assert.Contains("1 of 2 workspace(s) work.", outcome.StandardOutput);
        Assert.DoesNotContain("REVOKED", outcome.StandardOutput);
    }

    [Fact]
    public async Task Test_NothingConfigured_ExitsOne()
    {
        var outcome = await Run("test");
        Assert.Equal(1, outcome.ExitCode);
        Assert.Contains("No workspace is configured", outcome.StandardError);
    }

    [Fact]
    public async Task LogFile_IsCreated0600_WithOneLinePerToolCall_AndNoArgumentValues()
    {
        var log = Path.Combine(_home, "logs", "alpacon-mcp.log");
        var outcome = await Run("--sandbox", "--log-file", log, "call", "auth_set_token",
            "region=ap1", "workspace=extra", "token=alpat-LEAKCHECK-0123456789", "verify=false");

        Assert.Equal(0, outcome.ExitCode);
        Assert.Equal("", outcome.StandardError); // the call's line goes to the file; stderr keeps problems only
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(log));
        var text = File.ReadAllText(log);
        Assert.Matches(@"info Alpacon\.Mcp\.ToolCalls: Tool call auth_set_token \[ap1/extra\]: success in \d+ ms", text);
        Assert.DoesNotContain("LEAKCHECK", text);
        Assert.DoesNotContain("LEAKCHECK", outcome.StandardError);

        // Appended, not truncated; a file someone loosened is tightened again.
        File.SetUnixFileMode(log, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        await Run("--sandbox", "--log-file", log, "--log-level", "info", "call", "servers_list");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(log));
        Assert.Contains("Tool call auth_set_token", File.ReadAllText(log));
        Assert.Contains("Tool call servers_list", File.ReadAllText(log));
    }

    [Fact]
    public async Task LogFile_InAPlaceThatCannotBeWritten_ExitsTwo()
    {
        var blocker = TokenFile("{}");
        var outcome = await Run("--log-file", Path.Combine(blocker, "sub", "x.log"), "tools");
        Assert.Equal(2, outcome.ExitCode);
        Assert.Contains("--log-file", outcome.StandardError);
    }
}
