using System.Net;

namespace Alpacon.Api.Http;

/// <summary>
/// Bounds every attempt with <see cref="AlpaconApiOptions.RequestTimeout"/> and retries only safe requests
/// (GET, HEAD) on 5xx, 408, 429, timeouts and network errors, with exponential backoff, full jitter and
/// <c>Retry-After</c>. A POST, PATCH, PUT or DELETE is sent exactly once: a retried POST could start work twice.
/// A GET marked with <see cref="StartsWork"/> is sent exactly once too.
/// </summary>
public sealed class ResilienceHandler(AlpaconApiOptions options, TimeProvider? timeProvider = null) : DelegatingHandler
{
    /// <summary>Set on a request whose response body must stream instead of being buffered in the attempt.</summary>
    public static readonly HttpRequestOptionsKey<bool> StreamResponse = new("alpacon.stream-response");

    /// <summary>
    /// Set on a request that starts work on the server although its method is safe (WebFTP's <c>GET …/upload/</c>
    /// trigger): a 5xx, a timeout or a broken connection says nothing about whether the work started, so a retry could
    /// start it twice. It is sent once, like a POST, and the caller reports the uncertain outcome.
    /// </summary>
    public static readonly HttpRequestOptionsKey<bool> StartsWork = new("alpacon.starts-work");

    private readonly TimeProvider _time = timeProvider ?? TimeProvider.System;

    public static bool IsRetryable(HttpMethod method) => method == HttpMethod.Get || method == HttpMethod.Head;

    /// <summary>Whether <paramref name="request"/> may be sent again: a safe method not marked <see cref="StartsWork"/>.</summary>
    public static bool IsRetryable(HttpRequestMessage request) =>
        IsRetryable(request.Method) && !(request.Options.TryGetValue(StartsWork, out var startsWork) && startsWork);

    public static bool IsTransient(HttpStatusCode status) =>
        (int)status >= 500 || status is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests;

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var retryable = IsRetryable(request);
        var stream = request.Options.TryGetValue(StreamResponse, out var s) && s;
        for (var attempt = 0; ; attempt++)
        {
            var last = !retryable || attempt >= options.MaxRetries;
            using var attemptCts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            attemptCts.CancelAfter(options.RequestTimeout);
            HttpResponseMessage response;
            try
            {
                response = await base.SendAsync(request, attemptCts.Token).ConfigureAwait(false);
                if (!stream)
                    await response.Content.LoadIntoBufferAsync(attemptCts.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
            {
                if (last)
                    throw new AlpaconApiException($"{Describe(request)} timed out after {options.RequestTimeout.TotalSeconds:0.#} s.", inner: e) { IsTimeout = true };
                await DelayAsync(Backoff(attempt), cancellationToken).ConfigureAwait(false);
                continue;
            }
            catch (HttpRequestException e)
            {
                if (last)
                    throw new AlpaconApiException($"{Describe(request)} failed: {e.Message}", inner: e) { IsUnreachable = e.StatusCode is null };
                await DelayAsync(Backoff(attempt), cancellationToken).ConfigureAwait(false);
                continue;
            }

            if (last || !IsTransient(response.StatusCode))
                return response;
            var wait = RetryAfter(response) ?? Backoff(attempt);
            if (wait > options.MaxRetryAfter)
                return response; // too long to wait inside one call: let the caller report the delay
            response.Dispose();
            await DelayAsync(wait, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The delay a 429/503 asks for, in delta-seconds or as a date.</summary>
    public static TimeSpan? RetryAfter(HttpResponseMessage response)
    {
        var header = response.Headers.RetryAfter;
        if (header?.Delta is { } delta)
            return delta;
        if (header?.Date is { } date)
        {
            var wait = date - DateTimeOffset.UtcNow;
            return wait > TimeSpan.Zero ? wait : TimeSpan.Zero;
        }
        return null;
    }

    private TimeSpan Backoff(int attempt)
    {
        var ceiling = Math.Min(options.MaxBackoff.TotalMilliseconds, options.BaseBackoff.TotalMilliseconds * Math.Pow(2, attempt));
        return TimeSpan.FromMilliseconds(ceiling / 2 + Random.Shared.NextDouble() * ceiling / 2);
    }

    private Task DelayAsync(TimeSpan delay, CancellationToken ct) => Task.Delay(delay, _time, ct);

    // Only the scheme and host: a presigned URL's path and query are credentials.
    private static string Describe(HttpRequestMessage request) =>
        $"{request.Method} {request.RequestUri?.GetLeftPart(UriPartial.Authority)}";
}
