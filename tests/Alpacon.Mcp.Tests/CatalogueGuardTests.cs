using System.Text.Json;
using System.Text.RegularExpressions;
using Alpacon.Mcp.Tests.Infrastructure;

namespace Alpacon.Mcp.Tests;

/// <summary>
/// The tool catalogue (spec/tools-reference.md, copied under Catalogue/) is the contract with users:
/// names, parameter names and defaults must match it, and every tool carries its metadata explicitly.
/// </summary>
[Collection(EmulatorCollection.Name)]
public sealed partial class CatalogueGuardTests(EmulatorFixture emulator)
{
    /// <summary>Tools we add beyond the catalogue, on purpose (the issues name them).</summary>
    private static readonly HashSet<string> BeyondCatalogue =
    [
        "execute_command", "list_commands", "execute_command_multi_server", "webftp_download_file", "webftp_uploads_list",
    ];

    /// <summary>Parameters we add to catalogue tools, on purpose (the issues name them), as <c>tool.parameter</c>.</summary>
    private static readonly string[] ParametersBeyondCatalogue =
    [
        "auth_set_token.url", "auth_set_token.verify", // pinned URLs; the check against the API
        "finish_command.exit_code",
        "get_command_status.max_output",
        "get_cpu_usage.max_points", "get_disk_usage.max_points", "get_memory_usage.max_points", "get_network_traffic.max_points",
        "iam_group_create.display_name", "iam_group_create.servers",
        "webftp_upload_file.allow_overwrite", "webftp_upload_file.local_path",
        "websh_channel_execute.max_output_chars", "websh_command_execute.max_output_chars", "websh_command_execute.timeout", "websh_websocket_execute.max_output_chars",
    ];

    [GeneratedRegex(@"^#{3,4} `([a-z_]+)`", RegexOptions.Multiline)]
    private static partial Regex ToolHeading();

    [GeneratedRegex(@"^- `([a-z_]+)` \(([^)]*)\)", RegexOptions.Multiline)]
    private static partial Regex ParameterLine();

    private static Dictionary<string, List<(string Name, string Spec)>> Catalogue()
    {
        var text = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Catalogue", "tools-reference.md"));
        var headings = ToolHeading().Matches(text).ToList();
        var result = new Dictionary<string, List<(string, string)>>();
        for (var i = 0; i < headings.Count; i++)
        {
            var end = i + 1 < headings.Count ? headings[i + 1].Index : text.Length;
            var section = text[headings[i].Index..end];
            var parameters = section.Contains("Same as `get_cpu_usage`", StringComparison.Ordinal)
                ? result["get_cpu_usage"]
                : [.. ParameterLine().Matches(section).Select(m => (m.Groups[1].Value, m.Groups[2].Value))];
            result[headings[i].Groups[1].Value] = parameters;
        }
        return result;
    }

    [Fact]
    public void Catalogue_IsParsed()
    {
        var catalogue = Catalogue();
        Assert.True(catalogue.Count == 58, $"parsed {catalogue.Count} tools");
        Assert.Contains(("server_id", "string"), catalogue["server_get"]);
    }

    [Fact]
    public async Task EveryTool_MatchesTheCatalogue_AndSetsItsMetadata()
    {
        var catalogue = Catalogue();
        await using var c = await McpHarness.ConnectAsync(emulator);
        var tools = await c.Client.ListToolsAsync();
        Assert.NotEmpty(tools);
        Assert.Equal(tools.Count, tools.Select(t => t.Name).Distinct().Count());
        Assert.Empty(catalogue.Keys.Except(tools.Select(t => t.Name))); // every catalogue tool is served
        var added = new List<string>();

        foreach (var tool in tools.Select(t => t.ProtocolTool))
        {
            Assert.Matches("^[a-z][a-z0-9_]*$", tool.Name);
            Assert.False(string.IsNullOrWhiteSpace(tool.Description), $"{tool.Name} has no description");
            Assert.False(string.IsNullOrWhiteSpace(tool.Title), $"{tool.Name} has no title");
            var a = tool.Annotations;
            Assert.True(a is { ReadOnlyHint: not null, DestructiveHint: not null, IdempotentHint: not null, OpenWorldHint: not null }, $"{tool.Name} must set all four annotation hints");
            Assert.False(a!.ReadOnlyHint == true && a.DestructiveHint == true, $"{tool.Name} cannot be read-only and destructive");

            var schema = tool.InputSchema;
            var properties = schema.TryGetProperty("properties", out var p) ? p.EnumerateObject().ToDictionary(x => x.Name, x => x.Value) : [];
            foreach (var property in properties)
                Assert.True(property.Value.TryGetProperty("description", out _) || property.Key == "verify", $"{tool.Name}.{property.Key} has no description");

            if (!catalogue.TryGetValue(tool.Name, out var specified))
            {
                Assert.True(BeyondCatalogue.Contains(tool.Name), $"{tool.Name} is neither in the catalogue nor listed as beyond it");
                continue;
            }
            added.AddRange(properties.Keys.Where(k => specified.All(p => p.Name != k)).Select(k => $"{tool.Name}.{k}"));
            foreach (var (name, spec) in specified)
            {
                Assert.True(properties.ContainsKey(name), $"{tool.Name} lacks the catalogue parameter '{name}'");
                if (spec.Contains("default: \"ap1\"", StringComparison.Ordinal))
                    Assert.Equal("ap1", properties[name].GetProperty("default").GetString());
                var defaultMatch = Regex.Match(spec, @"default: (\d+|true|false)\b");
                if (defaultMatch.Success)
                    Assert.Equal(defaultMatch.Groups[1].Value, properties[name].GetProperty("default").GetRawText());
            }
            var required = schema.TryGetProperty("required", out var r) ? r.EnumerateArray().Select(x => x.GetString()!).ToList() : [];
            foreach (var name in required)
            {
                var spec = specified.FirstOrDefault(s => s.Name == name).Spec;
                Assert.True(spec is not null && !spec.Contains("optional", StringComparison.Ordinal) && !spec.Contains("default", StringComparison.Ordinal),
                    $"{tool.Name}.{name} is required but the catalogue makes it optional or does not name it");
            }
        }
        // Parameters beyond the catalogue are deliberate, optional, and listed here so none slips in unnoticed.
        Assert.Equal(ParametersBeyondCatalogue.Order(), added.Order());
    }

    [Fact]
    public async Task ToolSchemas_AreObjects()
    {
        await using var c = await McpHarness.ConnectAsync(emulator);
        foreach (var tool in await c.Client.ListToolsAsync())
            Assert.Equal(JsonValueKind.Object, tool.ProtocolTool.InputSchema.ValueKind);
    }
}
