using System.ComponentModel;
using System.Text.Json.Nodes;
using Alpacon.Api.Configuration;
using Alpacon.Api.Servers;
using Alpacon.Api.SystemInfo;
using Alpacon.Mcp.Tools;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace Alpacon.Mcp.Resources;

/// <summary>
/// Read-only mirrors of servers_list and get_server_overview, so a client can attach the data to a conversation
/// without a tool call. Same requests, same shapes; a failure is a JSON-RPC error with the tool's message and hint.
/// </summary>
[McpServerResourceType]
public sealed class ServerResources(WorkspaceDirectory workspaces, ServersClient servers, SystemInfoClient system)
{
    [McpServerResource(UriTemplate = "alpacon://servers/{region}/{workspace}", Name = "servers", Title = "Servers of a workspace", MimeType = "application/json")]
    [Description("Every server of a workspace with id, name, OS, connection state, IP, CPU, memory and load (as servers_list).")]
    public Task<TextResourceContents> Servers(string region, string workspace, CancellationToken cancellationToken) =>
        ReadAsync($"alpacon://servers/{region}/{workspace}", region, workspace, null, async (ws, _, ct) =>
        {
            var all = await servers.ListAsync(ws, ServerTools.Summary, ct).ConfigureAwait(false);
            return new JsonObject { ["count"] = all.Count, ["servers"] = all };
        }, cancellationToken);

    [McpServerResource(UriTemplate = "alpacon://servers/{region}/{workspace}/{server_id}/overview", Name = "server_overview", Title = "Server overview", MimeType = "application/json")]
    [Description("System info, OS, time, network interfaces, disks and partitions of one server (as get_server_overview); a part that cannot be read is named under errors.")]
    public Task<TextResourceContents> Overview(string region, string workspace, string server_id, CancellationToken cancellationToken) =>
        ReadAsync($"alpacon://servers/{region}/{workspace}/{server_id}/overview", region, workspace, server_id, async (ws, id, ct) =>
            await SystemInfoTools.OverviewAsync(system, ws, id!, ct).ConfigureAwait(false), cancellationToken);

    /// <summary>Checks the URI's parts as the tools do, resolves the workspace and wraps the data with where it came from.</summary>
    private async Task<TextResourceContents> ReadAsync(string uri, string region, string workspace, string? serverId, Func<WorkspaceTarget, string?, CancellationToken, Task<JsonObject>> read, CancellationToken cancellationToken)
    {
        WorkspaceTarget? target = null;
        try
        {
            var ws = Args.Workspace(workspace) ?? throw new ToolInputException("The workspace is missing from the URI.");
            var id = serverId is null ? null : Args.Uuid(serverId, "server_id");
            target = workspaces.Resolve(Args.Region(region), ws);
            var data = await read(target, id, cancellationToken).ConfigureAwait(false);
            var body = new JsonObject { ["region"] = target.Region, ["workspace"] = target.Workspace };
            if (id is not null)
                body["server_id"] = id;
            foreach (var (key, value) in data.ToList())
            {
                data.Remove(key);
                body[key] = value;
            }
            return new TextResourceContents { Uri = uri, MimeType = "application/json", Text = ToolResult.Serialize(body) };
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e) when (e is not McpException)
        {
            var error = ToolErrors.From(e, target);
            throw new McpException(error.Hint is null ? error.Message : $"{error.Message} {error.Hint}", e);
        }
    }
}
