using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Alpacon.Mcp.Hosting;

namespace Alpacon.Mcp.Cli;

/// <summary>
/// Turns <c>key=value</c> words (or one JSON object) into a tool's arguments, typed by its input schema:
/// <c>page=2</c> is an integer, <c>verify=false</c> a boolean, <c>servers=a,b</c> or <c>servers=["a","b"]</c> an array,
/// <c>fields={"a":1}</c> an object, <c>workspace=null</c> a null where the parameter is nullable.
/// </summary>
public static class ToolArguments
{
    public static Dictionary<string, JsonElement> Parse(ToolInfo tool, IReadOnlyList<string> words)
    {
        var result = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        if (words.Count == 1 && words[0].TrimStart().StartsWith('{'))
        {
            var json = ParseJson(words[0], "the arguments") as JsonObject
                ?? throw new UsageException("The arguments must be one JSON object, like '{\"server_id\": \"...\"}'.");
            foreach (var (key, value) in json)
            {
                Find(tool, key);
                result[key] = Element(value);
            }
        }
        else
        {
            foreach (var word in words)
            {
                var eq = word.IndexOf('=', StringComparison.Ordinal);
                if (eq <= 0)
                    throw new UsageException($"'{word}' is not key=value. {Usage(tool)}");
                var key = word[..eq];
                var parameter = Find(tool, key);
                if (!result.TryAdd(key, Convert(parameter, word[(eq + 1)..])))
                    throw new UsageException($"'{key}' is given twice.");
            }
        }
        var missing = tool.Parameters.Where(p => p.Required && !result.ContainsKey(p.Name)).Select(p => p.Name).ToList();
        if (missing.Count > 0)
            throw new UsageException($"{tool.Name} needs {string.Join(", ", missing)}. {Usage(tool)}");
        return result;
    }

    /// <summary>One line showing how to call the tool: required parameters first, optional ones in brackets with defaults.</summary>
    public static string Usage(ToolInfo tool) =>
        $"Usage: alpacon-mcp call {tool.Name} {Synopsis(tool)}".TrimEnd();

    public static string Synopsis(ToolInfo tool) => string.Join(' ', tool.Parameters.Select(p =>
        p.Required ? $"{p.Name}=<{p.Type}>" : p.Default is { ValueKind: not JsonValueKind.Null } d ? $"[{p.Name}={DefaultText(d)}]" : $"[{p.Name}]"));

    public static string DefaultText(JsonElement value) =>
        value.ValueKind == JsonValueKind.String ? value.GetString()! : value.GetRawText();

    private static ToolParameter Find(ToolInfo tool, string key) =>
        tool.Parameters.FirstOrDefault(p => p.Name == key)
        ?? throw new UsageException($"{tool.Name} has no parameter '{key}'; it takes {(tool.Parameters.Count == 0 ? "none" : string.Join(", ", tool.Parameters.Select(p => p.Name)))}.");

    private static JsonElement Convert(ToolParameter parameter, string value)
    {
        var type = ToolParameter.JsonType(parameter.Schema, out var nullable);
        if (nullable && value == "null")
            return Element(null);
        return Element(type switch
        {
            "integer" => long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var l)
                ? JsonValue.Create(l)
                : throw Wrong(parameter, "an integer", value),
            "number" => double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var d)
                ? JsonValue.Create(d)
                : throw Wrong(parameter, "a number", value),
            "boolean" => value.ToLowerInvariant() switch
            {
                "true" or "yes" or "1" => JsonValue.Create(true),
                "false" or "no" or "0" => JsonValue.Create(false),
                _ => throw Wrong(parameter, "true or false", value),
            },
            "array" => Array(parameter, value),
            "object" => ParseJson(value, parameter.Name) as JsonObject ?? throw Wrong(parameter, "a JSON object", value),
            _ => JsonValue.Create(value),
        });
    }

    private static JsonArray Array(ToolParameter parameter, string value)
    {
        if (value.TrimStart().StartsWith('['))
            return ParseJson(value, parameter.Name) as JsonArray ?? throw Wrong(parameter, "a JSON array", value);
        var itemType = parameter.Schema.TryGetProperty("items", out var items) ? ToolParameter.JsonType(items, out _) : "string";
        var item = parameter with { Schema = items.ValueKind == JsonValueKind.Object ? items : default };
        var array = new JsonArray();
        if (value.Length == 0)
            return array;
        foreach (var part in value.Split(',', StringSplitOptions.TrimEntries))
            array.Add(itemType == "string" ? JsonValue.Create(part) : JsonNode.Parse(Convert(item, part).GetRawText()));
        return array;
    }

    private static JsonNode? ParseJson(string text, string what)
    {
        try
        {
            return JsonNode.Parse(text);
        }
        catch (JsonException e)
        {
            throw new UsageException($"{what} is not valid JSON: {e.Message}");
        }
    }

    private static UsageException Wrong(ToolParameter parameter, string expected, string value) =>
        new($"'{parameter.Name}' must be {expected}; got '{value}'.");

    private static JsonElement Element(JsonNode? node) => JsonElement.Parse(node?.ToJsonString() ?? "null");
}
