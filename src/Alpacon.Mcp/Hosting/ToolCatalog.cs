using System.Collections.Concurrent;
using System.Text.Json;
using Alpacon.Api.Configuration;
using Alpacon.Mcp.Tools;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace Alpacon.Mcp.Hosting;

/// <summary>One parameter of a tool, read from its input schema.</summary>
public sealed record ToolParameter(string Name, string Type, bool Required, bool Nullable, JsonElement? Default, string? Description, JsonElement Schema)
{
    /// <summary>The JSON type a <c>key=value</c> word converts to: string, integer, number, boolean, array or object.</summary>
    public static string JsonType(JsonElement schema, out bool nullable)
    {
        nullable = false;
        if (!schema.TryGetProperty("type", out var type))
            return "string";
        if (type.ValueKind == JsonValueKind.String)
            return type.GetString()!;
        var result = "string";
        foreach (var item in type.EnumerateArray())
        {
            if (item.GetString() is "null")
                nullable = true;
            else if (item.GetString() is { } name)
                result = name;
        }
        return result;
    }
}

/// <summary>One registered tool: the toolset that registered it and its protocol description.</summary>
public sealed record ToolInfo(string Toolset, McpServerTool Tool)
{
    public Tool Protocol => Tool.ProtocolTool;

    public string Name => Protocol.Name;

    public bool ReadOnly => Protocol.Annotations?.ReadOnlyHint == true;

    /// <summary>The specification's default: a tool that is not read-only is destructive unless it says otherwise.</summary>
    public bool Destructive => !ReadOnly && Protocol.Annotations?.DestructiveHint != false;

    /// <summary>The tool asks for confirmation itself, naming what it changes (see <see cref="SelfConfirmingAttribute"/>).</summary>
    public bool SelfConfirming => Tool.Metadata.OfType<SelfConfirmingAttribute>().Any();

    public IReadOnlyList<ToolParameter> Parameters { get; } = ReadParameters(Tool.ProtocolTool.InputSchema);

    private static List<ToolParameter> ReadParameters(JsonElement schema)
    {
        var required = schema.TryGetProperty("required", out var r) && r.ValueKind == JsonValueKind.Array
            ? r.EnumerateArray().Select(x => x.GetString()).ToHashSet()
            : [];
        if (!schema.TryGetProperty("properties", out var properties) || properties.ValueKind != JsonValueKind.Object)
            return [];
        var list = new List<ToolParameter>();
        foreach (var p in properties.EnumerateObject())
        {
            var type = ToolParameter.JsonType(p.Value, out var nullable);
            if (type == "array" && p.Value.TryGetProperty("items", out var items))
                type = $"array of {ToolParameter.JsonType(items, out _)}";
            list.Add(new ToolParameter(p.Name, type, required.Contains(p.Name), nullable,
                p.Value.TryGetProperty("default", out var d) ? d.Clone() : null,
                p.Value.TryGetProperty("description", out var desc) ? desc.GetString() : null,
                p.Value.Clone()));
        }
        return list;
    }
}

/// <summary>
/// Every registered tool with its toolset, read from the server's own registrations (the tools the SDK serves),
/// so <c>tools</c>, <c>call</c>, <c>--toolsets</c>, <c>--read-only</c> and confirmations all see the same set.
/// </summary>
public sealed class ToolCatalog
{
    private readonly Dictionary<string, ToolInfo> _byName;

    public ToolCatalog(IEnumerable<McpServerTool> tools, ToolsetTags tags)
    {
        // Tools a host adds through AddAlpaconMcp's extend hook (test-only hosts: conformance fixtures, probes) belong
        // to no toolset: they stay outside the catalogue, so --toolsets, --read-only and confirmations leave them alone.
        All = [.. tools.Select(t => tags.TryOf(t) is { } toolset ? new ToolInfo(toolset, t) : null).OfType<ToolInfo>()];
        _byName = All.ToDictionary(t => t.Name, StringComparer.Ordinal);
    }

    /// <summary>The product's tools, in catalogue order: toolset by toolset, each in declaration order.</summary>
    public IReadOnlyList<ToolInfo> All { get; }

    public ToolInfo? Find(string name) => _byName.GetValueOrDefault(name);

    /// <summary>The catalogue of a server configured by <paramref name="settings"/>, without starting it (no transport, no network).</summary>
    public static ToolCatalog Create(ServerSettings settings)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddAlpaconMcp(settings, new MemoryTokenStore());
        using var provider = services.BuildServiceProvider();
        return provider.GetRequiredService<ToolCatalog>();
    }

    /// <summary>
    /// Registers every toolset of <see cref="Toolsets.All"/> and tags each tool with its toolset's name.
    /// All are registered: <see cref="ToolPolicy"/> hides what <c>--toolsets</c> and <c>--read-only</c> exclude,
    /// so a call to a hidden tool gets an explanation instead of "Unknown tool".
    /// </summary>
    public static void RegisterToolsets(IMcpServerBuilder mcp, JsonSerializerOptions json)
    {
        var tags = new ToolsetTags();
        var services = mcp.Services;
        services.AddSingleton(tags);
        services.AddSingleton<ToolCatalog>();
        services.AddSingleton<ToolPolicy>();
        foreach (var toolset in Toolsets.All)
        {
            var first = services.Count;
            toolset.Register(mcp, json);
            for (var i = first; i < services.Count; i++)
            {
                if (services[i].ServiceType == typeof(McpServerTool))
                    services[i] = tags.Tag(services[i], toolset.Name);
            }
        }
    }
}

/// <summary>Which toolset registered each tool instance (recorded as the SDK's tool singletons are created).</summary>
public sealed class ToolsetTags
{
    private readonly ConcurrentDictionary<McpServerTool, string> _toolsets = new();

    /// <summary>The toolset that registered <paramref name="tool"/>, or null for a tool the host added itself (not through <see cref="Toolsets.All"/>).</summary>
    public string? TryOf(McpServerTool tool) => _toolsets.GetValueOrDefault(tool);

    /// <summary>Wraps a tool registration so the created tool is recorded under <paramref name="toolset"/>.</summary>
    internal ServiceDescriptor Tag(ServiceDescriptor descriptor, string toolset)
    {
        Func<IServiceProvider, object> create = descriptor.ImplementationFactory
            ?? (descriptor.ImplementationInstance is { } instance ? _ => instance
            : throw new InvalidOperationException($"Toolset '{toolset}' registers a tool in a way the catalogue cannot tag ({descriptor})."));
        return new ServiceDescriptor(typeof(McpServerTool), services =>
        {
            var tool = (McpServerTool)create(services);
            _toolsets[tool] = toolset;
            return tool;
        }, descriptor.Lifetime);
    }
}

/// <summary>
/// Which tools this server exposes: those of the selected toolsets and, with <c>--read-only</c>, only those whose
/// read-only hint is true. Applied when tools are listed and again when one is called.
/// </summary>
public sealed class ToolPolicy(ServerSettings settings, ToolCatalog catalog)
{
    private readonly HashSet<string> _toolsets = [.. Toolsets.Select(settings.Toolsets).Select(t => t.Name)];

    public ToolCatalog Catalog => catalog;

    public bool Exposes(string name) => catalog.Find(name) is { } tool && Refusal(tool) is null;

    /// <summary>Whether tools/list shows <paramref name="name"/>: an exposed catalogue tool, or a tool the host added itself.</summary>
    public bool Lists(string name) => catalog.Find(name) is not { } tool || Refusal(tool) is null;

    public IEnumerable<ToolInfo> Exposed => catalog.All.Where(t => Refusal(t) is null);

    /// <summary>Why <paramref name="tool"/> may not be called here, as the error the model reads; null when it may.</summary>
    public ToolError? Refusal(ToolInfo tool)
    {
        if (!_toolsets.Contains(tool.Toolset))
            return new ToolError(
                $"Tool '{tool.Name}' belongs to the '{tool.Toolset}' toolset, which this server does not expose (it runs with --toolsets {string.Join(",", _toolsets)}).",
                "Nothing was done.",
                Hint: $"Use the tools this server lists. If the user needs '{tool.Name}', they can add '{tool.Toolset}' to --toolsets (or ALPACON_MCP_TOOLSETS) in the MCP client's configuration and restart the server.");
        if (settings.ReadOnly && !tool.ReadOnly)
            return new ToolError(
                $"Tool '{tool.Name}' can change things, and the server runs with --read-only: only read-only tools may be called.",
                "Nothing was done.",
                Hint: "The server runs with --read-only. Use a read-only tool, or tell the user what you would change; they can remove --read-only (or ALPACON_MCP_READ_ONLY) from the client configuration if the change is intended.");
        return null;
    }
}
