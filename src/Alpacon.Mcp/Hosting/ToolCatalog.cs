using System.Diagnostics.CodeAnalysis;
using System.Reflection;
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
/// A tool of the catalogue: its name and toolset are known at once, while the SDK tool behind it is built on first
/// use. Building it derives the input schema by reflection over the method's parameters and attributes, which under
/// NativeAOT was two thirds of the start-up CPU; deferring it lets the server answer <c>initialize</c> while
/// <see cref="ToolWarmup"/> builds the tools on another thread.
/// </summary>
public sealed class CatalogTool : McpServerTool, IMcpServerPrimitive
{
    private readonly Lazy<McpServerTool> _tool;

    public CatalogTool(string toolset, string name, Func<McpServerTool> create)
    {
        Toolset = toolset;
        Name = name;
        _tool = new Lazy<McpServerTool>(() =>
        {
            var tool = create();
            return tool.ProtocolTool.Name == name ? tool : throw new InvalidOperationException($"Tool '{name}' was built as '{tool.ProtocolTool.Name}'.");
        });
    }

    public string Toolset { get; }

    public string Name { get; }

    /// <summary>The key the SDK's tool collection files the tool under: the name, without building the tool.</summary>
    string IMcpServerPrimitive.Id => Name;

    public override Tool ProtocolTool => _tool.Value.ProtocolTool;

    public override IReadOnlyList<object> Metadata => _tool.Value.Metadata;

    public override ValueTask<CallToolResult> InvokeAsync(RequestContext<CallToolRequestParams> request, CancellationToken cancellationToken = default) =>
        _tool.Value.InvokeAsync(request, cancellationToken);

    public override string ToString() => Name;

    /// <summary>Builds the SDK tool now if nothing has yet.</summary>
    internal void Build() => _ = _tool.Value;

    /// <summary>
    /// Registers a <see cref="CatalogTool"/> for every <c>[McpServerTool]</c> method of <typeparamref name="T"/>, as the
    /// SDK's <c>WithTools&lt;T&gt;</c> would register the tool itself: an instance of <typeparamref name="T"/> per call,
    /// built by dependency injection.
    /// </summary>
    internal static void Register<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicMethods | DynamicallyAccessedMemberTypes.PublicConstructors)] T>(
        IServiceCollection services, string toolset, JsonSerializerOptions json) where T : class
    {
        foreach (var method in typeof(T).GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly))
        {
            if (method.GetCustomAttribute<McpServerToolAttribute>() is not { } attribute)
                continue;
            var name = attribute.Name ?? throw new InvalidOperationException($"{typeof(T).Name}.{method.Name} needs an explicit tool name: names are the contract with users.");
            Func<RequestContext<CallToolRequestParams>, object>? target = method.IsStatic ? null : static request => ActivatorUtilities.CreateInstance<T>(request.Services!);
            services.AddSingleton<McpServerTool>(sp => new CatalogTool(toolset, name, () =>
                McpServerTool.Create(method, target!, new McpServerToolCreateOptions { Services = sp, SerializerOptions = json })));
        }
    }
}

/// <summary>
/// Builds every catalogue tool on a background thread once the first message arrives (normally <c>initialize</c>),
/// so the first <c>tools/list</c> rarely waits for it. Started with the host instead, it competed with start-up for
/// NativeAOT's type loader and tripled the time to answer <c>initialize</c>.
/// </summary>
internal sealed class ToolWarmup(IEnumerable<McpServerTool> tools, ILogger<ToolWarmup> logger)
{
    private int _started;

    public void Start()
    {
        if (Volatile.Read(ref _started) != 0 || Interlocked.Exchange(ref _started, 1) != 0)
            return;
        _ = Task.Run(() =>
        {
            foreach (var tool in tools.OfType<CatalogTool>())
            {
                try
                {
                    tool.Build();
                }
                catch (Exception e)
                {
                    // The call that needs the tool gets the same exception; here it is only reported.
                    logger.LogError(e, "Building tool {Tool} failed", tool.Name);
                }
            }
            // Building the schemas is the one burst of garbage in the server's life (about 15 MB under NativeAOT);
            // without this the heap kept it committed, and the idle server used 59 MB instead of 42 MB.
            GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        });
    }

    internal static void Register(IMcpServerBuilder mcp)
    {
        mcp.Services.AddSingleton<ToolWarmup>();
        mcp.WithMessageFilters(filters => filters.AddIncomingFilter(next => (context, cancellationToken) =>
        {
            (context.Services ?? context.Server.Services)?.GetService<ToolWarmup>()?.Start();
            return next(context, cancellationToken);
        }));
    }
}

/// <summary>
/// Every registered tool with its toolset, read from the server's own registrations (the tools the SDK serves),
/// so <c>tools</c>, <c>call</c>, <c>--toolsets</c>, <c>--read-only</c> and confirmations all see the same set.
/// </summary>
public sealed class ToolCatalog
{
    private readonly Dictionary<string, ToolInfo> _byName;

    public ToolCatalog(IEnumerable<McpServerTool> tools)
    {
        // Tools a host adds through AddAlpaconMcp's extend hook (test-only hosts: conformance fixtures, probes) belong
        // to no toolset: they stay outside the catalogue, so --toolsets, --read-only and confirmations leave them alone.
        All = [.. tools.OfType<CatalogTool>().Select(t => new ToolInfo(t.Toolset, t))];
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
    /// Registers every toolset of <see cref="Toolsets.All"/>. All are registered: <see cref="ToolPolicy"/> hides what
    /// <c>--toolsets</c> and <c>--read-only</c> exclude, so a call to a hidden tool gets an explanation instead of
    /// "Unknown tool".
    /// </summary>
    public static void RegisterToolsets(IMcpServerBuilder mcp, JsonSerializerOptions json)
    {
        var services = mcp.Services;
        services.AddSingleton<ToolCatalog>();
        services.AddSingleton<ToolPolicy>();
        ToolWarmup.Register(mcp);
        foreach (var toolset in Toolsets.All)
            toolset.Register(services, toolset.Name, json);
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
