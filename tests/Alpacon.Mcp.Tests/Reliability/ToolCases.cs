using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Alpacon.Emulator.Core;
using ModelContextProtocol.Client;

namespace Alpacon.Mcp.Tests.Reliability;

/// <summary>One generated call: which tool, what it tests, the arguments, and whether it must be refused.</summary>
/// <param name="Tool">The tool's name.</param>
/// <param name="Label">What the case tries, for failure messages.</param>
/// <param name="Arguments">The arguments sent.</param>
/// <param name="Parameter">The argument under test; a refusal must name it.</param>
/// <param name="MustFail">False where the value may be legitimate (free text), so success is allowed.</param>
/// <param name="Large">The case sends megabytes.</param>
public sealed record ToolCase(string Tool, string Label, Dictionary<string, object?> Arguments, string? Parameter, bool MustFail, bool Large = false)
{
    public override string ToString() => $"{Tool} / {Label}";
}

/// <summary>
/// Arguments for any tool, generated from the inputSchema that tools/list returns, so that the generic suites
/// (bad input, faults, secrets, load) cover tools added later without being edited. <see cref="Overrides"/>
/// holds the few argument values a guess from the parameter's name cannot produce; those that need something to
/// exist first (a command, a user, a session) take it from the connection's <see cref="ToolSetup"/>.
/// </summary>
public static class ToolCases
{
    private const string Echo = "echo reliability";

    /// <summary>Seconds a Websh command may take: a hostile line that leaves the shell waiting (an open quote) ends sooner.</summary>
    private const int WebshTimeout = 5;

    /// <summary>
    /// Arguments that make a tool do its normal work, where the generated ones cannot (one line per tool). Each is
    /// made anew for every call, so a tool that uses up what it acts on (a user deleted, a command cancelled, a
    /// session closed) gets a fresh one each time.
    /// </summary>
    public static readonly Dictionary<string, Func<ToolSetup, Task<Dictionary<string, object?>>>> Overrides = new()
    {
        // Another region than the tests' ap1/acme, so that ap1 keeps exactly one workspace.
        ["auth_set_token"] = _ => Fixed(new() { ["region"] = "eu1", ["workspace"] = "reliability", ["token"] = "alpat-reliability-0123456789abcdef", ["verify"] = false }),
        ["auth_remove_token"] = _ => Fixed(new() { ["region"] = "eu1", ["workspace"] = "reliability" }),
        ["get_command_status"] = s => Fixed(new() { ["command_id"] = s.CommandId }),
        ["acknowledge_command"] = s => Fixed(new() { ["command_id"] = s.CommandId }),
        ["finish_command"] = s => Fixed(new() { ["command_id"] = s.CommandId }),
        ["delete_command"] = async s => new() { ["command_id"] = await s.AwaitingCommandAsync() },
        ["get_event"] = s => Fixed(new() { ["event_id"] = s.EventId }),
        ["iam_user_create"] = s => Fixed(new() { ["username"] = s.Unique("rel"), ["email"] = $"{s.Unique("rel")}@example.com" }),
        ["iam_user_get"] = s => Fixed(new() { ["user_id"] = s.UserId }),
        ["iam_user_update"] = s => Fixed(new() { ["user_id"] = s.UserId, ["first_name"] = "Reliability" }),
        ["iam_user_permissions_get"] = s => Fixed(new() { ["user_id"] = s.UserId }),
        // A fresh user each time, so that the role is really applied (a PATCH) rather than found already there.
        ["iam_user_assign_role"] = async s => new() { ["user_id"] = await s.NewUserAsync(), ["role_id"] = "workspace:staff" },
        ["iam_user_delete"] = async s => new() { ["user_id"] = await s.NewUserAsync() },
        ["iam_group_create"] = s => Fixed(new() { ["name"] = s.Unique("rel-group") }),
        ["user_settings_update"] = _ => Fixed(new() { ["settings"] = new Dictionary<string, object?> { ["timezone"] = "UTC" } }),
        ["webftp_upload_file"] = s => Fixed(new() { ["session_id"] = s.WebftpSessionId, ["file_path"] = "/tmp/alpacon-reliability.txt", ["file_data"] = "cmVsaWFiaWxpdHkK" }),
        ["webftp_download_file"] = s => Fixed(new() { ["session_id"] = s.WebftpSessionId, ["path"] = "/etc/os-release" }),
        ["webftp_downloads_list"] = s => Fixed(new() { ["session_id"] = s.WebftpSessionId }),
        ["webftp_uploads_list"] = s => Fixed(new() { ["session_id"] = s.WebftpSessionId }),
        ["websh_command_execute"] = s => Fixed(new() { ["session_id"] = s.WebshSessionId, ["command"] = Echo, ["timeout"] = WebshTimeout }),
        ["websh_session_reconnect"] = s => Fixed(new() { ["session_id"] = s.WebshOtherSessionId }),
        ["websh_session_terminate"] = async s => new() { ["session_id"] = await s.NewWebshSessionAsync() },
        ["websh_channel_execute"] = s => Fixed(new() { ["channel_id"] = s.WebshChannelId, ["command"] = Echo, ["timeout"] = WebshTimeout }),
        ["websh_channel_disconnect"] = async s => new() { ["channel_id"] = await s.NewPooledChannelAsync() },
        ["websh_channel_connect"] = s =>
        {
            var (id, url) = s.NewChannelUrl();
            return Fixed(new() { ["channel_id"] = id, ["websocket_url"] = url, ["session_id"] = s.WebshOtherSessionId });
        },
        ["websh_websocket_execute"] = s => Fixed(new() { ["websocket_url"] = s.NewChannelUrl().Url, ["command"] = Echo, ["timeout"] = WebshTimeout }),
    };

    /// <summary>Tools no generic call can make work, and why: the suites name them apart from the failures.</summary>
    public static readonly Dictionary<string, string> NotCoverable = new()
    {
        ["acknowledge_command"] = "an agent-only endpoint: the API refuses user tokens (403); CommandToolsTests covers it with an agent-endpoint token",
        ["finish_command"] = "an agent-only endpoint: the API refuses user tokens (403); CommandToolsTests covers it with an agent-endpoint token",
    };

    private static Task<Dictionary<string, object?>> Fixed(Dictionary<string, object?> arguments) => Task.FromResult(arguments);

    public static readonly string ServerId = Seed.ServerId("web-01");

    private const int TwoMegabytes = 2 * 1024 * 1024;

    /// <summary>Values that are hostile as text: shell and SQL injection, traversal, control and bidi characters.</summary>
    private static readonly (string Label, string Value)[] HostileText =
    [
        ("control characters", "abc\u0000\u0007\u001b[2J\u007f"),
        ("bidi override", "\u202egnp.exe\u202c\u2066x\u2069"),
        ("path traversal", "../../etc/passwd"),
        ("SQL injection", "'; DROP TABLE servers; --"),
        ("shell injection", "$(rm -rf /)`reboot`"),
    ];

    private static readonly (string Label, string Value)[] BadUuids =
    [
        ("not a UUID", "not-a-uuid"),
        ("UUID with a bad digit", "12345678-1234-1234-1234-12345678901z"),
        ("empty", ""),
    ];

    // Malformed names only: a well-formed unknown region ("zz9") is legitimate with a pinned URL.
    private static readonly (string Label, string Value)[] BadRegions =
    [
        ("region with a newline", "ap1\nus1"),
        ("region with a command", "ap1; rm -rf /"),
        ("region in capitals with spaces", "AP 1"),
    ];

    private static readonly (string Label, string Value)[] BadDates =
    [
        ("impossible date", "2026-13-45T25:61:00Z"),
        ("words for a date", "yesterday"),
        ("zero date", "0000-00-00"),
    ];

    /// <summary>Every tool with its schema, as a client sees it.</summary>
    public static async Task<IReadOnlyList<McpClientTool>> ToolsAsync(McpClient client) =>
        [.. (await client.ListToolsAsync()).OrderBy(t => t.Name, StringComparer.Ordinal)];

    public static bool IsReadOnly(McpClientTool tool) => tool.ProtocolTool.Annotations?.ReadOnlyHint == true;

    /// <summary>The required arguments, with values that should let the tool do its normal work (fresh ones where it uses them up).</summary>
    public static async Task<Dictionary<string, object?>> ValidAsync(McpClientTool tool, ToolSetup setup)
    {
        var args = new Dictionary<string, object?>(StringComparer.Ordinal);
        var (properties, required) = Schema(tool);
        foreach (var name in required)
        {
            if (properties.TryGetValue(name, out var property))
                args[name] = ValidValue(name, property);
        }
        if (Overrides.TryGetValue(tool.Name, out var overrides))
        {
            foreach (var (k, v) in await overrides(setup))
                args[k] = v;
        }
        return args;
    }

    /// <summary>The line the suites print about the tools they could not cover, or null when they covered every tool.</summary>
    public static string? NotCoveredReport(IEnumerable<string> failed)
    {
        var lines = new List<string>();
        foreach (var name in failed.Order(StringComparer.Ordinal))
            lines.Add(NotCoverable.TryGetValue(name, out var why) ? $"{name} ({why})" : $"{name} (generated arguments fail; add a line to ToolCases.Overrides)");
        return lines.Count == 0 ? null : "not covered: " + string.Join("; ", lines);
    }

    /// <summary>
    /// Bad arguments for every parameter of <paramref name="tool"/>, each case changing one argument of
    /// <paramref name="valid"/>. Hostile names for a path on this machine (<c>local_path</c>) are put under
    /// <paramref name="localRoot"/>, so that a tool which legitimately writes there does not litter the test's directory.
    /// </summary>
    public static IEnumerable<ToolCase> Bad(McpClientTool tool, Dictionary<string, object?> valid, string localRoot, bool includeLarge = true)
    {
        var (properties, required) = Schema(tool);
        Dictionary<string, object?> With(string name, object? value)
        {
            var args = new Dictionary<string, object?>(valid, StringComparer.Ordinal) { [name] = value };
            return args;
        }

        foreach (var name in required)
        {
            var args = new Dictionary<string, object?>(valid, StringComparer.Ordinal);
            args.Remove(name);
            yield return new ToolCase(tool.Name, $"missing required '{name}'", args, name, MustFail: true);
        }
        yield return new ToolCase(tool.Name, "unknown argument", With("no_such_argument", 1), "no_such_argument", MustFail: true);

        foreach (var (name, property) in properties)
        {
            var types = Types(property);
            yield return new ToolCase(tool.Name, $"wrong type for '{name}'", With(name, WrongType(types)), name, MustFail: true);
            if (types.Contains("integer") || types.Contains("number"))
            {
                yield return new ToolCase(tool.Name, $"'{name}' beyond 32 bits", With(name, 4_294_967_296_000L), name, MustFail: types.Contains("integer"));
                yield return new ToolCase(tool.Name, $"'{name}' negative", With(name, -1), name, MustFail: false);
                if (types.Contains("integer"))
                    yield return new ToolCase(tool.Name, $"'{name}' fractional", With(name, 1.5), name, MustFail: true);
            }
            if (types.Contains("array"))
                yield return new ToolCase(tool.Name, $"'{name}' with a number inside", With(name, new object?[] { 1, null }), name, MustFail: true);
            if (!types.Contains("string") && !(types.Contains("array") && ItemTypes(property).Contains("string")))
                continue;

            var inArray = !types.Contains("string");
            var local = name.Contains("local_path", StringComparison.Ordinal);
            object? Wrap(string value)
            {
                var text = local ? Path.Combine(localRoot, value) : value;
                return inArray ? new[] { text } : text;
            }
            var strict = IsStrict(name);
            if (includeLarge)
                yield return new ToolCase(tool.Name, $"2 MB '{name}'", With(name, Wrap(new string('a', TwoMegabytes))), name, MustFail: strict, Large: true);
            foreach (var (label, value) in HostileText)
                yield return new ToolCase(tool.Name, $"{label} in '{name}'", With(name, Wrap(value)), name, MustFail: strict);
            var specific = IsId(name) ? BadUuids : name == "region" ? BadRegions : IsDate(name) ? BadDates : [];
            foreach (var (label, value) in specific)
                yield return new ToolCase(tool.Name, $"{label} in '{name}'", With(name, Wrap(value)), name, MustFail: true);
        }
    }

    /// <summary>Parameters with a fixed format: any hostile or oversized value must be refused, never used.</summary>
    public static bool IsStrict(string name) => IsId(name) || name is "region" or "workspace" || IsDate(name);

    private static bool IsId(string name) => name.EndsWith("_id", StringComparison.Ordinal) || name.EndsWith("_ids", StringComparison.Ordinal);

    private static bool IsDate(string name) => name.Contains("date", StringComparison.Ordinal) || name is "start" or "end" or "since" or "until";

    private static object WrongType(IReadOnlyList<string> types) =>
        types.Contains("string") ? 12345
        : types.Contains("integer") || types.Contains("number") ? "twelve"
        : types.Contains("boolean") ? "maybe"
        : types.Contains("array") ? "not-an-array"
        : types.Contains("object") ? "not-an-object"
        : new object[] { "unexpected" };

    private static object? ValidValue(string name, JsonElement property)
    {
        if (property.TryGetProperty("enum", out var allowed) && allowed.ValueKind == JsonValueKind.Array && allowed.GetArrayLength() > 0)
            return allowed[0].Clone();
        if (property.TryGetProperty("default", out var fallback) && fallback.ValueKind != JsonValueKind.Null)
            return fallback.Clone();
        var types = Types(property);
        if (types.Contains("string"))
            return ValidText(name);
        if (types.Contains("integer") || types.Contains("number"))
            return property.TryGetProperty("minimum", out var min) && min.TryGetInt32(out var m) ? Math.Max(m, 1) : 1;
        if (types.Contains("boolean"))
            return false;
        if (types.Contains("array"))
            return ItemTypes(property).Contains("string") ? new[] { ValidText(name.TrimEnd('s')) } : Array.Empty<object>();
        if (types.Contains("object"))
            return new Dictionary<string, object?>();
        return null;
    }

    private static string ValidText(string name) => name switch
    {
        "region" => "ap1",
        "workspace" => "acme",
        _ when name.Contains("server_id", StringComparison.Ordinal) => ServerId,
        _ when IsId(name) => "00000000-0000-4000-8000-000000000001",
        _ when IsDate(name) => DateTimeOffset.UtcNow.AddHours(-1).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
        _ when name.Contains("url", StringComparison.Ordinal) => "https://alpacon.example.com",
        _ when name.Contains("path", StringComparison.Ordinal) => "/tmp/alpacon-reliability.txt",
        _ when name.Contains("command", StringComparison.Ordinal) => "uptime",
        _ when name.Contains("email", StringComparison.Ordinal) => "reliability@example.com",
        _ when name.Contains("username", StringComparison.Ordinal) => "reliability-user",
        _ when name.Contains("token", StringComparison.Ordinal) => "alpat-reliability-0123456789abcdef",
        _ => "reliability check",
    };

    private static (Dictionary<string, JsonElement> Properties, List<string> Required) Schema(McpClientTool tool)
    {
        var schema = tool.ProtocolTool.InputSchema;
        var properties = schema.TryGetProperty("properties", out var p) && p.ValueKind == JsonValueKind.Object
            ? p.EnumerateObject().ToDictionary(x => x.Name, x => x.Value.Clone(), StringComparer.Ordinal)
            : [];
        var required = schema.TryGetProperty("required", out var r) && r.ValueKind == JsonValueKind.Array
            ? r.EnumerateArray().Select(x => x.GetString()!).ToList()
            : [];
        return (properties, required);
    }

    private static List<string> Types(JsonElement property) => !property.TryGetProperty("type", out var type) ? []
        : type.ValueKind == JsonValueKind.String ? [type.GetString()!]
        : [.. type.EnumerateArray().Select(t => t.GetString()!)];

    private static List<string> ItemTypes(JsonElement property) =>
        property.TryGetProperty("items", out var items) && items.ValueKind == JsonValueKind.Object ? Types(items) : [];

    /// <summary>The text of a result, whatever its content blocks are.</summary>
    public static string Text(ModelContextProtocol.Protocol.CallToolResult result) =>
        string.Join("\n", result.Content.OfType<ModelContextProtocol.Protocol.TextContentBlock>().Select(t => t.Text));

    /// <summary>The error envelope's message, or null when the result is not one.</summary>
    public static string? ErrorMessage(ModelContextProtocol.Protocol.CallToolResult result)
    {
        try
        {
            return JsonNode.Parse(Text(result)) is JsonObject o && (string?)o["status"] == "error" ? (string?)o["message"] : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
