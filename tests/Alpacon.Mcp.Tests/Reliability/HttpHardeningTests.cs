using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Alpacon.Api.Configuration;
using Alpacon.Emulator.Faults;
using Alpacon.Mcp.Hosting;
using Alpacon.Mcp.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using ModelContextProtocol.Client;
using static Alpacon.Mcp.Tests.Infrastructure.McpHarness;

namespace Alpacon.Mcp.Tests.Reliability;

/// <summary>The transports under abuse and shutdown: body limit, per-session rate limit, graceful stop (SIGTERM over HTTP, host stop over stdio).</summary>
[Collection(ReliabilityCollection.Name)]
public sealed class HttpHardeningTests(EmulatorFixture emulator)
{
    private Dictionary<string, string> Env() => new()
    {
        ["ALPACON_MCP_AP1_ACME_TOKEN"] = EmulatorFixture.TestToken,
        ["ALPACON_MCP_AP1_ACME_URL"] = emulator.BaseUrl.AbsoluteUri,
    };

    private async Task<(WebApplication App, Uri Mcp)> StartAsync(params string[] args)
    {
        var settings = Cli.CommandLine.Parse(["--transport", "http", .. args], Env()).Settings;
        settings.LogLevel = Microsoft.Extensions.Logging.LogLevel.Warning;
        var app = HttpServer.Build(settings, new MemoryTokenStore(), "http://127.0.0.1:0");
        await app.StartAsync();
        return (app, new Uri(app.Urls.First().TrimEnd('/') + "/mcp"));
    }

    private static HttpRequestMessage Post(Uri mcp, HttpContent content, string? session = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, mcp) { Content = content };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        if (session is not null)
        {
            request.Headers.Add(HttpServer.SessionHeader, session);
            request.Headers.Add("MCP-Protocol-Version", HostProtocol);
        }
        return request;
    }

    /// <summary>Posts <paramref name="json"/> as one chunk in a single write and returns the raw response text.</summary>
    private static async Task<string> RawChunkedPostAsync(Uri mcp, string json)
    {
        using var socket = new System.Net.Sockets.TcpClient();
        await socket.ConnectAsync(mcp.Host, mcp.Port);
        var body = Encoding.UTF8.GetBytes(json);
        var request = Encoding.ASCII.GetBytes(
            $"POST {mcp.AbsolutePath} HTTP/1.1\r\nHost: {mcp.Authority}\r\nContent-Type: application/json\r\n" +
            $"Accept: application/json, text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n{body.Length:x}\r\n")
            .Concat(body).Concat(Encoding.ASCII.GetBytes("\r\n0\r\n\r\n")).ToArray();
        var stream = socket.GetStream();
        await stream.WriteAsync(request);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30)); // a server that keeps the connection open fails, not hangs
        return await reader.ReadToEndAsync(deadline.Token); // the server closes the connection after a 413
    }

    private static StringContent Ping(int id) => new($$"""{"jsonrpc":"2.0","id":{{id}},"method":"ping"}""", Encoding.UTF8, "application/json");

    [Fact]
    public async Task RequestBody_BeyondTheLimit_Is413_DeclaredOrChunked()
    {
        var (app, mcp) = await StartAsync("--max-request-bytes", "4096");
        await using var _ = app;
        using var http = new HttpClient();
        var padding = new string(' ', 5000);

        using var declared = await http.SendAsync(Post(mcp, new StringContent("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}" + padding, Encoding.UTF8, "application/json")));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, declared.StatusCode);
        Assert.Contains("--max-request-bytes", await declared.Content.ReadAsStringAsync());

        // No Content-Length: Kestrel cuts the body off as it streams in. Sent whole over a raw socket, so the server
        // has read every byte before it answers and closes (HttpClient races that close while it is still writing).
        var json = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\",\"params\":{\"x\":\"" + padding + "\"}}";
        var streamed = await RawChunkedPostAsync(mcp, json);
        Assert.StartsWith("HTTP/1.1 413", streamed, StringComparison.Ordinal);
        Assert.Contains("--max-request-bytes", streamed, StringComparison.Ordinal);

        // Within the limit the server keeps serving.
        await using var client = await McpClient.CreateAsync(new HttpClientTransport(new HttpClientTransportOptions { Endpoint = mcp, TransportMode = HttpTransportMode.StreamableHttp }));
        Success(await client.CallToolAsync("servers_list", new Dictionary<string, object?>()));
    }

    [Fact]
    public async Task DefaultBodyLimit_TakesAMegabyteCall()
    {
        Assert.Equal(16 * 1024 * 1024, new ServerSettings().MaxRequestBytes);
        var (app, mcp) = await StartAsync();
        await using var _ = app;
        await using var client = await McpClient.CreateAsync(new HttpClientTransport(new HttpClientTransportOptions { Endpoint = mcp, TransportMode = HttpTransportMode.StreamableHttp }));
        // Refused by the tool (notes are short), not by the transport.
        var body = Error(await client.CallToolAsync("server_note_create", new Dictionary<string, object?> { ["server_id"] = ToolCases.ServerId, ["title"] = "t", ["content"] = new string('x', 1024 * 1024) }));
        Assert.Contains("'content' is 1048576 characters long", (string?)body["message"]);
    }

    [Fact]
    public async Task RateLimit_Is429WithRetryAfter_PerSession()
    {
        var (app, mcp) = await StartAsync("--rate-limit", "5");
        await using var _ = app;
        var transport = new HttpClientTransportOptions { Endpoint = mcp, TransportMode = HttpTransportMode.StreamableHttp };
        await using var busy = await McpClient.CreateAsync(new HttpClientTransport(transport), new McpClientOptions { ProtocolVersion = HostProtocol });
        await using var quiet = await McpClient.CreateAsync(new HttpClientTransport(transport), new McpClientOptions { ProtocolVersion = HostProtocol });
        Assert.NotNull(busy.SessionId);

        using var http = new HttpClient();
        var responses = await Task.WhenAll(Enumerable.Range(1, 40).Select(i => http.SendAsync(Post(mcp, Ping(i), busy.SessionId))));
        var limited = responses.Where(r => r.StatusCode == HttpStatusCode.TooManyRequests).ToList();
        Assert.NotEmpty(limited);
        Assert.Contains(responses, r => r.StatusCode == HttpStatusCode.OK);
        Assert.All(limited, r => Assert.True(r.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1)));
        Assert.Contains("limit is 5 per second", await limited[0].Content.ReadAsStringAsync());

        // Another session has its own budget, and /health is never limited.
        Success(await quiet.CallToolAsync("servers_list", new Dictionary<string, object?>()));
        for (var i = 0; i < 20; i++)
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(new Uri(mcp, "/health"))).StatusCode);
        foreach (var r in responses)
            r.Dispose();
    }

    [Fact]
    public async Task Stop_LetsTheCallInFlightFinish_ThenClosesRegisteredChannels()
    {
        var (app, mcp) = await StartAsync();
        var coordinator = app.Services.GetRequiredService<ShutdownCoordinator>();
        var channel = new FakeChannel();
        coordinator.Register(channel);
        var released = new FakeChannel();
        coordinator.Register(released).Dispose(); // closed by itself earlier: not held until shutdown

        await using var client = await McpClient.CreateAsync(new HttpClientTransport(new HttpClientTransportOptions { Endpoint = mcp, TransportMode = HttpTransportMode.StreamableHttp }));
        using var slow = emulator.Emulator.Faults.Add(new FaultRule(FaultKind.Latency, "/api/servers/servers/") { Method = "GET", Delay = TimeSpan.FromSeconds(1) });
        var call = client.CallToolAsync("servers_list", new Dictionary<string, object?>()).AsTask();
        for (var i = 0; i < 200 && coordinator.InFlight == 0; i++)
            await Task.Delay(25);
        Assert.Equal(1, coordinator.InFlight);

        await app.StopAsync();
        Assert.Equal(24, Success(await call)["data"]!.AsArray().Count);
        Assert.True(channel.Disposed);
        Assert.False(released.Disposed);
        Assert.True(coordinator.Stopping);
        Assert.Null(coordinator.BeginCall());
        var late = new FakeChannel();
        coordinator.Register(late); // opened after the server closed its channels: closed at once
        Assert.True(late.Disposed);
        await app.DisposeAsync();
    }

    [Fact]
    public async Task Stdio_Sigterm_FinishesTheCallInFlight_AndExitsZero()
    {
        await using var server = ServerProcess.StartStdio(Env());
        await using var client = await McpClient.CreateAsync(new ModelContextProtocol.Protocol.StreamClientTransport(server.Input, server.Output), new McpClientOptions { ProtocolVersion = HostProtocol });
        await TerminateDuringASlowCallAsync(server, client);
    }

    [Fact]
    public async Task Sigterm_FinishesTheCallInFlight_ClosesStreams_AndExitsZero()
    {
        await using var server = await ServerProcess.StartHttpAsync(Env());
        await using var client = await McpClient.CreateAsync(new HttpClientTransport(new HttpClientTransportOptions { Endpoint = server.Url, TransportMode = HttpTransportMode.StreamableHttp }), new McpClientOptions { ProtocolVersion = HostProtocol });
        Success(await client.CallToolAsync("server_get", new Dictionary<string, object?> { ["server_id"] = ToolCases.ServerId }));

        // The SDK client keeps a standing GET stream open for server notifications, as Inspector and other hosts
        // do (a second one is refused): the server must close it on the way out rather than wait for it.
        using var http = new HttpClient();
        using var get = new HttpRequestMessage(HttpMethod.Get, server.Url);
        get.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        get.Headers.Add(HttpServer.SessionHeader, client.SessionId);
        get.Headers.Add("MCP-Protocol-Version", HostProtocol);
        using var second = await http.SendAsync(get);
        Assert.Contains("multiple GET", await second.Content.ReadAsStringAsync());

        await TerminateDuringASlowCallAsync(server, client);
    }

    /// <summary>SIGTERM while servers_list waits for a slow answer: the call completes, the log says so, the exit code is 0.</summary>
    private async Task TerminateDuringASlowCallAsync(ServerProcess server, McpClient client)
    {
        var call = await StartSlowCallAsync(client, TimeSpan.FromSeconds(2));
        await server.TerminateAsync();
        Assert.Equal(24, Success(await call)["data"]!.AsArray().Count);
        Assert.Equal(0, await server.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        Assert.True(server.Log.Any(l => l.Contains("Stopping: 1 call(s) in flight; waiting up to 10 s", StringComparison.Ordinal)), string.Join("\n", server.Log));
    }

    [Fact]
    public async Task Sigterm_CallLongerThanTheBound_IsCut_AndTheProcessStillExitsZero()
    {
        await using var server = await ServerProcess.StartHttpAsync(Env(), "--shutdown-timeout", "1");
        await using var client = await McpClient.CreateAsync(new HttpClientTransport(new HttpClientTransportOptions { Endpoint = server.Url, TransportMode = HttpTransportMode.StreamableHttp }), new McpClientOptions { ProtocolVersion = HostProtocol });
        var call = await StartSlowCallAsync(client, TimeSpan.FromSeconds(20));
        await server.TerminateAsync();
        Assert.Equal(0, await server.WaitForExitAsync(TimeSpan.FromSeconds(15)));
        // Cut: the connection closes without an answer, or the tool reports the cancelled request as an error.
        try
        {
            var result = await call.WaitAsync(TimeSpan.FromSeconds(15));
            Assert.True(result.IsError == true, ToolCases.Text(result));
        }
        catch (Exception e) when (e is not TimeoutException and not Xunit.Sdk.XunitException)
        {
        }
    }

    /// <summary>Starts servers_list with the emulator holding its answer back, and returns once the request reached the emulator.</summary>
    private async Task<Task<ModelContextProtocol.Protocol.CallToolResult>> StartSlowCallAsync(McpClient client, TimeSpan delay)
    {
        var since = emulator.Emulator.Journal.Elapsed;
        var slow = emulator.Emulator.Faults.Add(new FaultRule(FaultKind.Latency, "/api/servers/servers/") { Method = "GET", Delay = delay, Count = 1 });
        var call = client.CallToolAsync("servers_list", new Dictionary<string, object?>()).AsTask();
        for (var i = 0; i < 400 && !emulator.Emulator.Journal.Entries.Any(e => e.At >= since && e.Path == "/api/servers/servers/"); i++)
            await Task.Delay(25);
        slow.Dispose();
        return call;
    }

    private sealed class FakeChannel : IAsyncDisposable
    {
        public bool Disposed { get; private set; }

        public ValueTask DisposeAsync()
        {
            Disposed = true;
            return ValueTask.CompletedTask;
        }
    }
}
