using System.Text;
using System.Text.RegularExpressions;
using Alpacon.Mcp.Tests.Infrastructure;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using Xunit.Abstractions;
using static Alpacon.Mcp.Tests.Infrastructure.McpHarness;

namespace Alpacon.Mcp.Tests.Reliability;

/// <summary>
/// The whole MCP surface (every tool with working and with bad arguments, every resource and prompt) run by the real
/// stdio server at trace level with recognisable tokens; then every result, resource, prompt, log line and file the
/// server wrote is searched for them. Tokens may appear masked only; credential URLs not at all.
/// </summary>
[Collection(ReliabilityCollection.Name)]
public sealed partial class SecretLeakTests(EmulatorFixture emulator, ITestOutputHelper output)
{
    /// <summary>A service token the user stores through auth_set_token (the emulator does not know it: 401).</summary>
    private const string ServiceToken = "alpst-TESTSERVICE-fedcba9876543210";

    [GeneratedRegex(@"X-Amz-Signature=[^…&\s]|/ws/websh/[^…\s]|wss?://[^\s/""]+/[^…\s""]")]
    private static partial Regex CredentialUrl();

    [Fact]
    public async Task FullSurface_NeverShowsATokenOrCredentialUrl_InResultsResourcesLogsOrFiles()
    {
        await using var c = await ConnectAsync(emulator, Transport.Stdio, HostProtocol, extraArgs: ["--log-level", "trace"]);
        var seen = new StringBuilder();
        var calls = 0;

        async Task Call(string tool, Dictionary<string, object?> args)
        {
            calls++;
            try
            {
                var result = await c.Client.CallToolAsync(tool, args, cancellationToken: CancellationToken.None);
                seen.AppendLine(ToolCases.Text(result));
                if (result.StructuredContent is { } structured)
                    seen.AppendLine(structured.GetRawText());
            }
            catch (McpException e)
            {
                seen.AppendLine(e.Message);
            }
        }

        // A second workspace whose token the API refuses: errors quote what they can about it.
        await Call("auth_set_token", new() { ["region"] = "eu1", ["workspace"] = "secrets", ["token"] = ServiceToken, ["url"] = emulator.BaseUrl.AbsoluteUri, ["verify"] = true });
        await Call("servers_list", new() { ["region"] = "eu1", ["workspace"] = "secrets" });
        using var setup = await ToolSetup.CreateAsync(c.Client, emulator);
        foreach (var tool in await ToolCases.ToolsAsync(c.Client))
        {
            var valid = await ToolCases.ValidAsync(tool, setup);
            await Call(tool.Name, valid);
            foreach (var @case in ToolCases.Bad(tool, valid, setup.LocalRoot, includeLarge: false))
                await Call(@case.Tool, @case.Arguments);
        }

        var resources = await c.Client.ListResourcesAsync();
        var uris = resources.Select(r => r.Uri).ToList();
        foreach (var template in await c.Client.ListResourceTemplatesAsync())
        {
            uris.Add(template.UriTemplate.Replace("{region}", "ap1", StringComparison.Ordinal).Replace("{workspace}", Workspace, StringComparison.Ordinal));
            uris.Add(template.UriTemplate.Replace("{region}", "eu1", StringComparison.Ordinal).Replace("{workspace}", "secrets", StringComparison.Ordinal));
        }
        foreach (var uri in uris.Where(u => !u.Contains('{', StringComparison.Ordinal)))
        {
            try
            {
                foreach (var content in (await c.Client.ReadResourceAsync(uri)).Contents.OfType<TextResourceContents>())
                    seen.AppendLine(content.Text);
            }
            catch (McpException e)
            {
                seen.AppendLine(e.Message);
            }
        }
        var prompts = c.Client.ServerCapabilities.Prompts is null ? [] : await c.Client.ListPromptsAsync();
        foreach (var prompt in prompts)
        {
            var args = prompt.ProtocolPrompt.Arguments?.ToDictionary(a => a.Name, a => (object?)"reliability check") ?? [];
            try
            {
                foreach (var message in (await c.Client.GetPromptAsync(prompt.Name, args)).Messages)
                    seen.AppendLine(message.Content is TextContentBlock t ? t.Text : message.Content.ToString());
            }
            catch (McpException e)
            {
                seen.AppendLine(e.Message);
            }
        }

        // Every file the server wrote (HOME is the test's temporary folder): only the token file may hold a token.
        var tokenFile = c.TokenFile!;
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(tokenFile));
        var files = Directory.EnumerateFiles(Path.GetDirectoryName(tokenFile)!, "*", SearchOption.AllDirectories).Where(f => f != tokenFile).ToList();
        foreach (var file in files)
        {
            var text = File.ReadAllText(file);
            Assert.False(text.Contains(EmulatorFixture.TestToken, StringComparison.Ordinal) || text.Contains(ServiceToken, StringComparison.Ordinal), $"{file} holds a token");
        }
        await c.DisposeAsync(); // the server exits and flushes its log
        List<string> log;
        lock (c.ServerLog)
            log = [.. c.ServerLog];
        output.WriteLine($"{calls} calls, {uris.Count} resources read, {seen.Length} characters of results, {log.Count} log lines, {files.Count} other files");

        var results = seen.ToString();
        Assert.Contains("alpat-…cdef", results); // the masked form is what people see
        foreach (var secret in new[] { EmulatorFixture.TestToken, ServiceToken })
        {
            Assert.DoesNotContain(secret, results);
            Assert.DoesNotContain(log, l => l.Contains(secret, StringComparison.Ordinal));
        }
        Assert.DoesNotContain(log, l => CredentialUrl().IsMatch(l));
        Assert.DoesNotMatch(CredentialUrl(), results);
        Assert.Contains(log, l => l.StartsWith("info: ", StringComparison.Ordinal)); // the log was captured at all
    }

    [Fact]
    public async Task TokenFile_Is0600_ReplacedAtomically_AndHoldsTheOnlyCopy()
    {
        await using var c = await ConnectAsync(emulator, Transport.Stdio, HostProtocol);
        for (var i = 0; i < 5; i++)
            Success(await c.CallAsync("auth_set_token", new() { ["region"] = "eu1", ["workspace"] = $"w{i}", ["token"] = ServiceToken + i, ["url"] = "https://alpacon.example.com", ["verify"] = false }));
        var dir = Path.GetDirectoryName(c.TokenFile)!;

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(c.TokenFile!));
        foreach (var file in Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories).Where(f => f != c.TokenFile))
        {
            // Only the lock file may sit next to it: no temporary copies are left behind by the atomic replace.
            Assert.EndsWith(".lock", file);
            Assert.DoesNotContain("alpst-", File.ReadAllText(file));
        }
        Assert.Contains(ServiceToken + "4", File.ReadAllText(c.TokenFile!));
    }
}
