using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Alpacon.Mcp.Tools;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace Alpacon.Mcp.Hosting;

/// <summary>
/// The single place every tool call passes through, whatever the toolset: <see cref="ToolPolicy"/> at listing and
/// at call time, confirmation of destructive tools (<see cref="Confirmation"/>), and one log line per call.
/// </summary>
public static class ToolFilters
{
    /// <summary>The log category of the per-call lines.</summary>
    public const string CallLogCategory = "Alpacon.Mcp.ToolCalls";

    public static IMcpServerBuilder WithToolPolicy(this IMcpServerBuilder mcp) =>
        mcp.WithRequestFilters(filters => filters
            .AddListToolsFilter(next => async (context, cancellationToken) =>
            {
                var result = await next(context, cancellationToken).ConfigureAwait(false);
                var policy = context.Services!.GetRequiredService<ToolPolicy>();
                result.Tools = [.. result.Tools.Where(t => policy.Lists(t.Name))];
                return result;
            })
            .AddCallToolFilter(next => async (context, cancellationToken) =>
            {
                var services = context.Services!;
                var log = services.GetRequiredService<ILoggerFactory>().CreateLogger(CallLogCategory);
                var name = context.Params?.Name ?? "";
                var arguments = context.Params?.Arguments;
                var started = Stopwatch.GetTimestamp();
                var outcome = "failed";
                try
                {
                    var (result, special) = await CallAsync(context, next, services, name, arguments, cancellationToken).ConfigureAwait(false);
                    outcome = special ?? Outcome(result);
                    return result;
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    outcome = "cancelled";
                    throw;
                }
                catch (McpProtocolException e)
                {
                    outcome = $"protocol error {(int)e.ErrorCode}";
                    throw;
                }
                catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                {
                    // The policy itself failed (the tool's own failures are turned into results further in): still the
                    // envelope, never the SDK's bare "An error occurred invoking" text.
                    log.LogError(e, "Tool call {Tool} failed in the call filters", name);
                    return ToolResult.Error(new ToolError(
                        $"The call to '{Args.Shorten(name)}' failed inside alpacon-mcp ({e.GetType().Name}).",
                        "An internal error in the server's call handling; the server log has the details.",
                        Hint: "This is a bug in alpacon-mcp; the server keeps running. Retry, and report it if it persists."));
                }
                finally
                {
                    // Names and outcomes only: argument values (commands, env, file contents) never reach the log.
                    log.LogInformation("Tool call {Tool}{Target}: {Outcome} in {DurationMs} ms",
                        name, Target(arguments), outcome, (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                }
            }));

    /// <returns>The result, and an outcome for the log line when the tool did not run.</returns>
    private static async ValueTask<(CallToolResult Result, string? Outcome)> CallAsync(RequestContext<CallToolRequestParams> context, McpRequestHandler<CallToolRequestParams, CallToolResult> next,
        IServiceProvider services, string name, IDictionary<string, JsonElement>? arguments, CancellationToken cancellationToken)
    {
        var policy = services.GetRequiredService<ToolPolicy>();
        var tool = policy.Catalog.Find(name);
        if (tool is null)
            return (await next(context, cancellationToken).ConfigureAwait(false), null); // the SDK answers "Unknown tool"
        if (policy.Refusal(tool) is { } refusal)
            return (ToolResult.Error(refusal), "refused (not exposed)");

        if (tool.Destructive && !tool.SelfConfirming)
        {
            // Never ask the user to approve a call that would be refused anyway.
            if (ArgumentValidation.Check(tool.Protocol, arguments) is { } invalid)
                return (ToolResult.Error(invalid), "refused (invalid arguments)");
            var confirmation = services.GetRequiredService<Confirmation>();
            ConfirmationResult answer;
            try
            {
                answer = await confirmation.RequestAsync(context.Server, Question(tool, arguments), $"Yes, run {tool.Name}", cancellationToken).ConfigureAwait(false);
            }
            catch (ConfirmationUnavailableException e)
            {
                return (ToolResult.Error(ToolErrors.From(e, null) with { Region = Text(arguments, "region"), Workspace = Text(arguments, "workspace") }), "refused (no confirmation possible)");
            }
            if (!answer.Proceed)
            {
                // The user's decision, not a failure: the same shape as a tool that confirms itself.
                var data = new JsonObject
                {
                    ["performed"] = false,
                    ["confirmation"] = answer.ToJson(),
                    ["message"] = $"Nothing was done: {answer.Reason} Do not retry unless the user asks for it.",
                };
                return (ToolResult.Success(data, Text(arguments, "region"), Text(arguments, "workspace")), $"not run ({answer.ToJson()["outcome"]})");
            }
        }
        return (await next(context, cancellationToken).ConfigureAwait(false), null);
    }

    /// <summary>What the user is asked before a destructive tool runs: the tool, where, and its arguments (secrets hidden).</summary>
    public static string Question(ToolInfo tool, IDictionary<string, JsonElement>? arguments)
    {
        var text = new StringBuilder();
        text.Append("Allow the assistant to run ").Append(tool.Protocol.Title ?? tool.Name).Append(" (").Append(tool.Name).Append(')');
        var region = Text(arguments, "region");
        var workspace = Text(arguments, "workspace");
        if (workspace is not null)
            text.Append(" on ").Append(region ?? Alpacon.Api.Configuration.Regions.Default).Append('/').Append(workspace);
        text.Append("? It is marked destructive: it may change or remove things, and that may not be undone.");
        var shown = (arguments ?? new Dictionary<string, JsonElement>()).Where(a => a.Key is not ("region" or "workspace")).ToList();
        if (shown.Count > 0)
        {
            text.Append("\nArguments:");
            foreach (var (key, value) in shown)
                text.Append("\n  ").Append(key).Append(" = ").Append(Shown(key, value));
        }
        return text.ToString();
    }

    private static string Shown(string key, JsonElement value)
    {
        if (LogRedaction.SecretArguments.Contains(key))
            return "(hidden)";
        var text = value.ValueKind == JsonValueKind.String ? value.GetString()! : value.GetRawText();
        text = LogRedaction.Redact(text);
        return text.Length <= 300 ? text : text[..300] + $"… ({text.Length} characters)";
    }

    private static string? Text(IDictionary<string, JsonElement>? arguments, string key) =>
        arguments is not null && arguments.TryGetValue(key, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static string Target(IDictionary<string, JsonElement>? arguments)
    {
        var workspace = Text(arguments, "workspace");
        var server = Text(arguments, "server_id");
        if (workspace is null && server is null)
            return "";
        var where = workspace is null ? "" : $"{Text(arguments, "region") ?? "ap1"}/{workspace}";
        return $" [{where}{(server is null ? "" : $"{(where.Length > 0 ? " " : "")}server {server}")}]";
    }

    /// <summary>success, or error with the API's status and code when the error body carries them.</summary>
    private static string Outcome(CallToolResult result)
    {
        if (result.IsError != true)
            return "success";
        if (result.StructuredContent is { ValueKind: JsonValueKind.Object } body)
        {
            var status = body.TryGetProperty("status_code", out var s) && s.ValueKind == JsonValueKind.Number ? $" {s.GetInt32()}" : "";
            var code = body.TryGetProperty("error_code", out var c) && c.ValueKind == JsonValueKind.String ? $" {c.GetString()}" : "";
            return $"error{status}{code}";
        }
        return "error";
    }
}
