using Alpacon.Api.Configuration;
using Alpacon.Api.Websh;
using Alpacon.Emulator.Core;
using Alpacon.Mcp.Hosting;
using Alpacon.Mcp.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using ModelContextProtocol.Client;
using static Alpacon.Mcp.Tests.Infrastructure.McpHarness;

namespace Alpacon.Mcp.Tests.Reliability;

/// <summary>Graceful shutdown closes the Websh channels the server holds, when it stops rather than when it is disposed.</summary>
[Collection(ReliabilityCollection.Name)]
public sealed class WebshShutdownTests(EmulatorFixture emulator)
{
    [Fact]
    public async Task Stop_ClosesTheOpenWebshChannels()
    {
        var env = new Dictionary<string, string>
        {
            ["ALPACON_MCP_AP1_ACME_TOKEN"] = EmulatorFixture.TestToken,
            ["ALPACON_MCP_AP1_ACME_URL"] = emulator.BaseUrl.AbsoluteUri,
        };
        var settings = Cli.CommandLine.Parse(["--transport", "http"], env).Settings;
        settings.LogLevel = Microsoft.Extensions.Logging.LogLevel.Warning;
        var app = HttpServer.Build(settings, new MemoryTokenStore(), "http://127.0.0.1:0");
        await app.StartAsync();
        try
        {
            var mcp = new Uri(app.Urls.First().TrimEnd('/') + "/mcp");
            await using (var client = await McpClient.CreateAsync(new HttpClientTransport(new HttpClientTransportOptions { Endpoint = mcp, TransportMode = HttpTransportMode.StreamableHttp })))
            {
                var session = Success(await client.CallToolAsync("websh_session_create", new Dictionary<string, object?> { ["server_id"] = Seed.ServerId("web-01") }))["data"]!;
                Assert.True((bool)session["connected"]!);
            }
            var pool = app.Services.GetRequiredService<ChannelPool>();
            Assert.Equal(1, pool.Count);

            await app.StopAsync();

            Assert.Equal(0, pool.Count);
        }
        finally
        {
            await app.DisposeAsync();
        }
    }
}
