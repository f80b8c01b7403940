using System.Text.Json;
using System.Text.Json.Nodes;
using Alpacon.Mcp.Hosting;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace Alpacon.Mcp.Tools;

/// <summary>How a request for confirmation ended.</summary>
public enum ConfirmationOutcome
{
    /// <summary>The user accepted and ticked the confirmation.</summary>
    Confirmed,

    /// <summary>The client cannot ask its user (no elicitation support), or confirmations are off; the action goes ahead.</summary>
    NotAsked,

    /// <summary>The user said no (or accepted the form without ticking the box).</summary>
    Declined,

    /// <summary>The user dismissed the question, or it could not be delivered or answered.</summary>
    Cancelled,
}

/// <summary>The answer to a confirmation request, and whether the action may go ahead.</summary>
public sealed record ConfirmationResult(ConfirmationOutcome Outcome, string Reason)
{
    public bool Proceed => Outcome is ConfirmationOutcome.Confirmed or ConfirmationOutcome.NotAsked;

    /// <summary>What the tool result says about the confirmation.</summary>
    public JsonObject ToJson() => new()
    {
        ["asked"] = Outcome is not ConfirmationOutcome.NotAsked,
        ["outcome"] = Outcome switch
        {
            ConfirmationOutcome.Confirmed => "confirmed",
            ConfirmationOutcome.NotAsked => "not_asked",
            ConfirmationOutcome.Declined => "declined",
            _ => "cancelled",
        },
        ["reason"] = Reason,
    };
}

/// <summary>
/// Asks the human behind the MCP client to confirm an irreversible action, through MCP elicitation (a form with
/// one checkbox). The one place destructive tools go through: the tool-call filter asks for every tool whose
/// destructive hint is true, and a tool marked <see cref="SelfConfirmingAttribute"/> asks here itself with better
/// words. <c>--confirm-destructive</c> sets the policy: <c>auto</c> asks when the client can and goes ahead when
/// it cannot, <c>always</c> refuses when the client cannot ask, <c>never</c> does not ask.
/// </summary>
public sealed class Confirmation(ILogger<Confirmation> log, ServerSettings settings)
{
    /// <summary>The form field the user ticks.</summary>
    public const string Field = "confirm";

    /// <param name="server">The request's server (a tool parameter of type <see cref="McpServer"/>).</param>
    /// <param name="question">The question, naming exactly what will be changed.</param>
    /// <param name="checkbox">The checkbox label, e.g. "Yes, delete jane".</param>
    /// <exception cref="ConfirmationUnavailableException">The policy is <c>always</c> and the client cannot ask its user.</exception>
    public async Task<ConfirmationResult> RequestAsync(McpServer? server, string question, string checkbox, CancellationToken cancellationToken)
    {
        if (settings.ConfirmDestructive == ConfirmPolicy.Never)
            return new(ConfirmationOutcome.NotAsked, "Confirmations are switched off on this server (--confirm-destructive never), so the action went ahead without one.");

        // A client that declares elicitation with no mode supports the form mode (the SDK normalises it to Form).
        if (server?.ClientCapabilities?.Elicitation?.Form is null)
            // Over stateless HTTP with the 2025-11-25 protocol the server never learns the client's capabilities either.
            return CannotAsk("The MCP client did not declare elicitation support for this request, so its user could not be asked and the action went ahead without a confirmation.");

        var request = new ElicitRequestParams
        {
            Message = question,
            RequestedSchema = new ElicitRequestParams.RequestSchema
            {
                Properties = new Dictionary<string, ElicitRequestParams.PrimitiveSchemaDefinition>
                {
                    [Field] = new ElicitRequestParams.BooleanSchema { Title = checkbox, Description = "Tick to confirm. This cannot be undone.", Default = false },
                },
                Required = [Field],
            },
        };
        ElicitResult answer;
        try
        {
            answer = await server.ElicitAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (InvalidOperationException e)
        {
            // The client declared elicitation but this transport cannot carry a server request (stateless HTTP, 2026-07-28).
            log.LogInformation("Confirmation could not be requested: {Message}", e.Message);
            return CannotAsk("The client supports confirmations, but this connection cannot carry them (stateless HTTP), so the action went ahead without one.");
        }
        catch (McpException e)
        {
            log.LogInformation("Confirmation request failed: {Message}", e.Message);
            return new(ConfirmationOutcome.Cancelled, $"The confirmation request failed ({e.Message}), so nothing was done.");
        }

        var ticked = answer.Content is { } content && content.TryGetValue(Field, out var value) && value.ValueKind == JsonValueKind.True;
        var result = answer.Action switch
        {
            "accept" when ticked => new ConfirmationResult(ConfirmationOutcome.Confirmed, "The user confirmed."),
            "accept" => new ConfirmationResult(ConfirmationOutcome.Declined, "The user answered without ticking the confirmation."),
            "decline" => new ConfirmationResult(ConfirmationOutcome.Declined, "The user declined."),
            _ => new ConfirmationResult(ConfirmationOutcome.Cancelled, "The user dismissed the question."),
        };
        log.LogInformation("Confirmation {Outcome}: {Question}", result.Outcome, question);
        return result;
    }

    private ConfirmationResult CannotAsk(string reason)
    {
        if (settings.ConfirmDestructive == ConfirmPolicy.Always)
            throw new ConfirmationUnavailableException();
        return new(ConfirmationOutcome.NotAsked, reason);
    }
}

/// <summary>
/// The server requires confirmations (<c>--confirm-destructive always</c>) and this client cannot ask its user:
/// the action is refused before anything changes.
/// </summary>
public sealed class ConfirmationUnavailableException() : Exception(
    "This server requires the user's confirmation before destructive actions (--confirm-destructive always), and this MCP client cannot ask its user (no elicitation support on this connection).")
{
    public const string Hint = "Nothing was changed. Tell the user what you wanted to do: they can do it themselves, use an MCP client that supports elicitation, or start the server with --confirm-destructive auto.";
}

/// <summary>
/// Marks a destructive tool that asks <see cref="Confirmation"/> itself, naming exactly what it will change
/// (e.g. the user's name and email), so the tool-call filter does not ask a second, vaguer question.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
public sealed class SelfConfirmingAttribute : Attribute;
