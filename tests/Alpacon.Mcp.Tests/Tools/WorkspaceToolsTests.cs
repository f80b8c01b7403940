using System.Text.Json.Nodes;
using Alpacon.Emulator.Core;
using Alpacon.Mcp.Tests.Infrastructure;
using static Alpacon.Mcp.Tests.Infrastructure.McpHarness;

namespace Alpacon.Mcp.Tests.Tools;

[Collection(EmulatorCollection.Name)]
public sealed class WorkspaceToolsTests(EmulatorFixture emulator)
{
    private const string PreferencesPath = "/api/workspaces/preferences/-/";

    private RequestJournal Journal => emulator.Emulator.Journal;

    private List<JournalEntry> Since(TimeSpan before, string method, string path) =>
        [.. Journal.Entries.Where(e => e.At >= before && e.Method == method && e.Path == path)];

    [Fact]
    public async Task WorkspaceList_ShowsEveryConfiguredWorkspace_NeverTheToken()
    {
        var env = new Dictionary<string, string>
        {
            ["ALPACON_MCP_US1_OTHER_CORP_TOKEN"] = "alpat-OTHERSECRET-0123456789",
            ["ALPACON_MCP_US1_OTHER_CORP_URL"] = "https://alpacon.other.example",
        };
        await using var c = await ConnectAsync(emulator, extraEnv: env);
        var before = Journal.Elapsed;
        var body = Success(await c.CallAsync("workspace_list"));

        var data = body["data"]!;
        Assert.Equal(2, (int)data["count"]!);
        var acme = data["workspaces"]!.AsArray().Single(w => (string?)w!["workspace"] == "acme")!;
        Assert.Equal("ap1", (string?)acme["region"]);
        Assert.Equal(emulator.BaseUrl.AbsoluteUri.TrimEnd('/'), (string?)acme["base_url"]);
        Assert.True((bool)acme["url_pinned"]!);
        Assert.Equal("environment", (string?)acme["token_source"]);
        Assert.Equal("alpat-…cdef", (string?)acme["token"]);
        var other = data["workspaces"]!.AsArray().Single(w => (string?)w!["workspace"] == "other-corp")!;
        Assert.Equal("us1", (string?)other["region"]);
        Assert.Equal("https://alpacon.other.example", (string?)other["base_url"]);
        Assert.Equal("acme", (string?)data["default_workspace"]);
        Assert.Equal("ap1", (string?)body["region"]);

        var text = body.ToJsonString();
        Assert.DoesNotContain(EmulatorFixture.TestToken, text);
        Assert.DoesNotContain("OTHERSECRET", text);
        Assert.DoesNotContain(Journal.Entries, e => e.At >= before);
    }

    [Fact]
    public async Task WorkspaceList_RegionWithSeveralWorkspaces_HasNoDefault()
    {
        var env = new Dictionary<string, string> { ["ALPACON_MCP_AP1_SECOND_TOKEN"] = "alpat-second-0123456789" };
        await using var c = await ConnectAsync(emulator, extraEnv: env);
        var data = Success(await c.CallAsync("workspace_list", new() { ["region"] = "ap1" }))["data"]!;

        Assert.Null(data["default_workspace"]);
        Assert.Contains("pass 'workspace'", (string?)data["note"]);
    }

    [Fact]
    public async Task UserProfileGet_IsTheUserBehindTheToken()
    {
        await using var c = await ConnectAsync(emulator, token: Seed.OperatorToken);
        var before = Journal.Elapsed;
        var data = Success(await c.CallAsync("user_profile_get"))["data"]!;

        Assert.Equal("bo", (string?)data["username"]);
        Assert.Equal(Seed.UserId("bo"), (string?)data["id"]);
        Assert.False((bool)data["is_staff"]!);
        Assert.Single(Since(before, "GET", "/api/iam/users/-/"));
    }

    [Fact]
    public async Task UserSettingsGet_ReadsTheWorkspacePreferences()
    {
        await using var c = await ConnectAsync(emulator);
        var before = Journal.Elapsed;
        var data = Success(await c.CallAsync("user_settings_get"))["data"]!;

        Assert.NotNull(data["timezone"]);
        Assert.Equal(System.Text.Json.JsonValueKind.Array, data["allowed_domains"]!.GetValueKind());
        Assert.Single(Since(before, "GET", PreferencesPath));
    }

    [Fact]
    public async Task UserSettingsUpdate_PatchesOnlyTheFieldsGiven_AndShowsThePreviousValues()
    {
        await using var c = await ConnectAsync(emulator);
        var current = Success(await c.CallAsync("user_settings_get"))["data"]!;
        var timezone = (string?)current["timezone"] == "Europe/Berlin" ? "Asia/Tokyo" : "Europe/Berlin";
        var before = Journal.Elapsed;
        var data = Success(await c.CallAsync("user_settings_update", new() { ["settings"] = new JsonObject { ["timezone"] = timezone, ["websh_session_timeout"] = 900 } }))["data"]!;

        var patch = JsonNode.Parse(Assert.Single(Since(before, "PATCH", PreferencesPath)).Body!)!.AsObject();
        Assert.Equal(["timezone", "websh_session_timeout"], patch.Select(p => p.Key));
        Assert.Equal(timezone, (string?)data["preferences"]!["timezone"]);
        Assert.Equal((string?)current["timezone"], (string?)data["previous"]!["timezone"]);
        Assert.Equal((string?)current["language"], (string?)data["preferences"]!["language"]);
        Assert.Equal(["timezone", "websh_session_timeout"], data["updated"]!.AsArray().Select(x => (string?)x));
    }

    [Fact]
    public async Task UserSettingsUpdate_ListField_ReplacesTheWholeList_ReadMergeWrite()
    {
        await using var c = await ConnectAsync(emulator);
        var domains = Success(await c.CallAsync("user_settings_get"))["data"]!["allowed_domains"]!.AsArray().Select(d => (string)d!).ToList();
        var extra = $"d{Guid.NewGuid():N}"[..12] + ".example";
        var merged = new JsonArray([.. domains.Append(extra).Select(d => (JsonNode)d)]);
        var data = Success(await c.CallAsync("user_settings_update", new() { ["settings"] = new JsonObject { ["allowed_domains"] = merged } }))["data"]!;

        Assert.Equal([.. domains, extra], data["preferences"]!["allowed_domains"]!.AsArray().Select(d => (string?)d));
        Assert.Equal(domains, data["previous"]!["allowed_domains"]!.AsArray().Select(d => (string?)d));

        // Sending one item alone replaces the list: the description tells the assistant to merge first.
        var replaced = Success(await c.CallAsync("user_settings_update", new() { ["settings"] = new JsonObject { ["allowed_domains"] = new JsonArray(extra) } }))["data"]!;
        Assert.Equal([extra], replaced["preferences"]!["allowed_domains"]!.AsArray().Select(d => (string?)d));
        Success(await c.CallAsync("user_settings_update", new() { ["settings"] = new JsonObject { ["allowed_domains"] = new JsonArray([.. domains.Select(d => (JsonNode)d)]) } }));
    }

    [Theory]
    [InlineData("""{"theme":"dark"}""", "Unknown setting")]
    [InlineData("""{}""", "at least one field")]
    [InlineData("""{"allowed_domains":"example.com"}""", "must be a list")]
    public async Task UserSettingsUpdate_BadSettings_AreRefusedBeforeAnyChange(string settings, string message)
    {
        await using var c = await ConnectAsync(emulator);
        var before = Journal.Elapsed;
        var body = Error(await c.CallAsync("user_settings_update", new() { ["settings"] = JsonNode.Parse(settings) }));

        Assert.Contains(message, (string?)body["message"]);
        Assert.Empty(Since(before, "PATCH", PreferencesPath));
    }

    [Fact]
    public async Task UserSettingsUpdate_InvalidValue_IsTheApisFieldError()
    {
        await using var c = await ConnectAsync(emulator);
        var body = Error(await c.CallAsync("user_settings_update", new() { ["settings"] = new JsonObject { ["language"] = "xx", ["invite_ttl"] = "soon" } }));

        Assert.Equal(400, (int?)body["status_code"]);
        Assert.NotNull(body["details"]!["language"]);
        Assert.NotNull(body["details"]!["invite_ttl"]);
    }

    [Fact]
    public async Task UserSettingsUpdate_NonStaffToken_Is403()
    {
        await using var c = await ConnectAsync(emulator, token: Seed.OperatorToken);
        var body = Error(await c.CallAsync("user_settings_update", new() { ["settings"] = new JsonObject { ["language"] = "en" } }));
        Assert.Equal(403, (int?)body["status_code"]);
    }
}
