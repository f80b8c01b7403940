using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Alpacon.Bench.Infrastructure;

/// <summary>
/// The raw JSON-RPC messages the benchmark sends. It speaks the protocol itself (no MCP SDK client) so that the
/// client's own cost stays out of the figures: a request is a preformatted string, a response is found by its id.
/// </summary>
public static class JsonRpc
{
    public const string ProtocolVersion = "2025-11-25";

    /// <summary>The workspace the server is configured with (<c>ALPACON_MCP_AP1_BENCH_*</c>).</summary>
    public const string Workspace = "bench";

    public static string Initialize(int id) =>
        $$"""{"jsonrpc":"2.0","id":{{id}},"method":"initialize","params":{"protocolVersion":"{{ProtocolVersion}}","capabilities":{},"clientInfo":{"name":"alpacon-bench","version":"1.0.0"}""" + "}}";

    public const string Initialized = """{"jsonrpc":"2.0","method":"notifications/initialized"}""";

    public static string ListTools(int id) => $$"""{"jsonrpc":"2.0","id":{{id}},"method":"tools/list"}""";

    public static string CallTool(int id, string tool, string argumentsJson) =>
        $$$"""{"jsonrpc":"2.0","id":{{{id}}},"method":"tools/call","params":{"name":"{{{tool}}}","arguments":{{{argumentsJson}}}}}""";

    public static string ServersList(int id) => CallTool(id, "servers_list", $$"""{"workspace":"{{Workspace}}"}""");

    /// <summary>The top-level <c>id</c> of a message (null for a notification); stops reading as soon as it is found.</summary>
    public static long? IdOf(string message)
    {
        var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(message));
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            return null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isId = reader.ValueTextEquals("id"u8);
            reader.Read();
            if (isId)
                return reader.TokenType == JsonTokenType.Number ? reader.GetInt64() : long.Parse(reader.GetString()!, CultureInfo.InvariantCulture);
            reader.Skip();
        }
        return null;
    }

    /// <summary>The JSON of a response body: the body itself, or the first <c>data:</c> event of a text/event-stream body.</summary>
    public static string FromBody(string body, string? mediaType)
    {
        if (mediaType != "text/event-stream")
            return body;
        var data = new StringBuilder();
        foreach (var line in body.Split('\n'))
        {
            if (line.StartsWith("data:", StringComparison.Ordinal))
                data.Append(line.AsSpan(5).Trim());
            else if (line.Trim().Length == 0 && data.Length > 0)
                return data.ToString();
        }
        return data.ToString();
    }

    /// <summary>True for a tool result that is not an error (a cheap test, for the hot loops).</summary>
    public static bool LooksSuccessful(string message) =>
        message.Contains("\"result\"", StringComparison.Ordinal) && !message.Contains("\"isError\":true", StringComparison.Ordinal);

    /// <summary>Checks a servers_list result in full (once per peer): success envelope, the bench workspace, the seeded servers.</summary>
    public static void CheckServersList(string message, int expectedServers)
    {
        using var doc = JsonDocument.Parse(message);
        var root = doc.RootElement;
        if (root.TryGetProperty("error", out var error))
            throw new BenchException($"servers_list failed: {error}");
        var result = root.GetProperty("result");
        var text = result.GetProperty("content")[0].GetProperty("text").GetString()!;
        using var body = JsonDocument.Parse(text);
        var status = body.RootElement.GetProperty("status").GetString();
        if (status != "success" || (result.TryGetProperty("isError", out var isError) && isError.GetBoolean()))
            throw new BenchException($"servers_list answered an error: {text}");
        var count = body.RootElement.GetProperty("data").GetArrayLength();
        if (count != expectedServers)
            throw new BenchException($"servers_list returned {count} servers; the API lists {expectedServers}.");
    }

    /// <summary>Checks an initialize response.</summary>
    public static void CheckInitialize(string message)
    {
        using var doc = JsonDocument.Parse(message);
        if (!doc.RootElement.TryGetProperty("result", out var result) || !result.TryGetProperty("serverInfo", out _))
            throw new BenchException($"initialize failed: {message}");
    }
}
