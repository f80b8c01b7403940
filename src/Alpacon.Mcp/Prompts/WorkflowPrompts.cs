using System.ComponentModel;
using Alpacon.Mcp.Hosting;
using Alpacon.Mcp.Tools;
using ModelContextProtocol.Server;

namespace Alpacon.Mcp.Prompts;

/// <summary>
/// Prompts for the common workflows. Each names the real tools in the order to use them, and ends with a note when
/// this server does not expose some of them (a narrow <c>--toolsets</c>, <c>--read-only</c>), so the assistant
/// skips those steps and says so instead of guessing.
/// </summary>
[McpServerPromptType]
public sealed class WorkflowPrompts
{
    [McpServerPrompt(Name = "server_health_check", Title = "Server health check")]
    [Description("Check one server's health: connection, load, CPU, memory, disk, network and recent events, with a verdict and evidence. Changes nothing.")]
    public static string ServerHealthCheck(
        ToolPolicy policy,
        [Description("Server name or UUID.")] string server,
        [Description(Args.WorkspaceDescription)] string? workspace = null,
        [Description(Args.RegionDescription)] string region = "ap1",
        [Description("How far back to look, in hours (default 24).")] string hours = "24") =>
        Compose(policy, $"""
            Check the health of server '{server}' in {Where(region, workspace)} over the last {hours} hours. This is a read-only check: change nothing.

            1. Find it: servers_list (match the name), then server_get for connection state, OS, CPU cores, memory, load and boot time. If it is disconnected, report that first.
            2. Read server_notes_list: maintenance windows and known issues explain many anomalies.
            3. get_server_metrics_summary(hours={hours}): CPU, memory, disk and network. Look at peaks and trends, not only averages.
            4. If a figure is high, get_server_overview (or get_disk_info for disks) to see what uses it.
            5. list_events for this server: failed commands, restarts, agent disconnects in the same window.

            Answer with a one-line verdict (healthy, degraded or critical), then the evidence with numbers and units, then at most three next steps. Say which checks you could not run and why.
            """, "servers_list", "server_get", "server_notes_list", "get_server_metrics_summary", "get_server_overview", "get_disk_info", "list_events");

    [McpServerPrompt(Name = "incident_triage", Title = "Incident triage")]
    [Description("Triage an incident from a symptom: find the affected servers, build a timeline from events and metrics, and propose a next step. Reads only; any fix needs the user's go-ahead.")]
    public static string IncidentTriage(
        ToolPolicy policy,
        [Description("What is wrong, as reported (e.g. 'checkout API returns 502 since 14:10').")] string symptom,
        [Description("Server name or UUID if known.")] string? server = null,
        [Description(Args.WorkspaceDescription)] string? workspace = null,
        [Description(Args.RegionDescription)] string region = "ap1") =>
        Compose(policy, $"""
            Triage this incident in {Where(region, workspace)}: "{symptom}".{(server is null ? "" : $" The suspected server is '{server}'.")}

            1. Scope: servers_list to find the servers involved (names, roles, connection state). Disconnected servers are a finding in themselves.
            2. Timeline: search_events and list_events for the affected servers, newest first; note when things started and what ran just before (list_commands, get_command_status).
            3. Resources: get_server_metrics_summary for each affected server over a window that covers the start; get_cpu_top_servers to spot a runaway host.
            4. Context: server_notes_list for maintenance windows and known issues.

            Report: impact, most likely cause with the evidence for it, what you ruled out, and one proposed next step. Do not run commands or change anything until the user agrees; if they do, follow the safe_command_execution prompt. Offer to record the findings with server_note_create.
            """, "servers_list", "search_events", "list_events", "list_commands", "get_command_status", "get_server_metrics_summary", "get_cpu_top_servers", "server_notes_list", "server_note_create");

    [McpServerPrompt(Name = "access_review", Title = "Access review")]
    [Description("Review who can access what: staff and superusers, group memberships and roles, the servers each group grants, inactive accounts. Reads only.")]
    public static string AccessReview(
        ToolPolicy policy,
        [Description("A username or user UUID to review one person; omit to review the whole workspace.")] string? user = null,
        [Description(Args.WorkspaceDescription)] string? workspace = null,
        [Description(Args.RegionDescription)] string region = "ap1") =>
        Compose(policy, user is null
            ? $"""
              Review access in {Where(region, workspace)}. This is a read-only review: change nothing.

              1. iam_users_list (all pages): flag staff and superuser accounts, inactive accounts, and accounts without a recent login.
              2. iam_groups_list: each group's members and the servers it grants; flag groups that grant many servers to many people.
              3. iam_roles_list explains the roles (member, manager, owner) and flags (staff, superuser).
              4. For each privileged or unusual account, iam_user_permissions_get to see its effective server access.

              Report a table of findings (who, what access, why it stands out) and recommendations. Deactivating with iam_user_update(is_active=false) is reversible and preferable to iam_user_delete; do either only when the user asks.
              """
            : $"""
              Review the access of user '{user}' in {Where(region, workspace)}. This is a read-only review: change nothing.

              1. Find the account: iam_users_list (match the username), then iam_user_get for its flags, state and groups.
              2. iam_user_permissions_get: direct rights (staff, superuser), group memberships with roles, and the servers those groups grant.
              3. iam_roles_list explains the roles and flags.

              Report what this person can reach and through which group, what looks broader than their role needs, and the smallest change that would fix it (do not make it unless asked).
              """, "iam_users_list", "iam_user_get", "iam_groups_list", "iam_roles_list", "iam_user_permissions_get");

    [McpServerPrompt(Name = "safe_command_execution", Title = "Safe command execution")]
    [Description("Run a shell command on servers safely: what to check before (target, notes, blast radius, secrets, sudo), how to run it, and how to read the result.")]
    public static string SafeCommandExecution(
        ToolPolicy policy,
        [Description("The shell command to run.")] string command,
        [Description("Server names or UUIDs, comma-separated.")] string servers,
        [Description(Args.WorkspaceDescription)] string? workspace = null,
        [Description(Args.RegionDescription)] string region = "ap1") =>
        Compose(policy, $"""
            The user wants to run `{command}` on {servers} in {Where(region, workspace)}.

            Before running:
            1. Resolve every target with servers_list and server_get: exact UUIDs, connected, the hosts the user means (production or not).
            2. Read server_notes_list on each: respect maintenance windows and "do not touch" notes.
            3. Judge the command: what it changes, whether it is idempotent, what happens if it runs twice. Prefer a read-only check first (e.g. `systemctl status` before `restart`).
            4. Secrets go in the 'env' argument and are referenced as $NAME; never put them in the command line.
            5. Do not add sudo out of habit: it may stop for a human approval. Use it only when the command needs it.
            6. With several servers, run on one first, check the result, then the rest.
            7. Tell the user exactly what will run where, and wait for their yes.

            Running: execute_command with the UUIDs. Reading the result: the exit code and status decide success, not the output alone; read stderr; 'awaiting_approval' means a human must approve it, so do not submit it again, check later with get_command_status (list_commands shows recent ones). A sudo or ACL denial has a hint: follow it, do not work around it.

            Report per server: exit code, the relevant lines of output, and anything that needs follow-up.
            """, "servers_list", "server_get", "server_notes_list", "execute_command", "get_command_status", "list_commands");

    private static string Where(string region, string? workspace) =>
        workspace is null ? $"region {region} (the configured workspace)" : $"workspace {region}/{workspace}";

    /// <summary>The prompt text, plus a note naming the tools it mentions that this server does not expose.</summary>
    private static string Compose(ToolPolicy policy, string text, params string[] tools)
    {
        var missing = tools.Where(t => !policy.Exposes(t)).ToList();
        if (missing.Count == 0)
            return text;
        return text + $"\n\nNote: this server does not expose {string.Join(", ", missing)} (toolset not enabled, --read-only, or not in this version). Skip the steps that need them and tell the user which checks were not possible.";
    }
}
