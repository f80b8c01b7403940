using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Alpacon.Api.Commands;

namespace Alpacon.Mcp.Tools;

/// <summary>How command results read for the model: compact fields, output within a budget, sudo denials explained.</summary>
public static partial class CommandResults
{
    /// <summary>Default output budget in characters: the head and the tail of longer output are kept.</summary>
    public const int DefaultMaxOutput = 16_000;

    public const int MaxMaxOutput = 1_000_000;

    /// <summary>Sudo denials the user can resolve (approve, be present, open a work session, do MFA); the others are hard policy.</summary>
    private static readonly Dictionary<string, string> ResolvableDenials = new(StringComparer.Ordinal)
    {
        ["SUDO_APPROVAL_REQUIRED"] = "A human must approve this sudo command in the Alpacon console first.",
        ["SUDO_PRESENCE_REQUIRED"] = "A person must be present (signed in to the Alpacon console) for this sudo command.",
        ["SUDO_NO_WORKSESSION_POLICY"] = "Sudo needs an active work session whose policy covers it; ask for one in the Alpacon console.",
        ["SUDO_POLICY_MFA_REQUIRED"] = "The sudo policy requires MFA: complete it in the Alpacon console, then run the command again.",
        ["SUDO_INTENT_DEVIATION"] = "The command does not match the work session's stated intent; update the work session or ask for approval.",
        ["WORK_SESSION_SCOPE_NOT_ALLOWED"] = "The work session's scope does not allow this; extend its scope in the Alpacon console.",
    };

    /// <summary>Fields of a command worth showing in full; live payloads also carry AI-review internals, which are left out.</summary>
    public static readonly string[] DetailFields =
        ["line", "shell", "username", "groupname", "status", "success", "exit_code", "error_phase", "cancellable", "elapsed_time", "response_delay", "added_at", "scheduled_at", "delivered_at", "acked_at", "handled_at"];

    /// <summary>The fields of a list entry.</summary>
    public static readonly string[] ListFields = ["line", "status", "success", "exit_code", "error_phase", "elapsed_time", "added_at"];

    /// <summary>The fields of a command the caller just ran: it knows the line; the outcome is what matters.</summary>
    public static readonly string[] RunFields = ["status", "success", "exit_code", "error_phase", "elapsed_time"];

    // The exact line, period included: command output cannot forge it by containing the phrase.
    [GeneratedRegex(@"^Alpacon denied this sudo (?:command|invocation) \((?<code>[A-Z_]+)\)\.\r?$", RegexOptions.Multiline | RegexOptions.CultureInvariant)]
    private static partial Regex SudoDenial();

    /// <summary>
    /// Writes <paramref name="output"/> into <paramref name="target"/> within <paramref name="maxChars"/>: the whole of it,
    /// or its head and tail with a note and <c>truncated</c>; <c>total_bytes</c> is always the full size (UTF-8).
    /// </summary>
    public static void AddOutput(JsonObject target, string output, int maxChars)
    {
        var bytes = Encoding.UTF8.GetByteCount(output);
        if (output.Length <= maxChars)
        {
            target["output"] = output;
            target["total_bytes"] = bytes;
            return;
        }
        // The tail gets more room: errors and summaries come last.
        var head = maxChars * 2 / 5;
        var tail = maxChars - head;
        var omitted = output.Length - head - tail;
        target["output"] = output[..head] + $"\n… [{omitted.ToString("N0", CultureInfo.InvariantCulture)} characters omitted] …\n" + output[^tail..];
        target["truncated"] = true;
        target["total_bytes"] = bytes;
        target["output_note"] = $"Output is {bytes.ToString("N0", CultureInfo.InvariantCulture)} bytes; the first {head} and last {tail} characters are shown. Pass a larger max_output (up to {MaxMaxOutput}) or narrow the command (grep, tail, head) to see more.";
    }

    /// <summary>A sudo denial line in the output, as <c>{code, resolvable, hint}</c>, or null.</summary>
    public static JsonObject? Denial(string output)
    {
        if (SudoDenial().Match(output) is not { Success: true } m)
            return null;
        var code = m.Groups["code"].Value;
        var resolvable = ResolvableDenials.TryGetValue(code, out var hint);
        return new JsonObject
        {
            ["code"] = code,
            ["resolvable"] = resolvable,
            ["hint"] = resolvable
                ? hint + " Do not resubmit the command until that is done."
                : "Alpacon's policy refuses this sudo command outright; do not retry it with sudo. Run it without sudo if it does not need root, or ask a workspace admin.",
        };
    }

    /// <summary>The command's id, server and outcome fields (no output), for results and lists.</summary>
    public static JsonObject Summary(JsonObject command, string[]? fields = null)
    {
        var o = new JsonObject { ["command_id"] = command["id"]?.DeepClone() };
        if (command["server"] is JsonObject server)
        {
            o["server_id"] = server["id"]?.DeepClone();
            o["server_name"] = server["name"]?.DeepClone();
        }
        foreach (var field in fields ?? DetailFields)
        {
            if (command[field] is { } value)
                o[field] = value.DeepClone();
        }
        if (command["requested_by"] is JsonObject by)
            o["requested_by"] = by["name"]?.DeepClone() ?? by["email"]?.DeepClone();
        return o;
    }

    /// <summary>The result of a finished command: summary, output within the budget, and a sudo denial if any.</summary>
    public static JsonObject Completed(CommandWaitResult result, int maxOutput)
    {
        var o = Summary(result.Command, RunFields);
        o["completed"] = true;
        AddOutput(o, result.Output, maxOutput);
        if (Denial(result.Output) is { } denial)
        {
            o["sudo_denial"] = denial;
            o["hint"] = denial["hint"]?.DeepClone();
        }
        return o;
    }

    /// <summary>Waiting for a human: the command id and what to do next. It runs by itself once approved.</summary>
    public static JsonObject AwaitingApproval(JsonObject command, string[]? fields = null)
    {
        var o = Summary(command, fields ?? RunFields);
        o["completed"] = false;
        o["pending"] = true;
        o["next_step"] = $"The command needs a human's approval in the Alpacon console; once approved it runs by itself. Do NOT submit it again. Check it later with get_command_status(command_id=\"{command["id"]}\"), or cancel it with delete_command.";
        return o;
    }

    /// <summary>Still in progress when the wait ran out: the id to follow it with.</summary>
    public static JsonObject TimedOut(CommandWaitResult result)
    {
        var o = Summary(result.Command, RunFields);
        o["completed"] = false;
        o["timed_out"] = true;
        o["waited_seconds"] = Math.Round(result.Waited.TotalSeconds, 1);
        o["next_step"] = $"The command is still {result.Command["status"]}. It was not stopped: follow it with get_command_status(command_id=\"{result.Command["id"]}\"). Do not resubmit it.";
        return o;
    }

    /// <summary>Why a command ended without running, as a failure the model can act on.</summary>
    public static ToolFailureException Failed(JsonObject command)
    {
        var status = command["status"]?.ToString() ?? "error";
        var phase = command["error_phase"]?.ToString();
        var reason = command["result"]?.ToString() is { Length: > 0 } r ? r.Trim() : null;
        var server = command["server"]?["name"]?.ToString() ?? command["server"]?["id"]?.ToString() ?? "the server";
        var (message, hint) = status switch
        {
            "stuck" => ($"The command was never picked up by the agent of {server} (stuck{(phase is null ? "" : $", {phase}")}).",
                "The server's agent is probably disconnected: check it with server_get (is_connected) and retry once it is back."),
            "denied" => ("A human denied the command.", "Do not resubmit it; ask the approver why, or change the command."),
            "rejected" => ($"The agent of {server} rejected the command{(reason is null ? "" : $": {reason}")}.", "Check the username/groupname (the account must exist on the server) and the command, then retry."),
            "cancelled" => ("The command was cancelled before it was delivered.", "It never ran. Submit it again if it is still needed."),
            _ => ($"The command failed on the Alpacon side ({status}{(phase is null ? "" : $", {phase}")}).", "This is usually transient: check with get_command_status, then retry."),
        };
        return new ToolFailureException(message, hint, Summary(command));
    }
}
