using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using ModelContextProtocol;

namespace Alpacon.Mcp;

/// <summary>Source-generated JSON for the parameter types of our tools (NativeAOT has no reflection serializer).</summary>
[JsonSerializable(typeof(string[]))]
[JsonSerializable(typeof(List<string>))]
[JsonSerializable(typeof(Dictionary<string, string>))]
[JsonSerializable(typeof(JsonObject))]
[JsonSerializable(typeof(JsonElement))]
[JsonSerializable(typeof(double?))]
[JsonSerializable(typeof(int?))]
[JsonSerializable(typeof(bool?))]
internal sealed partial class McpJsonContext : JsonSerializerContext;

public static class McpJson
{
    /// <summary>The SDK's options with our types first in the resolver chain.</summary>
    public static JsonSerializerOptions Options { get; } = Create();

    private static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions(McpJsonUtilities.DefaultOptions);
        options.TypeInfoResolverChain.Insert(0, McpJsonContext.Default);
        options.MakeReadOnly();
        return options;
    }
}
