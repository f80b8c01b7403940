using System.Runtime.ExceptionServices;
using System.Text.Json.Nodes;
using Alpacon.Api.Configuration;

namespace Alpacon.Mcp.Tools;

/// <summary>
/// Several independent reads made concurrently and combined into one object, for results that are worth having in
/// part: a part that fails is named under <c>errors</c> (message, status, code, hint) and the others are kept.
/// Only when every part fails does the whole fail, with the first part's error.
/// </summary>
public static class Parts
{
    public static async Task<JsonObject> GatherAsync(WorkspaceTarget ws, IReadOnlyList<(string Name, Task<JsonNode?> Work)> parts, CancellationToken cancellationToken)
    {
        try
        {
            await Task.WhenAll(parts.Select(p => p.Work)).ConfigureAwait(false);
        }
        catch (Exception) when (!cancellationToken.IsCancellationRequested)
        {
            // Each failure is read from its own task below.
        }
        cancellationToken.ThrowIfCancellationRequested();

        var result = new JsonObject();
        var errors = new JsonObject();
        foreach (var (name, work) in parts)
        {
            if (work.IsCompletedSuccessfully)
            {
                result[name] = work.Result;
                continue;
            }
            var failure = work.Exception?.InnerException ?? new OperationCanceledException($"{name} was cancelled.");
            if (parts.All(p => !p.Work.IsCompletedSuccessfully))
                ExceptionDispatchInfo.Throw(failure);
            errors[name] = Describe(failure, ws);
        }
        if (errors.Count > 0)
            result["errors"] = errors;
        return result;
    }

    /// <summary>What a failed part shows: the same message, status, code and hint a failed tool would.</summary>
    public static JsonObject Describe(Exception failure, WorkspaceTarget ws)
    {
        var error = ToolErrors.From(failure, ws);
        var o = new JsonObject { ["message"] = error.Message };
        if (error.StatusCode is { } status)
            o["status_code"] = status;
        if (error.ErrorCode is { } code)
            o["error_code"] = code;
        if (error.Hint is { } hint)
            o["hint"] = hint;
        return o;
    }
}
