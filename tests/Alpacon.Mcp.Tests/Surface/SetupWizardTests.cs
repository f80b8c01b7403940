using System.Text.Json.Nodes;
using Alpacon.Api.Configuration;
using Alpacon.Mcp.Cli;
using Alpacon.Mcp.Tests.Infrastructure;
using Alpacon.Mcp.Tools;

namespace Alpacon.Mcp.Tests.Surface;

/// <summary>The setup wizard's logic, driven in-process through text readers (the process refuses without a terminal).</summary>
[Collection(EmulatorCollection.Name)]
public sealed class SetupWizardTests(EmulatorFixture emulator) : IDisposable
{
    private readonly string _home = Directory.CreateTempSubdirectory("alpacon-setup-").FullName;

    public void Dispose() => Directory.Delete(_home, recursive: true);

    private string File_ => Path.Combine(_home, "cfg", "token.json");

    private async Task<(int ExitCode, string Output)> RunAsync(string input, params string?[] secrets) => await RunAsync(input, null, secrets);

    private async Task<(int ExitCode, string Output)> RunAsync(string input, Func<WorkspaceTarget, CancellationToken, Task<ToolError?>>? verify, params string?[] secrets)
    {
        var settings = CommandLine.Parse(["--config-file", File_], new Dictionary<string, string> { ["HOME"] = _home }).Settings;
        var queue = new Queue<string?>(secrets);
        var output = new StringWriter();
        var wizard = new SetupWizard(new StringReader(input), output, () => queue.Count > 0 ? queue.Dequeue() : null, settings, new Dictionary<string, string>(), verify);
        var code = await wizard.RunAsync();
        return (code, output.ToString());
    }

    private string Url => emulator.BaseUrl.AbsoluteUri.TrimEnd('/');

    [Fact]
    public async Task Setup_VerifiesAndSavesThe0600File_AndPrintsClientConfigurations()
    {
        var before = emulator.Emulator.Journal.Elapsed;
        var (code, output) = await RunAsync($"\nacme\n{Url}\n", EmulatorFixture.TestToken);

        Assert.Equal(0, code);
        Assert.Contains("it works.", output);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(File_));
        var entry = JsonNode.Parse(File.ReadAllText(File_))!["ap1"]!["acme"]!;
        Assert.Equal(EmulatorFixture.TestToken, (string?)entry["token"]);
        Assert.Equal(Url, (string?)entry["url"]);
        Assert.Contains(emulator.Emulator.Journal.Matching("GET", "/api/status/"), e => e.At >= before && e.Authorization!.Contains(EmulatorFixture.TestToken, StringComparison.Ordinal));

        Assert.DoesNotContain(EmulatorFixture.TestToken, output);
        Assert.Contains("alpat-…cdef", output);
        foreach (var client in new[] { "Claude Desktop", "Claude Code", "Cursor", "VS Code", "\"mcpServers\"", "\"servers\"", "claude mcp add" })
            Assert.Contains(client, output);
        // The token file is not the default one, so the configuration names it.
        Assert.Contains($"\"--config-file\",\n        \"{File_}\"", output.Replace("\r", "", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Setup_DefaultUrl_IsNotPinned()
    {
        // The check is replaced: the default URL is on the internet, which tests never reach.
        var checkedAt = new List<Uri>();
        var (code, output) = await RunAsync("us1\nops-team\n\n", (target, _) =>
        {
            checkedAt.Add(target.BaseUrl);
            return Task.FromResult<ToolError?>(null);
        }, "alpat-whatever-0123456789");

        Assert.Equal(0, code);
        Assert.Equal("https://ops-team.us1.alpacon.io/", Assert.Single(checkedAt).AbsoluteUri);
        Assert.Contains("[https://ops-team.us1.alpacon.io]", output);
        Assert.Equal("alpat-whatever-0123456789", (string?)JsonNode.Parse(File.ReadAllText(File_))!["us1"]!["ops-team"]);
    }

    [Fact]
    public async Task Setup_RefusedToken_AsksAgain()
    {
        var (code, output) = await RunAsync($"ap1\nacme\n{Url}\n", "alpat-WRONG-0000000000", EmulatorFixture.TestToken);
        Assert.Equal(0, code);
        Assert.Contains("refused (401)", output);
        Assert.Equal(EmulatorFixture.TestToken, (string?)JsonNode.Parse(File.ReadAllText(File_))!["ap1"]!["acme"]!["token"]);
        Assert.DoesNotContain("WRONG", output);
    }

    [Fact]
    public async Task Setup_UnreachableHost_SavesOnlyWhenTheUserSaysSo()
    {
        var (code, output) = await RunAsync("ap1\nacme\nhttp://127.0.0.1:1\ny\n", "alpat-offline-0123456789");
        Assert.Equal(0, code);
        Assert.Contains("failed:", output);
        Assert.Equal("http://127.0.0.1:1", (string?)JsonNode.Parse(File.ReadAllText(File_))!["ap1"]!["acme"]!["url"]);
    }

    [Fact]
    public async Task Setup_ExistingToken_IsKeptUnlessTheUserAgrees()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(File_)!);
        File.WriteAllText(File_, """{"ap1":{"acme":"alpat-KEEPME-0123456789"}}""");
        var (code, output) = await RunAsync($"ap1\nacme\n{Url}\n\n", EmulatorFixture.TestToken);

        Assert.Equal(1, code);
        Assert.Contains("already has a token (alpat-…6789)", output);
        Assert.Equal("""{"ap1":{"acme":"alpat-KEEPME-0123456789"}}""", File.ReadAllText(File_));
    }

    [Fact]
    public async Task Setup_InvalidAnswers_AreAskedAgain_AndEndOfInputStops()
    {
        var (code, output) = await RunAsync("Not A Region!\nap1\nBad_Workspace!\n");
        Assert.Equal(1, code);
        Assert.Contains("a region is a short lower-case name", output);
        Assert.Contains("use the lower-case name from the workspace's URL", output);
        Assert.False(File.Exists(File_));
    }

    [Fact]
    public void ClientConfigs_QuoteForTheShell_AndEscapeJson()
    {
        var text = ClientConfigs.Render(new Launch("/opt/my tools/alpacon-mcp", ["--config-file", "/tmp/it's.json"]));
        Assert.Contains("\"command\": \"/opt/my tools/alpacon-mcp\"", text);
        Assert.Contains("claude mcp add --scope user alpacon -- '/opt/my tools/alpacon-mcp' --config-file '/tmp/it'\\''s.json'", text);
        Assert.Contains("\"type\": \"stdio\"", text);
    }
}
