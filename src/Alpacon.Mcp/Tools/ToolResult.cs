using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using ModelContextProtocol.Protocol;

namespace Alpacon.Mcp.Tools;

/// <summary>
/// The result contract of every tool (design.md §4): <c>{"status":"success","data":…,"region","workspace"[,"server_id"]}</c>,
/// or <c>isError:true</c> with <c>{"status":"error","message","details"[,"status_code","error_code","hint"]}</c>.
/// </summary>
public static class ToolResult
{
    private const int InitialBufferSize = 4 * 1024;
    private const int MaxKeptBufferSize = 256 * 1024;

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_buffer;

    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static CallToolResult Success(JsonNode? data, string? region, string? workspace, string? serverId = null, JsonObject? extra = null)
    {
        var body = new JsonObject { ["status"] = "success", ["data"] = data };
        if (extra is not null)
        {
            foreach (var (key, value) in extra.ToList())
            {
                extra.Remove(key);
                body[key] = value;
            }
        }
        if (serverId is not null)
            body["server_id"] = serverId;
        if (region is not null)
            body["region"] = region;
        if (workspace is not null)
            body["workspace"] = workspace;
        return Build(body, isError: false);
    }

    public static CallToolResult Error(ToolError error)
    {
        var body = new JsonObject { ["status"] = "error", ["message"] = error.Message, ["details"] = error.Details };
        if (error.StatusCode is { } status)
            body["status_code"] = status;
        if (error.ErrorCode is { } code)
            body["error_code"] = code;
        if (error.Hint is { } hint)
            body["hint"] = hint;
        if (error.Region is { } region)
            body["region"] = region;
        if (error.Workspace is { } workspace)
            body["workspace"] = workspace;
        return Build(body, isError: true);
    }

    /// <summary>Compact JSON with non-ASCII kept as it is: what the model reads, in as few tokens as possible.</summary>
    public static string Serialize(JsonNode node)
    {
        var buffer = Write(node);
        try
        {
            return Encoding.UTF8.GetString(buffer.WrittenSpan);
        }
        finally
        {
            Return(buffer);
        }
    }

    // The body is written once, as UTF-8, into a buffer the thread reuses: the text block decodes those bytes and the
    // structured copy parses them, where a string round trip used to encode, decode and transcode it again.
    private static CallToolResult Build(JsonObject body, bool isError)
    {
        var buffer = Write(body);
        try
        {
            return new CallToolResult
            {
                IsError = isError,
                Content = [new TextContentBlock { Text = Encoding.UTF8.GetString(buffer.WrittenSpan) }],
                StructuredContent = JsonElement.Parse(buffer.WrittenSpan),
            };
        }
        finally
        {
            Return(buffer);
        }
    }

    private static ArrayBufferWriter<byte> Write(JsonNode node)
    {
        var buffer = t_buffer ?? new ArrayBufferWriter<byte>(InitialBufferSize);
        t_buffer = null;
        buffer.ResetWrittenCount();
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
            node.WriteTo(writer);
        return buffer;
    }

    // Kept for the thread's next result unless a huge result grew it: no thread holds more than that.
    private static void Return(ArrayBufferWriter<byte> buffer)
    {
        if (buffer.Capacity <= MaxKeptBufferSize)
            t_buffer = buffer;
    }
}

/// <summary>
/// What went wrong, for the model: a message, details, and the next step. Every error shown passes through here, so
/// this is where what it quotes is made safe: the message and hint get control and bidi characters escaped and a
/// length bound, and long strings in the details are cut, whoever built the error (an API that echoes a 2 MB
/// argument back, a path the model sent).
/// </summary>
public sealed record ToolError(string Message, JsonNode? Details = null, int? StatusCode = null, string? ErrorCode = null, string? Hint = null)
{
    /// <summary>The most characters of a message or a hint.</summary>
    public const int MaxMessageLength = 2000;

    /// <summary>The most characters of one string in the details (a partial terminal output is budgeted below it).</summary>
    public const int MaxDetailLength = 8192;

    private readonly string _message = Args.Shown(Message, MaxMessageLength);
    private readonly string? _hint = Hint is null ? null : Args.Shown(Hint, MaxMessageLength);
    private readonly JsonNode? _details = Bounded(Details);

    public string Message { get => _message; init => _message = Args.Shown(value, MaxMessageLength); }

    public string? Hint { get => _hint; init => _hint = value is null ? null : Args.Shown(value, MaxMessageLength); }

    public JsonNode? Details { get => _details; init => _details = Bounded(value); }

    public string? Region { get; init; }

    public string? Workspace { get; init; }

    /// <summary><paramref name="details"/> itself, or a copy with every string longer than <see cref="MaxDetailLength"/> cut.</summary>
    private static JsonNode? Bounded(JsonNode? details)
    {
        if (!HasLongString(details))
            return details;
        var copy = details!.DeepClone();
        return Cut(copy);

        static JsonNode? Cut(JsonNode? node)
        {
            switch (node)
            {
                case JsonObject o:
                    foreach (var (key, value) in o.ToList())
                    {
                        if (HasLongString(value))
                            o[key] = Cut(value?.DeepClone());
                    }
                    return o;
                case JsonArray a:
                    for (var i = 0; i < a.Count; i++)
                    {
                        if (HasLongString(a[i]))
                            a[i] = Cut(a[i]?.DeepClone());
                    }
                    return a;
                case JsonValue v when v.GetValueKind() == JsonValueKind.String:
                    return JsonValue.Create(Args.Cut(v.GetValue<string>(), MaxDetailLength));
                default:
                    return node;
            }
        }
    }

    private static bool HasLongString(JsonNode? node) => node switch
    {
        JsonObject o => o.Any(p => HasLongString(p.Value)),
        JsonArray a => a.Any(HasLongString),
        JsonValue v => v.GetValueKind() == JsonValueKind.String && v.GetValue<string>().Length > MaxDetailLength,
        _ => false,
    };
}

/// <summary>
/// A failure the tool explains itself (a command that ended stuck, an agent-only endpoint that refused the token):
/// its own message, details and hint, plus the API's status and code when there was an answer.
/// </summary>
public sealed class ToolFailureException(string message, string? hint, JsonNode? details = null, int? statusCode = null, string? errorCode = null, Exception? inner = null)
    : Exception(message, inner)
{
    public string? Hint { get; } = hint;

    public JsonNode? Details { get; } = details;

    public int? StatusCode { get; } = statusCode;

    public string? ErrorCode { get; } = errorCode;
}

/// <summary>Bad tool arguments, caught before any request is sent.</summary>
public sealed class ToolInputException(string message, string? hint = null) : Exception(message)
{
    public string? Hint { get; } = hint;
}
