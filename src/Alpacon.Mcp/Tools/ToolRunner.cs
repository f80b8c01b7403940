using System.Diagnostics;
using System.Text.Json.Nodes;
using Alpacon.Api.Configuration;
using ModelContextProtocol.Protocol;

namespace Alpacon.Mcp.Tools;

/// <summary>
/// Runs a tool's work inside the result contract: checks the region, workspace and server id, resolves the
/// workspace, and turns any failure into an error result with a hint, so the server keeps answering.
/// </summary>
public sealed class ToolRunner(WorkspaceDirectory workspaces, ILogger<ToolRunner> log)
{
    /// <summary>Work against one workspace; <paramref name="serverId"/>, when given, is checked and echoed as <c>server_id</c>.</summary>
    public async Task<CallToolResult> RunAsync(string? region, string? workspace, string? serverId, Func<WorkspaceTarget, CancellationToken, Task<JsonNode?>> work, CancellationToken cancellationToken)
    {
        WorkspaceTarget? target = null;
        string? reg = null, ws = null;
        var started = Stopwatch.GetTimestamp();
        try
        {
            reg = Args.Region(region);
            ws = Args.Workspace(workspace);
            var id = serverId is null ? null : Args.Uuid(serverId, "server_id");
            target = workspaces.Resolve(reg, ws);
            var data = await work(target, cancellationToken).ConfigureAwait(false);
            return ToolResult.Success(data, target.Region, target.Workspace, id);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw; // the client cancelled the call: there is nobody to answer
        }
        catch (Exception e)
        {
            return Failure(e, target, reg, ws, started);
        }
    }

    /// <summary>Work that needs no workspace (local configuration, the connection pool).</summary>
    public async Task<CallToolResult> RunLocalAsync(Func<CancellationToken, Task<(JsonNode? Data, string? Region, string? Workspace)>> work, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            var (data, reg, ws) = await work(cancellationToken).ConfigureAwait(false);
            return ToolResult.Success(data, reg, ws);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e)
        {
            return Failure(e, null, null, null, started);
        }
    }

    private CallToolResult Failure(Exception e, WorkspaceTarget? target, string? region, string? workspace, long started)
    {
        var error = ToolErrors.From(e, target) with { };
        var known = e is ToolInputException or ToolFailureException or ConfirmationUnavailableException or ConfigurationException or WorkspaceNotConfiguredException or Alpacon.Api.Http.AlpaconApiException or Alpacon.Api.Websh.WebshException;
        if (known)
            log.LogInformation("Tool failed after {Elapsed} ms: {Message}", Stopwatch.GetElapsedTime(started).TotalMilliseconds, error.Message);
        else
            log.LogError(e, "Tool failed unexpectedly after {Elapsed} ms", Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        return ToolResult.Error(error with { Region = target?.Region ?? region, Workspace = target?.Workspace ?? workspace });
    }
}
