using System.Net;
using System.Text.Json.Nodes;

namespace Alpacon.Api.Http;

/// <summary>
/// A request to the Alpacon API failed. <see cref="StatusCode"/> is null when no HTTP answer arrived
/// (unreachable host, timeout). <see cref="Code"/> is the API's machine-readable <c>code</c> when it sent one.
/// </summary>
public class AlpaconApiException(string message, HttpStatusCode? statusCode = null, string? code = null, JsonNode? body = null, TimeSpan? retryAfter = null, Exception? inner = null)
    : Exception(message, inner)
{
    public HttpStatusCode? StatusCode { get; } = statusCode;

    public string? Code { get; } = code;

    /// <summary>The API's error body (JSON), or its first characters as a string when it was not JSON.</summary>
    public JsonNode? Body { get; } = body;

    public TimeSpan? RetryAfter { get; } = retryAfter;

    /// <summary>True for a timeout (no answer within the configured time).</summary>
    public bool IsTimeout { get; init; }

    /// <summary>True when the host could not be reached at all.</summary>
    public bool IsUnreachable { get; init; }

    /// <summary>
    /// True when a request that starts work failed without saying whether the work started: no answer (timeout, broken
    /// connection), a 5xx (a proxy may send one after the server acted) or a success whose body could not be read.
    /// A 4xx means the API refused it. Such a request is never retried; the caller says the work may exist.
    /// </summary>
    public bool OutcomeUnknown => StatusCode is not { } status || (int)status >= 500 || (int)status < 300;
}
