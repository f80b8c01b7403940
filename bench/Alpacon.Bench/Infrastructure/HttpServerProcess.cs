namespace Alpacon.Bench.Infrastructure;

/// <summary>alpacon-mcp serving streamable HTTP on a free loopback port, ready (<c>/health</c> answered).</summary>
public sealed class HttpServerProcess : IAsyncDisposable
{
    private HttpServerProcess(ChildProcess process, Uri endpoint, bool stateless)
    {
        Process = process;
        Endpoint = endpoint;
        Stateless = stateless;
    }

    public ChildProcess Process { get; }

    public Uri Endpoint { get; }

    public bool Stateless { get; }

    public static async Task<HttpServerProcess> StartAsync(BenchContext context, Artifact artifact, Uri apiUrl, bool stateless, CancellationToken cancellationToken)
    {
        var port = BenchContext.FreePort();
        // The per-session rate limit (100/s by default) would cap the throughput scenario at the limiter, not the server.
        string[] args = stateless
            ? ["--transport", "http", "--host", "127.0.0.1", "--port", $"{port}", "--rate-limit", "0", "--stateless"]
            : ["--transport", "http", "--host", "127.0.0.1", "--port", $"{port}", "--rate-limit", "0"];
        var process = context.Start(artifact, apiUrl, args);
        try
        {
            using var http = BenchContext.NewHttpClient();
            await BenchContext.WaitReadyAsync(http, new Uri($"http://127.0.0.1:{port}/health"), process, null, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await process.KillAsync().ConfigureAwait(false);
            throw;
        }
        return new HttpServerProcess(process, new Uri($"http://127.0.0.1:{port}/mcp"), stateless);
    }

    public async ValueTask DisposeAsync() => await Process.KillAsync().ConfigureAwait(false);
}
