using Alpacon.Api.Configuration;

namespace Alpacon.Mcp.Hosting;

/// <summary>The stdio transport: the default, what desktop MCP clients launch.</summary>
public static class StdioServer
{
    /// <summary>Builds the host; with streams given (tests) it serves them instead of stdin/stdout.</summary>
    public static IHost Build(ServerSettings settings, ITokenStore store, Stream? input = null, Stream? output = null, Action<IMcpServerBuilder>? extend = null)
    {
        // No default configuration sources: nothing watches the working directory, which may be a huge workspace.
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, ContentRootPath = AppContext.BaseDirectory });
        McpServerSetup.ConfigureLogging(builder.Logging, settings);
        var mcp = builder.Services.AddAlpaconMcp(settings, store, extend);
        if (input is not null && output is not null)
            mcp.WithStreamServerTransport(input, output);
        else
            mcp.WithStdioServerTransport();
        McpServerSetup.AddGracefulShutdown(builder.Services, settings);
        return builder.Build();
    }
}
