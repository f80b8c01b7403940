using System.Globalization;
using System.Text.Json.Nodes;

namespace Alpacon.Emulator.Faults;

/// <summary>What an injected fault does to a matching request.</summary>
public enum FaultKind
{
    /// <summary>A 5xx JSON answer (503 unless <see cref="FaultRule.Status"/> says otherwise).</summary>
    ServerError,

    /// <summary>429 with <c>Retry-After</c> in delta-seconds and DRF's throttling body.</summary>
    TooManyRequests,

    /// <summary>Waits <see cref="FaultRule.Delay"/>, then answers normally.</summary>
    Latency,

    /// <summary>Drops the connection without an answer.</summary>
    ConnectionReset,

    /// <summary>200 with a JSON content type and a truncated body.</summary>
    MalformedJson,

    /// <summary>An HTML error page from a proxy (502 unless <see cref="FaultRule.Status"/> says otherwise).</summary>
    HtmlErrorPage,

    /// <summary>
    /// For WebSocket requests only: the endpoint (websh) sends <see cref="FaultRule.AfterMessages"/> server messages,
    /// then drops the connection without a close frame when its next message either way is due (the first message
    /// or keystroke after them is lost). Endpoints read it with <see cref="FaultTable.WebSocketDrop"/>.
    /// </summary>
    WebSocketDrop,
}

/// <summary>
/// One rule of the fault table: requests whose method and path match get <see cref="Kind"/>, for the first
/// <see cref="Count"/> matches (every match when null), each with <see cref="Probability"/>.
/// </summary>
/// <param name="Kind">What happens.</param>
/// <param name="PathPrefix">Matches paths starting with it (ordinal), e.g. <c>/api/servers/</c>.</param>
public sealed record FaultRule(FaultKind Kind, string PathPrefix = "/api/")
{
    /// <summary>GET, POST, ...; null matches every method.</summary>
    public string? Method { get; init; }

    /// <summary>How many matching requests get the fault; null for all of them.</summary>
    public int? Count { get; init; }

    /// <summary>Chance that a matching request gets the fault (drawn from a seeded generator: runs repeat).</summary>
    public double Probability { get; init; } = 1.0;

    /// <summary>Waited before the fault; for <see cref="FaultKind.Latency"/> the whole effect.</summary>
    public TimeSpan Delay { get; init; }

    /// <summary>The <c>Retry-After</c> of a 429 (1 s when null) or, when set, of a 5xx.</summary>
    public TimeSpan? RetryAfter { get; init; }

    /// <summary>The status of <see cref="FaultKind.ServerError"/> and <see cref="FaultKind.HtmlErrorPage"/>.</summary>
    public int? Status { get; init; }

    /// <summary>Server messages sent before a <see cref="FaultKind.WebSocketDrop"/> (0: the first message is lost).</summary>
    public int AfterMessages { get; init; } = 1;

    private static readonly Dictionary<FaultKind, string> Names = new()
    {
        [FaultKind.ServerError] = "server_error",
        [FaultKind.TooManyRequests] = "too_many_requests",
        [FaultKind.Latency] = "latency",
        [FaultKind.ConnectionReset] = "connection_reset",
        [FaultKind.MalformedJson] = "malformed_json",
        [FaultKind.HtmlErrorPage] = "html_error_page",
        [FaultKind.WebSocketDrop] = "websocket_drop",
    };

    public static string NameOf(FaultKind kind) => Names[kind];

    /// <summary>
    /// Reads the wire form used by <c>POST /_emulator/faults</c>: <c>{"kind":"server_error","method":"GET",
    /// "path_prefix":"/api/","count":1,"probability":1,"delay_ms":0,"retry_after_s":1,"status":503,"after_messages":1}</c>.
    /// </summary>
    public static FaultRule Parse(JsonObject o)
    {
        var kindName = Text(o, "kind") ?? throw new FormatException("'kind' is required: " + string.Join(", ", Names.Values) + ".");
        var kind = Names.FirstOrDefault(n => n.Value == kindName).Key;
        if (Names[kind] != kindName)
            throw new FormatException($"Unknown kind '{kindName}'; use one of {string.Join(", ", Names.Values)}.");
        var probability = Number(o, "probability") ?? 1.0;
        if (probability is < 0 or > 1)
            throw new FormatException("'probability' must be between 0 and 1.");
        return new FaultRule(kind, Text(o, "path_prefix") ?? "/api/")
        {
            Method = Text(o, "method")?.ToUpperInvariant(),
            Count = (int?)Number(o, "count"),
            Probability = probability,
            Delay = TimeSpan.FromMilliseconds(Number(o, "delay_ms") ?? 0),
            RetryAfter = Number(o, "retry_after_s") is { } s ? TimeSpan.FromSeconds(s) : null,
            Status = (int?)Number(o, "status"),
            AfterMessages = (int?)Number(o, "after_messages") ?? 1,
        };
    }

    public JsonObject ToJson() => new()
    {
        ["kind"] = NameOf(Kind),
        ["method"] = Method,
        ["path_prefix"] = PathPrefix,
        ["count"] = Count,
        ["probability"] = Probability,
        ["delay_ms"] = Delay.TotalMilliseconds,
        ["retry_after_s"] = RetryAfter?.TotalSeconds,
        ["status"] = Status,
        ["after_messages"] = AfterMessages,
    };

    private static string? Text(JsonObject o, string name) =>
        o[name] is JsonValue v && v.TryGetValue<string>(out var s) && s.Length > 0 ? s : null;

    private static double? Number(JsonObject o, string name) => o[name] switch
    {
        JsonValue v when v.TryGetValue<double>(out var d) => d,
        JsonValue v when v.TryGetValue<string>(out var s) && double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) => d,
        null => null,
        _ => throw new FormatException($"'{name}' must be a number."),
    };
}
