using System.Net;
using System.Text.Json.Nodes;
using Alpacon.Api.Configuration;
using Alpacon.Api.Http;
using Alpacon.Api.Websh;

namespace Alpacon.Mcp.Tools;

/// <summary>The one mapping from a failure to what the model reads: message, details, codes and a next step.</summary>
public static class ToolErrors
{
    public static ToolError From(Exception exception, WorkspaceTarget? target) => exception switch
    {
        ToolInputException e => new ToolError(e.Message, "The arguments were refused before any request was sent.", Hint: e.Hint),
        ToolFailureException e => new ToolError(e.Message, e.Details?.DeepClone(), e.StatusCode, e.ErrorCode, e.Hint),
        WorkspaceNotConfiguredException e => new ToolError(e.Message, null,
            Hint: $"Configure a token: call auth_set_token(region=\"{e.Region}\", workspace=\"{e.Workspace ?? "<workspace>"}\", token=...), run 'alpacon-mcp setup', or set {WorkspaceDirectory.VariableName(e.Region, e.Workspace ?? "<WORKSPACE>", "TOKEN")}. workspace_list shows what is configured."),
        ConfigurationException e => new ToolError(e.Message, null, Hint: "Fix the configuration named in the message; auth://config shows where the token file is."),
        ConfirmationUnavailableException e => new ToolError(e.Message, "Refused before anything was changed.", Hint: ConfirmationUnavailableException.Hint),
        Alpacon.Api.Webftp.WebftpException e => WebftpTools.Describe(e),
        AlpaconApiException e => FromApi(e, target),
        WebshChannelClosedException { PartialOutput: { Length: > 0 } partial } e => new ToolError(e.Message, new JsonObject { ["partial_output"] = TerminalText.Budget(partial, 4096).Text }, e.StatusCode, Hint: e.Hint),
        WebshException e => new ToolError(e.Message, null, e.StatusCode, Hint: e.Hint),
        _ => new ToolError($"Unexpected failure: {exception.GetType().Name}: {exception.Message}", null, Hint: "This is a bug in alpacon-mcp; the server keeps running. Retry, and report it if it persists."),
    };

    private static ToolError FromApi(AlpaconApiException e, WorkspaceTarget? target)
    {
        var where = target is null ? "the workspace" : $"{target.Region}/{target.Workspace}";
        if (e.IsTimeout)
            return new ToolError(e.Message, null, Hint: "Alpacon did not answer in time. Retry later; if it persists, check the service status or the pinned URL.");
        if (e.StatusCode is null)
            return new ToolError(e.Message, null, Hint: $"Could not reach {target?.BaseUrl.Host ?? "Alpacon"}. Check the network, the workspace name and region, or the pinned URL (auth://tokens/{target?.Region}/{target?.Workspace}).");

        var status = (int)e.StatusCode.Value;
        var hint = e.Code switch
        {
            "api_token_acl_not_allowed" => "The token's ACL does not cover this server, command or path. Ask a workspace admin to add a matching ACL rule for this token in the Alpacon console (Tokens → ACL).",
            "command_inline_credential" => "The command line carries a secret. Pass it through the 'env' argument instead and reference it as $NAME in the command.",
            "auth_mfa_required" => "This action needs multi-factor authentication: complete MFA in the Alpacon web console, then retry.",
            "api_insufficient_data" => "No data points in this time window; widen it or check that the agent reports metrics.",
            "webftp_transfer_in_progress" => "The transfer is still running; check its status again shortly.",
            "server_busy_with_user_work" => "Someone is working on this server; retry later or ask them first.",
            { } code when code.StartsWith("work_session", StringComparison.Ordinal) => "A work session is needed or not usable for this action; create or extend one in the Alpacon console, then retry.",
            _ => null,
        };
        hint ??= e.StatusCode switch
        {
            HttpStatusCode.Unauthorized => $"The token for {where} was refused (expired, revoked or mistyped). Set a valid one with auth_set_token or 'alpacon-mcp setup'.",
            HttpStatusCode.Forbidden => $"The account behind the token for {where} is not allowed to do this. Use a token with more rights, or ask a workspace admin.",
            HttpStatusCode.NotFound => "Not found: check the id (servers_list lists servers) and that it belongs to this workspace.",
            HttpStatusCode.TooManyRequests => e.RetryAfter is { } wait ? $"Rate limited: retry after {Math.Ceiling(wait.TotalSeconds)} seconds." : "Rate limited: retry in a minute.",
            HttpStatusCode.PaymentRequired => "The workspace's plan does not include this feature.",
            HttpStatusCode.BadRequest or HttpStatusCode.UnprocessableEntity => "The API refused the request's content; see details, correct the arguments and retry.",
            _ when status >= 500 => "Alpacon had a server error. Retry later; reads were already retried automatically.",
            // A success status with a body that is not JSON: a proxy page or a truncated answer.
            _ when status < 300 => "Alpacon's answer was cut short or came from something else (a proxy or captive portal). Retry; if it persists, check the network or the pinned URL.",
            _ => null,
        };
        return new ToolError(e.Message, e.Body?.DeepClone(), status, e.Code, hint);
    }

    public static JsonNode? Detail(string text) => JsonValue.Create(text);
}
