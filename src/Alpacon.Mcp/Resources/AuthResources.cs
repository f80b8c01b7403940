using System.ComponentModel;
using System.Text.Json.Nodes;
using Alpacon.Api.Configuration;
using Alpacon.Mcp.Hosting;
using Alpacon.Mcp.Tools;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace Alpacon.Mcp.Resources;

/// <summary>Read-only views of the local configuration. No resource ever shows a full token.</summary>
[McpServerResourceType]
public sealed class AuthResources(WorkspaceDirectory workspaces, ServerSettings settings)
{
    [McpServerResource(UriTemplate = "auth://status", Name = "auth_status", Title = "Authentication status", MimeType = "application/json")]
    [Description("Which workspaces are configured, from which source, with masked tokens and base URLs.")]
    public TextResourceContents Status() => Json("auth://status", new JsonObject
    {
        ["sandbox"] = settings.Sandbox,
        ["token_file"] = workspaces.Store.FilePath,
        ["workspaces"] = new JsonArray([.. Describe(workspaces.All())]),
    });

    [McpServerResource(UriTemplate = "auth://config", Name = "auth_config", Title = "Configuration files", MimeType = "application/json")]
    [Description("The token file locations in discovery order, which exist, and which one is in use.")]
    public TextResourceContents Config()
    {
        var discovery = settings.Discovery;
        return Json("auth://config", new JsonObject
        {
            ["sandbox"] = settings.Sandbox,
            ["in_use"] = settings.Sandbox ? null : discovery.InUse.Path,
            ["candidates"] = new JsonArray([.. discovery.Candidates.Select(c => (JsonNode)new JsonObject
            {
                ["path"] = c.Path,
                ["origin"] = c.Origin,
                ["exists"] = File.Exists(c.Path),
                ["in_use"] = !settings.Sandbox && c.Path == discovery.InUse.Path,
            })]),
            ["environment_variables"] = new JsonArray([.. settings.Environment.Keys
                .Where(k => k.StartsWith("ALPACON_MCP_", StringComparison.Ordinal)).Order(StringComparer.Ordinal).Select(k => (JsonNode)k)]),
            ["discovery_order"] = "--config-file/--token-file, ALPACON_MCP_CONFIG_FILE, ~/.alpacon-mcp/token.json, ./config/token.json; ALPACON_MCP_<REGION>_<WORKSPACE>_TOKEN/_URL override the file.",
        });
    }

    [McpServerResource(UriTemplate = "auth://tokens/{region}/{workspace}", Name = "auth_token", Title = "Workspace token", MimeType = "application/json")]
    [Description("One workspace's masked token, its source and base URL.")]
    public TextResourceContents Token(string region, string workspace)
    {
        var target = workspaces.All().FirstOrDefault(t => t.Region == region && t.Workspace == workspace)
            ?? throw new McpException($"No token is configured for {region}/{workspace}.");
        return Json($"auth://tokens/{region}/{workspace}", Describe([target]).Single());
    }

    private static IEnumerable<JsonNode> Describe(IEnumerable<WorkspaceTarget> targets) => targets.Select(t => (JsonNode)new JsonObject
    {
        ["region"] = t.Region,
        ["workspace"] = t.Workspace,
        ["token"] = t.MaskedToken,
        ["source"] = t.Source.ToString().ToLowerInvariant(),
        ["base_url"] = t.BaseUrl.AbsoluteUri.TrimEnd('/'),
        ["url_pinned"] = t.UrlPinned,
    });

    private static TextResourceContents Json(string uri, JsonNode body) =>
        new() { Uri = uri, MimeType = "application/json", Text = ToolResult.Serialize(body) };
}
