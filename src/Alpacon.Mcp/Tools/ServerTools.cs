using System.ComponentModel;
using System.Text.Json;
using System.Text.Json.Nodes;
using Alpacon.Api.Http;
using Alpacon.Api.Servers;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace Alpacon.Mcp.Tools;

/// <summary>Server inventory and notes.</summary>
[McpServerToolType]
public sealed class ServerTools(ToolRunner runner, ServersClient servers)
{
    private const int MaxNoteLength = 512;

    [McpServerTool(Name = "servers_list", Title = "List servers", ReadOnly = true, Destructive = false, Idempotent = true, OpenWorld = true)]
    [Description("List every server of a workspace (all pages) with id, name, OS, connection state, IP, CPU, memory and load. Start here to find the server_id other tools need; server_get gives one server in full.")]
    public Task<CallToolResult> ServersList(
        [Description(Args.RegionDescription)] string region = "ap1",
        [Description(Args.WorkspaceDescription)] string? workspace = null,
        CancellationToken cancellationToken = default) =>
        runner.RunAsync(region, workspace, null, async (ws, ct) => await servers.ListAsync(ws, Summary, ct).ConfigureAwait(false), cancellationToken);

    [McpServerTool(Name = "server_get", Title = "Get server", ReadOnly = true, Destructive = false, Idempotent = true, OpenWorld = true)]
    [Description("Get one server in full: status, OS, CPU, memory, load, boot time, owner and groups.")]
    public Task<CallToolResult> ServerGet(
        [Description(Args.ServerIdDescription)] string server_id,
        [Description(Args.RegionDescription)] string region = "ap1",
        [Description(Args.WorkspaceDescription)] string? workspace = null,
        CancellationToken cancellationToken = default) =>
        runner.RunAsync(region, workspace, server_id, (ws, ct) => servers.GetAsync(ws, Args.Uuid(server_id, "server_id"), ct), cancellationToken);

    [McpServerTool(Name = "server_notes_list", Title = "List server notes", ReadOnly = true, Destructive = false, Idempotent = true, OpenWorld = true)]
    [Description("List the notes on a server (pinned first): maintenance windows, ownership, known issues. Read them before changing a server.")]
    public Task<CallToolResult> ServerNotesList(
        [Description(Args.ServerIdDescription)] string server_id,
        [Description(Args.RegionDescription)] string region = "ap1",
        [Description(Args.WorkspaceDescription)] string? workspace = null,
        CancellationToken cancellationToken = default) =>
        runner.RunAsync(region, workspace, server_id, async (ws, ct) =>
            await servers.ListNotesAsync(ws, Args.Uuid(server_id, "server_id"), ct).ConfigureAwait(false), cancellationToken);

    [McpServerTool(Name = "server_note_create", Title = "Create server note", ReadOnly = false, Destructive = false, Idempotent = false, OpenWorld = true)]
    [Description("Add a Markdown note to a server. Alpacon notes have no title field, so the title becomes a bold first line of the content; title and content together may be at most 512 characters.")]
    public Task<CallToolResult> ServerNoteCreate(
        [Description(Args.ServerIdDescription)] string server_id,
        [Description("Note title (becomes the bold first line).")] string title,
        [Description("Note content, Markdown.")] string content,
        [Description(Args.RegionDescription)] string region = "ap1",
        [Description(Args.WorkspaceDescription)] string? workspace = null,
        CancellationToken cancellationToken = default) =>
        runner.RunAsync(region, workspace, server_id, (ws, ct) =>
        {
            var id = Args.Uuid(server_id, "server_id");
            var body = ServersClient.NoteContent(title, Args.Required(content, "content"));
            if (body.Length > MaxNoteLength)
                throw new ToolInputException($"The note is {body.Length} characters with its title; Alpacon accepts at most {MaxNoteLength}.", "Shorten the content, or split it into several notes.");
            return servers.CreateNoteAsync(ws, id, title, content, cancellationToken: ct);
        }, cancellationToken);

    /// <summary>
    /// The fields an assistant needs to choose a server, without the full status blocks. Read from the page's JSON
    /// as it arrived: building a JsonNode of the whole server first cost more than the rest of the call.
    /// </summary>
    internal static JsonNode? Summary(JsonElement s)
    {
        if (s.ValueKind != JsonValueKind.Object)
            return AlpaconHttp.ToNode(s);
        var memory = s.TryGetProperty("physical_memory", out var m) && m.ValueKind == JsonValueKind.Number && m.TryGetInt64(out var bytes)
            ? Math.Round(bytes / (double)(1L << 30), 1)
            : (double?)null;
        return new JsonObject
        {
            ["id"] = Field(s, "id"),
            ["name"] = Field(s, "name"),
            ["os"] = $"{Text(s, "os_name")} {Text(s, "os_version")}".Trim(),
            ["is_connected"] = Field(s, "is_connected"),
            ["status"] = s.TryGetProperty("status", out var status) && status.ValueKind == JsonValueKind.Object ? Field(status, "text") : Field(s, "status"),
            ["remote_ip"] = Field(s, "remote_ip"),
            ["cpu_cores"] = Field(s, "cpu_logical_cores"),
            ["memory_gib"] = memory,
            ["load"] = Field(s, "load"),
        };
    }

    private static JsonNode? Field(JsonElement o, string name) => o.TryGetProperty(name, out var v) ? AlpaconHttp.ToNode(v) : null;

    private static string Text(JsonElement o, string name) => !o.TryGetProperty(name, out var v) ? "" : v.ValueKind switch
    {
        JsonValueKind.String => v.GetString()!,
        JsonValueKind.Null => "",
        _ => v.GetRawText(),
    };
}
