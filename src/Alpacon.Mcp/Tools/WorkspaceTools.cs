using System.ComponentModel;
using System.Text.Json;
using System.Text.Json.Nodes;
using Alpacon.Api.Configuration;
using Alpacon.Api.Iam;
using Alpacon.Api.Workspaces;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace Alpacon.Mcp.Tools;

/// <summary>Configured workspaces, the current user, and workspace preferences.</summary>
[McpServerToolType]
public sealed class WorkspaceTools(ToolRunner runner, WorkspaceDirectory workspaces, WorkspacesClient client, IamClient iam)
{
    [McpServerTool(Name = "workspace_list", Title = "List workspaces", ReadOnly = true, Destructive = false, Idempotent = true, OpenWorld = false)]
    [Description("List every workspace this server is configured for (token file and ALPACON_MCP_* environment variables; no API call: Alpacon has no endpoint listing workspaces): region, workspace name, base URL, whether the URL is pinned, and where the token comes from (file, environment or sandbox). Tokens are never shown, only masked. 'default_workspace' is the workspace tools in 'region' use when 'workspace' is omitted (set only when exactly one is configured there).")]
    public Task<CallToolResult> WorkspaceList(
        [Description(Args.RegionDescription)] string region = "ap1",
        CancellationToken cancellationToken = default) =>
        runner.RunLocalAsync(_ =>
        {
            var reg = Args.Region(region);
            var all = workspaces.All();
            var inRegion = all.Where(t => t.Region == reg).ToList();
            var data = new JsonObject
            {
                ["count"] = all.Count,
                ["workspaces"] = new JsonArray([.. all.Select(t => (JsonNode)new JsonObject
                {
                    ["region"] = t.Region,
                    ["workspace"] = t.Workspace,
                    ["base_url"] = t.BaseUrl.AbsoluteUri.TrimEnd('/'),
                    ["url_pinned"] = t.UrlPinned,
                    ["token_source"] = t.Source.ToString().ToLowerInvariant(),
                    ["token"] = t.MaskedToken,
                })]),
                ["default_workspace"] = inRegion.Count == 1 ? inRegion[0].Workspace : null,
            };
            if (all.Count == 0)
                data["hint"] = "No workspace is configured: call auth_set_token(region, workspace, token) or run 'alpacon-mcp setup'.";
            else if (inRegion.Count != 1)
                data["note"] = inRegion.Count == 0 ? $"No workspace is configured in region '{reg}'." : $"Several workspaces are configured in region '{reg}': pass 'workspace' to every tool.";
            return Task.FromResult<(JsonNode?, string?, string?)>((data, reg, null));
        }, cancellationToken);

    [McpServerTool(Name = "user_profile_get", Title = "Get my profile", ReadOnly = true, Destructive = false, Idempotent = true, OpenWorld = true)]
    [Description("Get the profile of the user the token acts for (GET /api/iam/users/-/): username, name, email, staff/superuser flags, shell and home directory. Use it to know who you are acting as before changing anything.")]
    public Task<CallToolResult> UserProfileGet(
        [Description(Args.RegionDescription)] string region = "ap1",
        [Description(Args.WorkspaceDescription)] string? workspace = null,
        CancellationToken cancellationToken = default) =>
        runner.RunAsync(region, workspace, null, (ws, ct) => iam.GetCurrentUserAsync(ws, ct), cancellationToken);

    [McpServerTool(Name = "user_settings_get", Title = "Get workspace settings", ReadOnly = true, Destructive = false, Idempotent = true, OpenWorld = true)]
    [Description("Get the workspace preferences (GET /api/workspaces/preferences/-/): console URL, country, language, timezone, invitation lifetime, enabled extensions, websh session timeout, agent auto-upgrade, package proxy, billing email and allowed sign-up domains. Alpacon has no per-user settings API: these settings apply to the whole workspace.")]
    public Task<CallToolResult> UserSettingsGet(
        [Description(Args.RegionDescription)] string region = "ap1",
        [Description(Args.WorkspaceDescription)] string? workspace = null,
        CancellationToken cancellationToken = default) =>
        runner.RunAsync(region, workspace, null, (ws, ct) => client.GetPreferencesAsync(ws, ct), cancellationToken);

    [McpServerTool(Name = "user_settings_update", Title = "Update workspace settings", ReadOnly = false, Destructive = false, Idempotent = true, OpenWorld = true)]
    [Description("Change workspace preferences (PATCH /api/workspaces/preferences/-/ with only the fields given; they apply to the whole workspace, as Alpacon has no per-user settings). Fields: front_url, country, language, timezone, invite_ttl (seconds), enabled_extensions (list), websh_session_timeout (seconds), auto_agent_upgrade, package_proxy, billing_email, allowed_domains (list). A list field REPLACES the whole list: to add or remove one item, read the current list with user_settings_get, change it, and send the complete list. The result shows the previous values of the fields changed. Needs a staff token.")]
    public Task<CallToolResult> UserSettingsUpdate(
        [Description("The fields to change and their new values, e.g. {\"timezone\": \"Asia/Seoul\", \"allowed_domains\": [\"example.com\", \"example.org\"]}.")] JsonObject settings,
        [Description(Args.RegionDescription)] string region = "ap1",
        [Description(Args.WorkspaceDescription)] string? workspace = null,
        CancellationToken cancellationToken = default) =>
        runner.RunAsync(region, workspace, null, async (ws, ct) =>
        {
            var fields = Validate(settings);
            var before = await client.GetPreferencesAsync(ws, ct).ConfigureAwait(false);
            var after = await client.UpdatePreferencesAsync(ws, fields, ct).ConfigureAwait(false);
            var previous = new JsonObject();
            foreach (var (name, _) in fields)
                previous[name] = before?[name]?.DeepClone();
            return new JsonObject
            {
                ["updated"] = new JsonArray([.. fields.Select(f => (JsonNode)f.Key)]),
                ["previous"] = previous,
                ["preferences"] = after?.DeepClone(),
            };
        }, cancellationToken);

    /// <summary>
    /// Refuses unknown fields before the request: the API silently ignores them, which would look like success.
    /// List fields must be lists, since a PATCH replaces them whole.
    /// </summary>
    private static JsonObject Validate(JsonObject? settings)
    {
        if (settings is null || settings.Count == 0)
            throw new ToolInputException("'settings' must be an object with at least one field to change.", $"Fields: {string.Join(", ", WorkspacesClient.PreferenceFields)}.");
        var unknown = settings.Select(s => s.Key).Where(k => !WorkspacesClient.PreferenceFields.Contains(k)).ToList();
        if (unknown.Count > 0)
            throw new ToolInputException($"Unknown setting(s): {string.Join(", ", unknown.Select(Args.Shorten))}.", $"Known fields: {string.Join(", ", WorkspacesClient.PreferenceFields)}. Nothing was changed.");
        foreach (var name in WorkspacesClient.PreferenceListFields)
        {
            if (settings.ContainsKey(name) && settings[name]?.GetValueKind() != JsonValueKind.Array)
                throw new ToolInputException($"'{name}' must be a list; it replaces the whole current list.", "Read the current list with user_settings_get, change it, and send the complete list.");
        }
        return (JsonObject)settings.DeepClone();
    }
}
