using System.Text.Json.Nodes;
using Alpacon.Emulator.Core;

namespace Alpacon.Emulator.Websh;

/// <summary>A Websh session: one server, one Linux account, one PTY shared by its user channels.</summary>
public sealed class WebshSession
{
    public required string Id { get; init; }
    public required Server Server { get; init; }
    public required User Owner { get; init; }
    public required string Username { get; init; }
    public required string Groupname { get; init; }
    public int Rows { get; set; } = 24;
    public int Cols { get; set; } = 80;

    /// <summary>The User-Agent of the last channel that connected (the real server shows the channel's).</summary>
    public string UserAgent { get; set; } = "";
    public string RemoteIp { get; init; } = "";
    public DateTimeOffset AddedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; set; }
    public DateTimeOffset? ClosedAt { get; set; }

    /// <summary>
    /// The last few KB the terminal printed (raw), once sent to the connected channels; for diagnostics and tests that
    /// wait for a command to start.
    /// </summary>
    public string RecentOutput => Terminal.RecentOutput;

    /// <summary>The PTY and its connections; created with the session, the shell starts on the first connection.</summary>
    internal WebshTerminal Terminal { get; set; } = null!;

    public JsonObject ToJson() => new()
    {
        ["id"] = Id,
        ["rows"] = Rows,
        ["cols"] = Cols,
        ["server"] = Server.Summary(),
        ["user"] = Owner.Summary(),
        ["username"] = Username,
        ["groupname"] = Groupname,
        ["user_agent"] = UserAgent,
        ["remote_ip"] = RemoteIp,
        ["is_tunnel"] = false,
        ["client_type"] = "web",
        ["added_at"] = Api.Iso(AddedAt),
        ["updated_at"] = Api.Iso(UpdatedAt),
        ["closed_at"] = ClosedAt is { } closed ? Api.Iso(closed) : null,
        ["success"] = true,
    };
}

/// <summary>A client-side endpoint of a session: its own id and secret token in the WebSocket URL.</summary>
public sealed class WebshUserChannel
{
    public required string Id { get; init; }
    public required string Token { get; init; }
    public required WebshSession Session { get; init; }
    public bool IsMaster { get; init; }
    public bool ReadOnly { get; init; }
    public string UserAgent { get; set; } = "";

    /// <summary><c>ws://{host}/ws/websh/{channel_id}/{token}/</c>, on the host and scheme the client reached us on.</summary>
    public string WebSocketUrl(string baseUrl) =>
        (baseUrl.StartsWith("https://", StringComparison.Ordinal) ? "wss://" + baseUrl["https://".Length..] : "ws://" + baseUrl["http://".Length..])
        + $"/ws/websh/{Id}/{Token}/";

    public JsonObject ToJson(string baseUrl) => new()
    {
        ["id"] = Id,
        ["session"] = Session.Id,
        ["is_master"] = IsMaster,
        ["read_only"] = ReadOnly,
        ["websocket_url"] = WebSocketUrl(baseUrl),
    };
}
