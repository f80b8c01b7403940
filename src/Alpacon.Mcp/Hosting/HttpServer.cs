using System.Net;
using System.Threading.RateLimiting;
using Alpacon.Api;
using Alpacon.Api.Configuration;
using Microsoft.AspNetCore.RateLimiting;
using ModelContextProtocol.AspNetCore;

namespace Alpacon.Mcp.Hosting;

/// <summary>Streamable HTTP (<c>/mcp</c>) or legacy SSE (<c>/sse</c> + <c>/message</c>), with <c>/health</c>.</summary>
public static class HttpServer
{
    public const string AuthTokenVariable = "ALPACON_MCP_HTTP_AUTH_KEY";

    /// <summary>The header a stateful client sends on every request after initialize; the rate limit is kept per value.</summary>
    public const string SessionHeader = "Mcp-Session-Id";

    public static WebApplication Build(ServerSettings settings, ITokenStore store, string? urls = null, Action<IMcpServerBuilder>? extend = null)
    {
        var sse = settings.Transport == "sse";
        if (settings.Transport == "stdio")
            settings.Transport = "http"; // tools that touch local files ask this, so it must say what actually serves them
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        builder.WebHost.UseUrls(urls ?? $"http://{HostForUrl(settings.Host)}:{settings.Port}");
        // Bodies beyond the limit are refused while they stream in (413), also when chunked.
        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = settings.MaxRequestBytes);
        McpServerSetup.ConfigureLogging(builder.Logging, settings);
        if (settings.RateLimit > 0)
            builder.Services.AddRateLimiter(o => ConfigureRateLimit(o, settings.RateLimit));
        builder.Services.AddAlpaconMcp(settings, store, extend).WithHttpTransport(o =>
        {
            // Stateful by default so progress, logging and elicitation work; --stateless for load-balanced replicas.
            o.SessionMode = settings.Stateless && !sse ? HttpServerSessionMode.Stateless : HttpServerSessionMode.Stateful;
#pragma warning disable MCP9004 // legacy SSE is deprecated by the protocol, still used by older clients
            o.EnableLegacySse = sse;
#pragma warning restore MCP9004
        });

        McpServerSetup.AddGracefulShutdown(builder.Services, settings);

        var app = builder.Build();
        var guard = new RequestGuard(settings);
        app.Use(guard.InvokeAsync);
        if (settings.RateLimit > 0)
            app.UseRateLimiter();
        app.MapGet("/health", (HttpContext ctx) =>
        {
            ctx.Response.ContentType = "application/json";
            return ctx.Response.WriteAsync($"{{\"status\":\"ok\",\"version\":\"{AlpaconApiOptions.Version}\"}}", ctx.RequestAborted);
        });
        if (sse)
            app.MapMcp();
        else
            app.MapMcp("/mcp");
        return app;
    }

    /// <summary>
    /// A token bucket per MCP session (per client address before a session exists): <paramref name="perSecond"/>
    /// sustained, bursts of two seconds' worth, no queueing; over it answers 429 with Retry-After.
    /// </summary>
    private static void ConfigureRateLimit(RateLimiterOptions options, int perSecond)
    {
        options.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(ctx =>
        {
            if (ctx.Request.Path == "/health")
                return RateLimitPartition.GetNoLimiter("health");
            var session = ctx.Request.Headers[SessionHeader].ToString();
            var key = session.Length > 0 ? "session:" + session : "address:" + ctx.Connection.RemoteIpAddress;
            return RateLimitPartition.GetTokenBucketLimiter(key, _ => new TokenBucketRateLimiterOptions
            {
                TokenLimit = perSecond * 2,
                TokensPerPeriod = perSecond,
                ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                QueueLimit = 0,
                AutoReplenishment = true,
            });
        });
        options.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
        options.OnRejected = (context, cancellationToken) =>
        {
            var wait = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter : TimeSpan.FromSeconds(1);
            var seconds = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds));
            var response = context.HttpContext.Response;
            response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            response.ContentType = "application/json";
            return new ValueTask(response.WriteAsync(
                $"{{\"error\":\"Too many requests for this session: the limit is {perSecond} per second. Retry after {seconds} s.\"}}", cancellationToken));
        };
    }

    public static bool IsLoopback(string host) =>
        host is "localhost" || (IPAddress.TryParse(host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip));

    private static string HostForUrl(string host) =>
        IPAddress.TryParse(host, out var ip) && ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{host}]" : host;
}
