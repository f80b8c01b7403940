using Alpacon.Mcp.Tests.Infrastructure;
using ModelContextProtocol.Protocol;
using static Alpacon.Mcp.Tests.Infrastructure.McpHarness;

namespace Alpacon.Mcp.Tests.Surface;

/// <summary>The workflow prompts: listed with their arguments, and their text names the real tools.</summary>
[Collection(EmulatorCollection.Name)]
public sealed class PromptTests(EmulatorFixture emulator)
{
    private static string Text(GetPromptResult result) =>
        Assert.IsType<TextContentBlock>(Assert.Single(result.Messages).Content).Text;

    [Fact]
    public async Task Prompts_AreListedWithDescriptionsAndArguments()
    {
        await using var c = await ConnectAsync(emulator, protocolVersion: HostProtocol);
        var prompts = (await c.Client.ListPromptsAsync()).ToDictionary(p => p.Name, p => p.ProtocolPrompt);

        Assert.Equal(["access_review", "incident_triage", "safe_command_execution", "server_health_check"], prompts.Keys.Order());
        Assert.All(prompts.Values, p => Assert.False(string.IsNullOrWhiteSpace(p.Description)));
        Assert.True(prompts["server_health_check"].Arguments!.Single(a => a.Name == "server").Required);
        Assert.False(prompts["server_health_check"].Arguments!.Single(a => a.Name == "workspace").Required);
        Assert.True(prompts["safe_command_execution"].Arguments!.Single(a => a.Name == "command").Required);
        Assert.False(prompts["access_review"].Arguments!.Single(a => a.Name == "user").Required ?? false);
        // The server's own services (the tool policy) are not prompt arguments.
        Assert.DoesNotContain(prompts.Values.SelectMany(p => p.Arguments ?? []), a => a.Name == "policy");
    }

    [Fact]
    public async Task ServerHealthCheck_NamesTheServerAndTheTools()
    {
        await using var c = await ConnectAsync(emulator);
        var text = Text(await c.Client.GetPromptAsync("server_health_check", new Dictionary<string, object?> { ["server"] = "db-01", ["workspace"] = "acme", ["hours"] = "6" }));

        Assert.Contains("'db-01'", text);
        Assert.Contains("ap1/acme", text);
        Assert.Contains("servers_list", text);
        Assert.Contains("get_server_metrics_summary(hours=6)", text);
        Assert.Contains("change nothing", text);
        Assert.DoesNotContain("does not expose servers_list", text);
    }

    [Fact]
    public async Task Prompts_NameTheToolsThisServerDoesNotExpose()
    {
        await using var c = await ConnectAsync(emulator, extraArgs: ["--toolsets", "auth"]);
        var text = Text(await c.Client.GetPromptAsync("access_review", new Dictionary<string, object?> { ["user"] = "jane" }));
        Assert.Contains("'jane'", text);
        Assert.Contains("does not expose iam_users_list, iam_user_get", text);
    }

    [Fact]
    public async Task SafeCommandExecution_SaysWhatToCheckAndHowToReadTheResult()
    {
        await using var c = await ConnectAsync(emulator);
        var text = Text(await c.Client.GetPromptAsync("safe_command_execution", new Dictionary<string, object?> { ["command"] = "systemctl restart nginx", ["servers"] = "web-01,web-02" }));

        Assert.Contains("`systemctl restart nginx`", text);
        Assert.Contains("server_notes_list", text);
        Assert.Contains("'env'", text);
        Assert.Contains("sudo", text);
        Assert.Contains("execute_command", text);
        Assert.Contains("awaiting_approval", text);
        Assert.Contains("exit code", text);
    }

    [Fact]
    public async Task IncidentTriage_IncludesTheSymptom()
    {
        await using var c = await ConnectAsync(emulator);
        var text = Text(await c.Client.GetPromptAsync("incident_triage", new Dictionary<string, object?> { ["symptom"] = "checkout returns 502" }));
        Assert.Contains("\"checkout returns 502\"", text);
        Assert.Contains("list_events", text);
    }
}
