using System.ComponentModel;
using System.Text.Json.Nodes;
using Alpacon.Api.Auth;
using Alpacon.Api.Configuration;
using Alpacon.Api.Http;
using Alpacon.Mcp.Hosting;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace Alpacon.Mcp.Tools;

/// <summary>Tokens per region and workspace, kept in the token file (or in memory in the sandbox).</summary>
[McpServerToolType]
public sealed class AuthTools(ToolRunner runner, WorkspaceDirectory workspaces, AuthClient auth, ServerSettings settings)
{
    [McpServerTool(Name = "auth_set_token", Title = "Set API token", ReadOnly = false, Destructive = false, Idempotent = true, OpenWorld = true)]
    [Description("Store the API token for a region and workspace (replacing any stored one), then check it against the API and say whether it works. The token is written to the token file with mode 0600 and never echoed back.")]
    public Task<CallToolResult> AuthSetToken(
        [Description("Region name: ap1, us1, eu1, or another with a pinned url.")] string region,
        [Description("Workspace name (the slug in https://<workspace>.<region>.alpacon.io).")] string workspace,
        [Description("API token from the Alpacon console (alpat-…).")] string token,
        [Description("Optional base URL to pin for this workspace (self-hosted or renamed workspaces). When omitted, a URL pinned before is kept.")] string? url = null,
        [Description("Check the token against the API after storing it (default true).")] bool verify = true,
        CancellationToken cancellationToken = default) =>
        runner.RunLocalAsync(async ct =>
        {
            var reg = Args.Region(region);
            var ws = Args.Workspace(workspace) ?? throw new ToolInputException("'workspace' is required.");
            var key = Args.Required(token, "token", 1024).Trim();
            if (key.Any(char.IsWhiteSpace) || key.Any(char.IsControl))
                throw new ToolInputException("'token' may not contain spaces or control characters.", "Paste the token exactly as the Alpacon console shows it.");
            var pinned = url is null ? null : NormalizeUrl(url);
            // Outside the SaaS regions there is no default host: without a pinned URL the token would point nowhere.
            if (pinned is null && !Regions.Known.Contains(reg) && !workspaces.All().Any(t => t.Region == reg && t.UrlPinned))
                throw new ToolInputException($"'{reg}' is not an Alpacon region ({string.Join(", ", Regions.Known)}).", "For a self-hosted or custom region, pass 'url' with the workspace's base URL.");
            workspaces.Store.Set(reg, ws, key, pinned?.AbsoluteUri.TrimEnd('/'));

            var target = workspaces.All().First(t => t.Region == reg && t.Workspace == ws);
            var data = new JsonObject
            {
                ["stored"] = true,
                ["token"] = Secrets.Mask(key),
                ["base_url"] = target.BaseUrl.AbsoluteUri.TrimEnd('/'),
                ["store"] = workspaces.Store.FilePath ?? "memory (sandbox)",
            };
            if (target.Source == TokenSource.Environment)
                data["note"] = $"{WorkspaceDirectory.VariableName(reg, ws, "TOKEN")} is set in the environment and takes precedence over the stored token.";
            else if (settings.SandboxByDefault && target.Source == TokenSource.File)
                data["note"] = $"This server started on the sandbox because no token was configured. It can use {reg}/{ws} now (pass workspace='{ws}'); from its next start it serves the configured workspaces instead of the sandbox.";
            if (verify)
            {
                var check = new WorkspaceTarget(reg, ws, target.BaseUrl, key, TokenSource.File, target.UrlPinned);
                try
                {
                    await auth.StatusAsync(check, ct).ConfigureAwait(false);
                    data["verified"] = true;
                }
                catch (AlpaconApiException e)
                {
                    data["verified"] = false;
                    data["verification_error"] = e.Message;
                    data["hint"] = ToolErrors.From(e, check).Hint;
                }
            }
            return (data, reg, ws);
        }, cancellationToken);

    [McpServerTool(Name = "auth_remove_token", Title = "Remove API token", ReadOnly = false, Destructive = true, Idempotent = true, OpenWorld = false)]
    [Description("Remove the stored API token of a region and workspace from the token file. Tokens set through environment variables are not touched.")]
    public Task<CallToolResult> AuthRemoveToken(
        [Description("Region name.")] string region,
        [Description("Workspace name.")] string workspace,
        CancellationToken cancellationToken = default) =>
        runner.RunLocalAsync(ct =>
        {
            var reg = Args.Region(region);
            var ws = Args.Workspace(workspace) ?? throw new ToolInputException("'workspace' is required.");
            var removed = workspaces.Store.Remove(reg, ws);
            var data = new JsonObject { ["removed"] = removed };
            if (!removed)
                data["note"] = $"No token was stored for {reg}/{ws}.";
            if (workspaces.All().Any(t => t.Region == reg && t.Workspace == ws && t.Source == TokenSource.Environment))
                data["environment"] = $"{WorkspaceDirectory.VariableName(reg, ws, "TOKEN")} is still set in the environment; unset it to remove that token.";
            return Task.FromResult<(JsonNode?, string?, string?)>((data, reg, ws));
        }, cancellationToken);

    private static Uri NormalizeUrl(string url)
    {
        try
        {
            return Regions.NormalizeUrl(url);
        }
        catch (ConfigurationException e)
        {
            throw new ToolInputException(e.Message, "Give the workspace's base URL, e.g. https://alpacon.example.com.");
        }
    }
}
