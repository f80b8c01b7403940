namespace Alpacon.Api;

/// <summary>Timeouts and retry policy of the API client.</summary>
public sealed class AlpaconApiOptions
{
    /// <summary>Time allowed for one attempt of one request (connect, send and read the whole response).</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Time allowed to open a connection.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Extra attempts for idempotent requests (GET/HEAD) after a 5xx, 408, 429, timeout or network error.</summary>
    public int MaxRetries { get; set; } = 2;

    /// <summary>First backoff; doubles per attempt, with full jitter, up to <see cref="MaxBackoff"/>.</summary>
    public TimeSpan BaseBackoff { get; set; } = TimeSpan.FromMilliseconds(250);

    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromSeconds(8);

    /// <summary>A <c>Retry-After</c> longer than this is not waited for: the caller gets the 429 and its delay.</summary>
    public TimeSpan MaxRetryAfter { get; set; } = TimeSpan.FromSeconds(20);

    public string UserAgent { get; set; } = DefaultUserAgent;

    public static string Version { get; } =
        typeof(AlpaconApiOptions).Assembly.GetName().Version is { } v ? $"{v.Major}.{v.Minor}.{v.Build}" : "0.0.0";

    public static string DefaultUserAgent { get; } = $"alpacon-mcp/{Version} (alpacon-mcp-dotnet; .NET {Environment.Version})";
}
