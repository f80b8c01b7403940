using System.Collections.Concurrent;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace Alpacon.Conformance.Host;

/// <summary>
/// What the conformance suite expects a server under test to offer besides its own tools: the test_* fixtures,
/// completions and resource subscriptions. Registered through the product's <c>extend</c> hook.
/// </summary>
public static class Fixtures
{
    // Subscriptions per session; the suite only checks that subscribe and unsubscribe answer.
    private static readonly ConcurrentDictionary<string, ConcurrentDictionary<string, bool>> Subscriptions = new();

    public static void Register(IMcpServerBuilder mcp) => mcp
        .WithTools<FixtureTools>()
        .WithTools([JsonSchema202012Tool()])
        .WithResources<FixtureResources>()
        .WithPrompts<FixturePrompts>()
        .WithCompleteHandler((_, _) => ValueTask.FromResult(new CompleteResult { Completion = new Completion { Values = [], HasMore = false, Total = 0 } }))
        .WithSubscribeToResourcesHandler((ctx, _) =>
        {
            if (ctx.Params?.Uri is { } uri)
                Subscriptions.GetOrAdd(ctx.Server.SessionId ?? "", _ => new())[uri] = true;
            return ValueTask.FromResult(new EmptyResult());
        })
        .WithUnsubscribeFromResourcesHandler((ctx, _) =>
        {
            if (ctx.Params?.Uri is { } uri && Subscriptions.TryGetValue(ctx.Server.SessionId ?? "", out var uris))
                uris.TryRemove(uri, out bool _);
            return ValueTask.FromResult(new EmptyResult());
        });

    /// <summary>
    /// The pending scenario json-schema-2020-12: a tool whose inputSchema keeps 2020-12 keywords ($schema, $defs,
    /// $ref, additionalProperties) exactly as written, which a schema generated from C# parameters cannot show.
    /// </summary>
    private static McpServerTool JsonSchema202012Tool()
    {
        var tool = McpServerTool.Create(() => "JSON Schema 2020-12 tool executed successfully", new McpServerToolCreateOptions
        {
            Name = "json_schema_2020_12_tool",
            Description = "Tool with a JSON Schema 2020-12 input schema",
        });
        tool.ProtocolTool.InputSchema = System.Text.Json.JsonElement.Parse("""
            {
              "$schema": "https://json-schema.org/draft/2020-12/schema",
              "type": "object",
              "$defs": {
                "address": { "type": "object", "properties": { "street": { "type": "string" }, "city": { "type": "string" } } }
              },
              "properties": { "name": { "type": "string" }, "address": { "$ref": "#/$defs/address" } },
              "additionalProperties": false
            }
            """);
        return tool;
    }

    /// <summary>A 1x1 PNG, base64.</summary>
    internal const string Png = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==";

    /// <summary>A WAV header with no samples, base64.</summary>
    internal const string Wav = "UklGRiQAAABXQVZFZm10IBAAAAABAAEAQB8AAIA+AAACABAAZGF0YQAAAAA=";

    internal static byte[] Base64Bytes(string base64) => System.Text.Encoding.UTF8.GetBytes(base64);
}
