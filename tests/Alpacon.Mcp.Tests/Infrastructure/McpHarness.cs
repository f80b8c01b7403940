using System.IO.Pipelines;
using System.Text.Json.Nodes;
using Alpacon.Api.Configuration;
using Alpacon.Mcp.Hosting;
using Microsoft.Extensions.DependencyInjection;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace Alpacon.Mcp.Tests.Infrastructure;

/// <summary>How a test reaches the server.</summary>
public enum Transport
{
    /// <summary>The real host over in-memory pipes (fast; the default for tool tests).</summary>
    Pipes,

    /// <summary>A child <c>alpacon-mcp</c> process over stdin/stdout.</summary>
    Stdio,

    /// <summary>The real HTTP host on Kestrel, streamable HTTP at /mcp.</summary>
    Http,
}

/// <summary>A connected client and whatever must be disposed with it.</summary>
public sealed class Connection(McpClient client, Func<ValueTask> cleanup, string? tokenFile, List<string>? serverLog = null) : IAsyncDisposable
{
    public McpClient Client { get; } = client;

    /// <summary>The token file the server uses (a temporary one).</summary>
    public string? TokenFile { get; } = tokenFile;

    /// <summary>What a child server wrote on stderr (stdio only).</summary>
    public List<string> ServerLog { get; } = serverLog ?? [];

    public async Task<CallToolResult> CallAsync(string tool, Dictionary<string, object?>? args = null) =>
        await Client.CallToolAsync(tool, args ?? [], cancellationToken: CancellationToken.None);

    public async ValueTask DisposeAsync()
    {
        await Client.DisposeAsync();
        await cleanup();
    }
}

/// <summary>Starts the product's real server code against the emulator over any transport.</summary>
public static class McpHarness
{
    public const string Workspace = "acme";

    /// <summary>The protocol version real hosts (Inspector, conformance, Claude) speak.</summary>
    public const string HostProtocol = "2025-11-25";

    /// <summary>
    /// A server whose only workspace is <c>ap1/acme</c>, set through the environment variables a user would set
    /// and pointing at the emulator; the token file is a fresh temporary one. <paramref name="handlers"/> gives the
    /// client capabilities such as elicitation.
    /// </summary>
    /// <param name="configure">Changes the settings before the server starts (in-process transports only), e.g. short API timeouts.</param>
    /// <param name="extend">Registers extra tools or handlers on the server (in-process transports only).</param>
    public static async Task<Connection> ConnectAsync(EmulatorFixture emulator, Transport transport = Transport.Pipes, string? protocolVersion = null, string token = EmulatorFixture.TestToken, IReadOnlyDictionary<string, string>? extraEnv = null, string[]? extraArgs = null, McpClientHandlers? handlers = null, Action<ServerSettings>? configure = null, Action<IMcpServerBuilder>? extend = null)
    {
        if (transport == Transport.Stdio && (configure is not null || extend is not null))
            throw new ArgumentException("configure and extend apply to in-process servers only; pass extraArgs to a stdio child.");
        var dir = Directory.CreateTempSubdirectory("alpacon-mcp-test-").FullName;
        var tokenFile = Path.Combine(dir, "token.json");
        var env = new Dictionary<string, string>
        {
            ["HOME"] = dir,
            ["ALPACON_MCP_CONFIG_FILE"] = tokenFile,
            ["ALPACON_MCP_AP1_ACME_TOKEN"] = token,
            ["ALPACON_MCP_AP1_ACME_URL"] = emulator.BaseUrl.AbsoluteUri,
        };
        foreach (var (k, v) in extraEnv ?? new Dictionary<string, string>())
            env[k] = v;
        var options = new McpClientOptions { ProtocolVersion = protocolVersion };
        if (handlers is not null)
            options.Handlers = handlers;
        ValueTask Cleanup()
        {
            try
            {
                Directory.Delete(dir, recursive: true);
            }
            catch (IOException)
            {
            }
            return ValueTask.CompletedTask;
        }

        switch (transport)
        {
            case Transport.Stdio:
                {
                    var log = new List<string>();
                    var clientTransport = new StdioClientTransport(new StdioClientTransportOptions
                    {
                        Name = "alpacon-mcp",
                        Command = "dotnet",
                        Arguments = [Path.Combine(AppContext.BaseDirectory, "alpacon-mcp.dll"), .. extraArgs ?? []],
                        EnvironmentVariables = env.ToDictionary(kv => kv.Key, kv => (string?)kv.Value),
                        WorkingDirectory = dir,
                        StandardErrorLines = line => { lock (log) log.Add(line); },
                    });
                    var client = await McpClient.CreateAsync(clientTransport, options);
                    return new Connection(client, Cleanup, tokenFile, log);
                }
            case Transport.Http:
                {
                    var settings = Settings(env, extraArgs);
                    configure?.Invoke(settings);
                    var app = HttpServer.Build(settings, new FileTokenStore(tokenFile), "http://127.0.0.1:0", extend);
                    await app.StartAsync();
                    var client = await McpClient.CreateAsync(new HttpClientTransport(new HttpClientTransportOptions
                    {
                        Endpoint = new Uri(app.Urls.First().TrimEnd('/') + "/mcp"),
                        TransportMode = HttpTransportMode.StreamableHttp,
                    }), options);
                    return new Connection(client, async () =>
                    {
                        await app.StopAsync();
                        await app.DisposeAsync();
                        await Cleanup();
                    }, tokenFile);
                }
            default:
                {
                    var settings = Settings(env, extraArgs);
                    configure?.Invoke(settings);
                    Pipe toServer = new(), toClient = new();
                    var host = StdioServer.Build(settings, new FileTokenStore(tokenFile), toServer.Reader.AsStream(), toClient.Writer.AsStream(), extend);
                    await host.StartAsync();
                    var client = await McpClient.CreateAsync(new StreamClientTransport(toServer.Writer.AsStream(), toClient.Reader.AsStream()), options);
                    return new Connection(client, async () =>
                    {
                        await host.StopAsync();
                        host.Dispose();
                        await Cleanup();
                    }, tokenFile);
                }
        }
    }

    private static ServerSettings Settings(Dictionary<string, string> env, string[]? extraArgs)
    {
        var settings = Cli.CommandLine.Parse([.. extraArgs ?? []], env).Settings;
        settings.LogLevel = Microsoft.Extensions.Logging.LogLevel.Warning;
        return settings;
    }

    /// <summary>The JSON body of a tool result (the text block, which structuredContent mirrors).</summary>
    public static JsonObject Body(CallToolResult result)
    {
        var text = Assert.IsType<TextContentBlock>(Assert.Single(result.Content)).Text;
        var body = JsonNode.Parse(text)!.AsObject();
        if (result.StructuredContent is { } structured)
            Assert.True(JsonNode.DeepEquals(body, JsonNode.Parse(structured.GetRawText())), "structuredContent must mirror the text block");
        return body;
    }

    public static JsonObject Success(CallToolResult result)
    {
        var body = Body(result);
        Assert.False(result.IsError == true, $"expected success, got {body.ToJsonString()}");
        Assert.Equal("success", (string?)body["status"]);
        return body;
    }

    public static JsonObject Error(CallToolResult result)
    {
        var body = Body(result);
        Assert.True(result.IsError == true, $"expected an error, got {body.ToJsonString()}");
        Assert.Equal("error", (string?)body["status"]);
        Assert.False(string.IsNullOrWhiteSpace((string?)body["message"]));
        Assert.True(body.ContainsKey("details"));
        return body;
    }
}
