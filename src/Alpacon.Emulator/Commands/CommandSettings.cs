using System.Text.RegularExpressions;

namespace Alpacon.Emulator.Commands;

/// <summary>
/// How the simulated agents handle commands. The defaults are small so the sandbox feels live; tests shorten
/// <see cref="StuckAfter"/> so a disconnected server's command turns <c>stuck</c> quickly.
/// </summary>
public sealed class CommandSettings
{
    /// <summary>From queued to delivered: the server handing the command to a connected agent.</summary>
    public TimeSpan DeliveryDelay { get; set; } = TimeSpan.FromMilliseconds(30);

    /// <summary>From delivered to the agent's ack (signature check, process start).</summary>
    public TimeSpan AckDelay { get; set; } = TimeSpan.FromMilliseconds(10);

    /// <summary>A command for a disconnected agent is never delivered and turns <c>stuck</c> after this long (about 10 min live).</summary>
    public TimeSpan StuckAfter { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>The agent kills a command that runs longer than this and reports exit code 124 (agent_timeout).</summary>
    public TimeSpan AgentTimeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Lines matching this wait in <c>awaiting_approval</c> until a human approves or denies them.</summary>
    public Regex ApprovalPattern { get; set; } = new(@"(^|[;&|]\s*)sudo\b", RegexOptions.CultureInvariant);
}
