using System.Net.Http.Headers;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;

namespace Alpacon.Mcp.Tests.Infrastructure;

/// <summary>
/// A pass-through HTTP proxy in front of the emulator that answers chosen requests with an error instead, so a
/// test can make one API call of several fail (a partial failure) without changing the emulator.
/// </summary>
public sealed class FaultProxy : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly HttpClient _upstream;

    private FaultProxy(WebApplication app, HttpClient upstream, Uri baseUrl)
    {
        _app = app;
        _upstream = upstream;
        BaseUrl = baseUrl;
    }

    public Uri BaseUrl { get; }

    /// <summary>Requests whose path starts with <paramref name="failPathPrefix"/> get <paramref name="status"/> and <paramref name="body"/>.</summary>
    public static async Task<FaultProxy> StartAsync(Uri upstream, string failPathPrefix, int status, string body)
    {
        var client = new HttpClient { BaseAddress = upstream };
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        app.Run(async ctx =>
        {
            if (ctx.Request.Path.StartsWithSegments(failPathPrefix.TrimEnd('/'), StringComparison.Ordinal))
            {
                ctx.Response.StatusCode = status;
                ctx.Response.ContentType = "application/json";
                await ctx.Response.WriteAsync(body);
                return;
            }
            using var request = new HttpRequestMessage(new HttpMethod(ctx.Request.Method), ctx.Request.Path + ctx.Request.QueryString);
            foreach (var header in new[] { "Authorization", "Accept", "User-Agent" })
            {
                if (ctx.Request.Headers.TryGetValue(header, out var value))
                    request.Headers.TryAddWithoutValidation(header, value.ToString());
            }
            if (ctx.Request.ContentLength > 0 || ctx.Request.Headers.TransferEncoding.Count > 0)
            {
                using var buffer = new MemoryStream();
                await ctx.Request.Body.CopyToAsync(buffer);
                request.Content = new ByteArrayContent(buffer.ToArray());
                if (ctx.Request.ContentType is { } type)
                    request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(type);
            }
            using var response = await client.SendAsync(request);
            ctx.Response.StatusCode = (int)response.StatusCode;
            if (response.Content.Headers.ContentType is { } contentType)
                ctx.Response.ContentType = contentType.ToString();
            await response.Content.CopyToAsync(ctx.Response.Body);
        });
        await app.StartAsync();
        return new FaultProxy(app, client, new Uri(app.Urls.First()));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _upstream.Dispose();
    }
}
