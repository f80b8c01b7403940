using Alpacon.Api;
using Alpacon.Api.Configuration;
using Alpacon.Mcp.Prompts;
using Alpacon.Mcp.Resources;
using Alpacon.Mcp.Tools;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging.Console;
using ModelContextProtocol.Protocol;

namespace Alpacon.Mcp.Hosting;

/// <summary>The one server setup shared by stdio, HTTP, SSE and the tests.</summary>
public static class McpServerSetup
{
    private const string Instructions =
        "Alpacon MCP operates servers managed by Alpacon. Start with servers_list to find server ids. " +
        "Every result is JSON: {status:\"success\", data, region, workspace} or, with isError, {status:\"error\", message, details, hint}; follow the hint. " +
        "Pass 'workspace' (and 'region', default ap1) unless exactly one workspace is configured.";

    private const string SandboxInstructions =
        " This is the SANDBOX: a simulated Alpacon workspace named 'sandbox' with demo servers; nothing real is touched.";

    private const string ReadOnlyInstructions =
        " The server runs with --read-only: only tools that change nothing are available.";

    /// <param name="services">The host's services.</param>
    /// <param name="settings">What the command line decided.</param>
    /// <param name="store">Where tokens are kept.</param>
    /// <param name="extend">
    /// Registers more tools, resources, prompts or handlers on the same server: for test-only hosts (the conformance
    /// fixtures) that must exercise the product's real setup. The product itself passes nothing.
    /// </param>
    public static IMcpServerBuilder AddAlpaconMcp(this IServiceCollection services, ServerSettings settings, ITokenStore store, Action<IMcpServerBuilder>? extend = null)
    {
        services.AddSingleton(settings);
        services.AddSingleton<ShutdownCoordinator>();
        services.AddSingleton(new WorkspaceDirectory(store, settings.Sandbox ? new Dictionary<string, string>() : settings.Environment));
        services.AddAlpaconApi(settings.Api);
        services.AddSingleton<ToolRunner>();
        services.AddSingleton<Confirmation>();
        // Websh channels close with a handshake when the server stops, once the calls in flight are done.
        services.AddSingleton(sp =>
        {
            var pool = new Alpacon.Api.Websh.ChannelPool(sp.GetRequiredService<AlpaconApiOptions>(), sp.GetService<Alpacon.Api.Websh.WebshOptions>(), sp.GetService<ILogger<Alpacon.Api.Websh.ChannelPool>>());
            sp.GetRequiredService<ShutdownCoordinator>().Register(pool);
            return pool;
        });

        var mcp = services.AddMcpServer(o =>
        {
            o.ServerInfo = new Implementation { Name = "alpacon-mcp", Title = "Alpacon", Version = AlpaconApiOptions.Version };
            o.ServerInstructions = Instructions + (settings.Sandbox ? SandboxInstructions : "") + (settings.ReadOnly ? ReadOnlyInstructions : "");
        });
        ToolCatalog.RegisterToolsets(mcp, McpJson.Options);
        mcp.WithToolPolicy();
        mcp.WithResources<AuthResources>();
        mcp.WithResources<ServerResources>();
        mcp.WithPrompts<WorkflowPrompts>(McpJson.Options);
        // Filters run in the order added: count the call for graceful shutdown, then check its arguments.
        ShutdownCoordinator.WithCallTracking(mcp);
        mcp.WithArgumentValidation();
        extend?.Invoke(mcp);
        return mcp;
    }

    /// <summary>
    /// Call after the transport is registered: hosted services stop in reverse order, so over stdio the coordinator
    /// drains the calls in flight before the transport stops (over HTTP, Kestrel stops first and drains them itself).
    /// </summary>
    public static void AddGracefulShutdown(IServiceCollection services, ServerSettings settings)
    {
        services.AddHostedService(sp => sp.GetRequiredService<ShutdownCoordinator>());
        // Bounds Kestrel's drain of requests in flight (HTTP) and the coordinator's wait (stdio).
        services.Configure<HostOptions>(o => o.ShutdownTimeout = settings.ShutdownTimeout);
    }

    /// <summary>Logs go to stderr only (stdout is the protocol channel), through the redacting formatter.</summary>
    public static void ConfigureLogging(ILoggingBuilder logging, ServerSettings settings)
    {
        logging.ClearProviders();
        logging.AddConsole(o =>
        {
            o.LogToStandardErrorThreshold = LogLevel.Trace;
            o.FormatterName = RedactingConsoleFormatter.FormatterName;
        });
        // Registered directly rather than with AddConsoleFormatter, which binds options from configuration by reflection.
        logging.Services.TryAddEnumerable(ServiceDescriptor.Singleton<ConsoleFormatter, RedactingConsoleFormatter>());
        logging.SetMinimumLevel(settings.LogLevel);
        logging.AddFilter("Microsoft", LogLevel.Warning);
        logging.AddFilter("ModelContextProtocol", LogLevel.Warning);
        logging.AddFilter("System.Net.Http", LogLevel.Warning);
        logging.AddFilter<ConsoleLoggerProvider>(null, settings.ConsoleLogLevel);
        if (settings.LogFile is { } file)
            logging.AddProvider(new FileLoggerProvider(file));
    }
}
