namespace Alpacon.Bench.Infrastructure;

/// <summary>The Alpacon emulator as a separate process on a free loopback port: the API every scenario measures against.</summary>
public sealed class Emulator : IAsyncDisposable
{
    private readonly ChildProcess _process;

    private Emulator(ChildProcess process, Uri baseUrl)
    {
        _process = process;
        BaseUrl = baseUrl;
    }

    public Uri BaseUrl { get; }

    public int Pid => _process.Pid;

    /// <summary>The exact request servers_list sends: the first (and only) page of 100, ordered by name.</summary>
    public Uri ServersListUrl => new(BaseUrl, "/api/servers/servers/?ordering=name&page=1&page_size=100");

    /// <summary>Adds what the server's API client sends: the token and <c>Accept: application/json</c>.</summary>
    public static void Authorize(HttpRequestMessage request)
    {
        request.Headers.TryAddWithoutValidation("Authorization", $"token=\"{BenchContext.Token}\"");
        request.Headers.Accept.ParseAdd("application/json");
    }

    public static async Task<Emulator> StartAsync(BenchContext context, CancellationToken cancellationToken)
    {
        var port = BenchContext.FreePort();
        var baseUrl = new Uri($"http://127.0.0.1:{port}/");
        var process = context.Start(Artifact.Emulator, null, "--urls", baseUrl.AbsoluteUri.TrimEnd('/'));
        try
        {
            using var http = BenchContext.NewHttpClient();
            await BenchContext.WaitReadyAsync(http, new Uri(baseUrl, "/api/status/"), process, Authorize, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await process.KillAsync().ConfigureAwait(false);
            throw;
        }
        return new Emulator(process, baseUrl);
    }

    public async ValueTask DisposeAsync() => await _process.KillAsync().ConfigureAwait(false);
}
