using System.Net;
using Alpacon.Api.Configuration;
using Alpacon.Mcp.Hosting;
using Alpacon.Mcp.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using ModelContextProtocol.Client;
using static Alpacon.Mcp.Tests.Infrastructure.McpHarness;

namespace Alpacon.Mcp.Tests;

/// <summary>The HTTP host: health, DNS-rebinding protection, inbound access token, legacy SSE and stateless mode.</summary>
[Collection(EmulatorCollection.Name)]
public sealed class HttpHostTests(EmulatorFixture emulator)
{
    private async Task<(WebApplication App, Uri Base)> StartAsync(params string[] args)
    {
        var env = new Dictionary<string, string>
        {
            ["ALPACON_MCP_AP1_ACME_TOKEN"] = EmulatorFixture.TestToken,
            ["ALPACON_MCP_AP1_ACME_URL"] = emulator.BaseUrl.AbsoluteUri,
        };
        var settings = Cli.CommandLine.Parse(args, env).Settings;
        settings.LogLevel = Microsoft.Extensions.Logging.LogLevel.Warning;
        var app = HttpServer.Build(settings, new MemoryTokenStore(), "http://127.0.0.1:0");
        await app.StartAsync();
        return (app, new Uri(app.Urls.First()));
    }

    [Fact]
    public async Task Health_AnswersOk()
    {
        var (app, url) = await StartAsync("--transport", "http");
        await using var _ = app;
        using var http = new HttpClient();
        var response = await http.GetAsync(new Uri(url, "/health"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("\"status\":\"ok\"", await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("Host", "evil.example.com", HttpStatusCode.Forbidden)]
    [InlineData("Origin", "http://evil.example.com", HttpStatusCode.Forbidden)]
    [InlineData("Origin", "http://localhost:6274", HttpStatusCode.OK)]
    [InlineData("Host", "localhost", HttpStatusCode.OK)]
    public async Task DnsRebinding_ForeignHostOrOriginIsRefused(string header, string value, HttpStatusCode expected)
    {
        var (app, url) = await StartAsync("--transport", "http");
        await using var _ = app;
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(url, "/health"));
        if (header == "Host")
            request.Headers.Host = value;
        else
            request.Headers.Add(header, value);
        var response = await http.SendAsync(request);
        Assert.Equal(expected, response.StatusCode);
    }

    [Fact]
    public async Task AccessToken_IsRequiredOnEveryRequestButHealth()
    {
        var (app, url) = await StartAsync("--transport", "http", "--auth-token", "s3cret-inbound");
        await using var _ = app;
        using var http = new HttpClient();
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(new Uri(url, "/health"))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.PostAsync(new Uri(url, "/mcp"), new StringContent("{}"))).StatusCode);

        await using var refused = new HttpClientTransport(new HttpClientTransportOptions { Endpoint = new Uri(url, "/mcp"), AdditionalHeaders = new Dictionary<string, string> { ["Authorization"] = "Bearer wrong" } });
        await Assert.ThrowsAnyAsync<Exception>(() => McpClient.CreateAsync(refused));

        await using var client = await McpClient.CreateAsync(new HttpClientTransport(new HttpClientTransportOptions
        {
            Endpoint = new Uri(url, "/mcp"),
            AdditionalHeaders = new Dictionary<string, string> { ["Authorization"] = "Bearer s3cret-inbound" },
        }));
        Success(await client.CallToolAsync("servers_list", new Dictionary<string, object?>()));
    }

    [Fact]
    public async Task LegacySse_ServesTools()
    {
        var (app, url) = await StartAsync("--transport", "sse");
        await using var _ = app;
        await using var client = await McpClient.CreateAsync(new HttpClientTransport(new HttpClientTransportOptions
        {
            Endpoint = new Uri(url, "/sse"),
            TransportMode = HttpTransportMode.Sse,
        }));
        var body = Success(await client.CallToolAsync("servers_list", new Dictionary<string, object?>()));
        Assert.Equal(24, body["data"]!.AsArray().Count);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task StreamableHttp_StatefulByDefault_StatelessOnRequest(bool stateless)
    {
        var (app, url) = await StartAsync(stateless ? ["--transport", "http", "--stateless"] : ["--transport", "http"]);
        await using var _ = app;
        await using var client = await McpClient.CreateAsync(
            new HttpClientTransport(new HttpClientTransportOptions { Endpoint = new Uri(url, "/mcp"), TransportMode = HttpTransportMode.StreamableHttp }),
            new McpClientOptions { ProtocolVersion = HostProtocol });
        Assert.Equal(stateless, client.SessionId is null);
        Success(await client.CallToolAsync("servers_list", new Dictionary<string, object?>()));
    }
}
