using System.Globalization;
using System.Text.Json;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace Alpacon.Mcp.Tools;

/// <summary>
/// Checks every tools/call against the tool's own inputSchema (names, required-ness, JSON types, enums, bounds)
/// before the tool runs, and answers a mistake with the error envelope naming the argument and the expected
/// shape. Without it the SDK's argument binding fails with a bare "An error occurred invoking 'x'.", which
/// tells the model nothing. A null for an optional argument means "use the default", as models often send it.
/// </summary>
public static class ArgumentValidation
{
    /// <summary>The start of the SDK's text when binding or an unguarded tool fails.</summary>
    public const string SdkGenericError = "An error occurred invoking";

    private const string Refused = "The arguments were refused before any request was sent.";

    private const string Unexpected = "The arguments could not be bound to the tool, or the tool failed unexpectedly.";

    public static IMcpServerBuilder WithArgumentValidation(this IMcpServerBuilder mcp) =>
        mcp.WithRequestFilters(filters => filters.AddCallToolFilter(next => async (context, cancellationToken) =>
        {
            var tool = context.MatchedPrimitive as McpServerTool;
            if (tool is null && context.Params?.Name is { } name && context.Server.ServerOptions.ToolCollection is { } tools)
                tools.TryGetPrimitive(name, out tool);
            if (tool is null || context.Params is null)
                return await next(context, cancellationToken).ConfigureAwait(false);

            if (Check(tool.ProtocolTool, context.Params.Arguments) is { } error)
                return ToolResult.Error(error);
            CallToolResult result;
            try
            {
                result = await next(context, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not McpProtocolException and not OperationCanceledException)
            {
                // Binding failures and exceptions a tool let through: the SDK would answer with its bare generic text.
                (context.Services ?? context.Server.Services)?.GetService<ILoggerFactory>()?.CreateLogger(typeof(ArgumentValidation))
                    .LogError(e, "Tool {Tool} failed outside its error handling", tool.ProtocolTool.Name);
                var what = e is McpException ? e.Message : $"{SdkGenericError} '{tool.ProtocolTool.Name}' ({e.GetType().Name}).";
                return ToolResult.Error(new ToolError($"The call to '{tool.ProtocolTool.Name}' failed: {what}", Unexpected, Hint: Signature(tool.ProtocolTool)));
            }
            if (result.IsError == true && result.Content is [TextContentBlock { Text: var text }] && text.StartsWith(SdkGenericError, StringComparison.Ordinal))
                return ToolResult.Error(new ToolError($"The call to '{tool.ProtocolTool.Name}' failed: {text}", Unexpected, Hint: Signature(tool.ProtocolTool)));
            return result;
        }));

    /// <summary>
    /// Every problem with <paramref name="arguments"/> in one message, or null when they fit the schema.
    /// Drops null values of optional arguments from the dictionary so that their defaults apply.
    /// </summary>
    public static ToolError? Check(Tool tool, IDictionary<string, JsonElement>? arguments)
    {
        var schema = tool.InputSchema;
        var properties = schema.ValueKind == JsonValueKind.Object && schema.TryGetProperty("properties", out var p) && p.ValueKind == JsonValueKind.Object
            ? p.EnumerateObject().ToDictionary(x => x.Name, x => x.Value, StringComparer.Ordinal)
            : [];
        var required = schema.ValueKind == JsonValueKind.Object && schema.TryGetProperty("required", out var r) && r.ValueKind == JsonValueKind.Array
            ? r.EnumerateArray().Where(x => x.ValueKind == JsonValueKind.String).Select(x => x.GetString()!).ToHashSet(StringComparer.Ordinal)
            : [];

        var problems = new List<string>();
        if (arguments is not null)
        {
            foreach (var (name, value) in arguments.ToList())
            {
                if (!properties.TryGetValue(name, out var property))
                {
                    problems.Add($"'{Args.Shorten(name)}' is not an argument of {tool.Name}");
                    continue;
                }
                if (value.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined && !Types(property).Contains("null"))
                {
                    if (!required.Contains(name))
                        arguments.Remove(name);
                    continue; // a required one is reported below
                }
                if (Mismatch(name, property, value) is { } problem)
                    problems.Add(problem);
            }
        }
        foreach (var name in required)
        {
            if (arguments is null || !arguments.TryGetValue(name, out var value) || value.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined)
                problems.Add($"'{name}' is required ({Describe(properties.GetValueOrDefault(name))})");
        }
        if (problems.Count == 0)
            return null;
        var message = problems.Count == 1
            ? $"Invalid arguments for {tool.Name}: {problems[0]}."
            : $"Invalid arguments for {tool.Name}: {string.Join("; ", problems)}.";
        return new ToolError(message, Refused, Hint: Signature(tool));
    }

    private static string? Mismatch(string name, JsonElement property, JsonElement value)
    {
        var types = Types(property);
        if (types.Count > 0 && !types.Any(t => Fits(t, value)))
            return $"'{name}' must be {Describe(property)}; got {Kind(value)}";
        if (property.TryGetProperty("enum", out var allowed) && allowed.ValueKind == JsonValueKind.Array
            && !allowed.EnumerateArray().Any(a => JsonElement.DeepEquals(a, value)))
            return $"'{name}' must be one of {string.Join(", ", allowed.EnumerateArray().Select(a => a.GetRawText()))}; got {Kind(value)}";
        if (value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out var number))
        {
            if (property.TryGetProperty("minimum", out var min) && min.TryGetDouble(out var lo) && number < lo)
                return $"'{name}' must be at least {min.GetRawText()}; got {value.GetRawText()}";
            if (property.TryGetProperty("maximum", out var max) && max.TryGetDouble(out var hi) && number > hi)
                return $"'{name}' must be at most {max.GetRawText()}; got {value.GetRawText()}";
        }
        if (value.ValueKind == JsonValueKind.String && property.TryGetProperty("maxLength", out var maxLength) && maxLength.TryGetInt32(out var limit)
            && value.GetString()!.Length > limit)
            return $"'{name}' may be at most {limit} characters; got {value.GetString()!.Length}";
        if (value.ValueKind == JsonValueKind.Array && property.TryGetProperty("items", out var items) && items.ValueKind == JsonValueKind.Object)
        {
            var index = 0;
            foreach (var item in value.EnumerateArray())
            {
                if (Mismatch($"{name}[{index}]", items, item) is { } problem)
                    return problem;
                index++;
            }
        }
        return null;
    }

    /// <summary>Whether <paramref name="value"/> is acceptable as JSON Schema type <paramref name="type"/> for the SDK's binder.</summary>
    private static bool Fits(string type, JsonElement value) => type switch
    {
        "string" => value.ValueKind == JsonValueKind.String,
        "boolean" => value.ValueKind is JsonValueKind.True or JsonValueKind.False,
        // Tool parameters are C# int: a whole number in its range. The SDK's binder also reads numbers written as strings.
        "integer" => value.ValueKind == JsonValueKind.Number ? value.TryGetInt32(out _)
            : value.ValueKind == JsonValueKind.String && int.TryParse(value.GetString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _),
        "number" => value.ValueKind == JsonValueKind.Number
            || (value.ValueKind == JsonValueKind.String && double.TryParse(value.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d)),
        "array" => value.ValueKind == JsonValueKind.Array,
        "object" => value.ValueKind == JsonValueKind.Object,
        "null" => value.ValueKind == JsonValueKind.Null,
        _ => true,
    };

    private static List<string> Types(JsonElement property)
    {
        if (property.ValueKind != JsonValueKind.Object || !property.TryGetProperty("type", out var type))
            return [];
        return type.ValueKind switch
        {
            JsonValueKind.String => [type.GetString()!],
            JsonValueKind.Array => [.. type.EnumerateArray().Where(t => t.ValueKind == JsonValueKind.String).Select(t => t.GetString()!)],
            _ => [],
        };
    }

    /// <summary>"a string", "a whole number from 1 to 100", "one of \"a\", \"b\"", "a string or null".</summary>
    private static string Describe(JsonElement? maybe)
    {
        if (maybe is not { ValueKind: JsonValueKind.Object } property)
            return "any value";
        if (property.TryGetProperty("enum", out var allowed) && allowed.ValueKind == JsonValueKind.Array)
            return "one of " + string.Join(", ", allowed.EnumerateArray().Select(a => a.GetRawText()));
        var names = Types(property).Select(t => t switch
        {
            "string" => "a string",
            "boolean" => "true or false",
            "integer" => "a whole number" + Bounds(property),
            "number" => "a number" + Bounds(property),
            "array" => property.TryGetProperty("items", out var items) ? $"an array of {Plural(items)}" : "an array",
            "object" => "an object",
            "null" => "null",
            _ => t,
        }).ToList();
        return names.Count == 0 ? "any value" : string.Join(" or ", names);
    }

    /// <summary>"strings", "whole numbers or strings": what an array's items may be (null items are left unsaid).</summary>
    private static string Plural(JsonElement items)
    {
        var nouns = Types(items).Where(t => t != "null").Select(t => t switch
        {
            "integer" => "whole numbers",
            "boolean" => "booleans",
            var other => other + "s",
        }).ToList();
        return nouns.Count == 0 ? "values" : string.Join(" or ", nouns);
    }

    private static string Bounds(JsonElement property)
    {
        var min = property.TryGetProperty("minimum", out var lo) ? lo.GetRawText() : null;
        var max = property.TryGetProperty("maximum", out var hi) ? hi.GetRawText() : null;
        return (min, max) switch
        {
            (not null, not null) => $" from {min} to {max}",
            (not null, null) => $" of at least {min}",
            (null, not null) => $" of at most {max}",
            _ => "",
        };
    }

    private static string Kind(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => $"the string \"{Args.Shorten(value.GetString()!)}\"",
        JsonValueKind.Number => $"the number {Args.Shorten(value.GetRawText())}",
        JsonValueKind.True or JsonValueKind.False => $"the boolean {value.GetRawText()}",
        JsonValueKind.Array => "an array",
        JsonValueKind.Object => "an object",
        _ => "null",
    };

    /// <summary>The call shape, for the hint: <c>server_get(server_id: string, required; region: string = "ap1"; workspace: string or null)</c>.</summary>
    public static string Signature(Tool tool)
    {
        var schema = tool.InputSchema;
        if (schema.ValueKind != JsonValueKind.Object || !schema.TryGetProperty("properties", out var properties)
            || properties.ValueKind != JsonValueKind.Object || !properties.EnumerateObject().Any())
            return $"{tool.Name} takes no arguments.";
        var required = schema.TryGetProperty("required", out var r) && r.ValueKind == JsonValueKind.Array
            ? r.EnumerateArray().Select(x => x.GetString()).ToHashSet(StringComparer.Ordinal)
            : [];
        var parts = properties.EnumerateObject().Select(p =>
            $"{p.Name}: {Describe(p.Value)}" + (required.Contains(p.Name) ? ", required" : p.Value.TryGetProperty("default", out var d) ? $" = {d.GetRawText()}" : ""));
        return $"Call {tool.Name} with ({string.Join("; ", parts)}).";
    }
}
