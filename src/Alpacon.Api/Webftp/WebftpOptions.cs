using System.Net;
using Alpacon.Api.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Alpacon.Api.Webftp;

/// <summary>How WebFTP transfers wait and when they give up.</summary>
public sealed class WebftpOptions
{
    /// <summary>First wait between two status polls; doubles up to <see cref="MaxPollInterval"/> (the CLI's cadence).</summary>
    public TimeSpan FirstPollInterval { get; set; } = TimeSpan.FromMilliseconds(250);

    public TimeSpan MaxPollInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>The agent's time for one file: this, plus <see cref="WaitPerMiB"/> per MiB (CLI: 30 s + 10 s per file + 5 s per MB).</summary>
    public TimeSpan BaseWait { get; set; } = TimeSpan.FromSeconds(40);

    public TimeSpan WaitPerMiB { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long a download waits for the agent to put the file into storage; the size is not known beforehand.</summary>
    public TimeSpan DownloadWait { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>A transfer with no byte moving for this long is abandoned.</summary>
    public TimeSpan StallTimeout { get; set; } = TimeSpan.FromSeconds(60);

    public TimeSpan UploadWait(long bytes) => BaseWait + WaitPerMiB * Math.Ceiling(bytes / (1024.0 * 1024));
}

public static class WebftpServiceCollectionExtensions
{
    /// <summary>
    /// The WebFTP client and its own HTTP client for presigned URLs: the same resilience handler (it retries only
    /// GET/HEAD), no token, no loggers, no decompression, and no per-attempt deadline (a 5 GB PUT takes long;
    /// <see cref="WebftpOptions.StallTimeout"/> ends a dead transfer instead).
    /// </summary>
    public static IServiceCollection AddWebftp(this IServiceCollection services, AlpaconApiOptions api, WebftpOptions? options = null)
    {
        var transfer = new AlpaconApiOptions
        {
            RequestTimeout = Timeout.InfiniteTimeSpan,
            ConnectTimeout = api.ConnectTimeout,
            MaxRetries = api.MaxRetries,
            BaseBackoff = api.BaseBackoff,
            MaxBackoff = api.MaxBackoff,
            MaxRetryAfter = api.MaxRetryAfter,
            UserAgent = api.UserAgent,
        };
        services.AddSingleton(options ?? new WebftpOptions());
        services.AddHttpClient<PresignedStorage>(client =>
            {
                client.Timeout = Timeout.InfiniteTimeSpan;
                client.DefaultRequestHeaders.TryAddWithoutValidation("User-Agent", transfer.UserAgent);
            })
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler
            {
                ConnectTimeout = transfer.ConnectTimeout,
                PooledConnectionLifetime = TimeSpan.FromMinutes(5),
                AutomaticDecompression = DecompressionMethods.None,
            })
            .AddHttpMessageHandler(() => new ResilienceHandler(transfer))
            .RemoveAllLoggers();
        services.AddTransient<WebftpClient>();
        return services;
    }
}
