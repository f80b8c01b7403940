using System.Net.Http.Headers;
using System.Text;

namespace Alpacon.Bench.Infrastructure;

/// <summary>
/// A client of a streamable HTTP MCP endpoint: POST /mcp with <c>Accept: application/json, text/event-stream</c>.
/// Stateful: the initialize handshake, then <c>Mcp-Session-Id</c> on every request. Stateless: no handshake,
/// the protocol version in <c>MCP-Protocol-Version</c>. Responses may be JSON or one SSE event.
/// </summary>
public sealed class HttpPeer(HttpClient http, Uri endpoint, bool stateful)
{
    private static readonly MediaTypeHeaderValue Json = new("application/json") { CharSet = "utf-8" };
    private string? _session;
    private int _nextId = 1;

    public string? SessionId => _session;

    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        if (!stateful)
            return;
        var id = _nextId++;
        using var response = await PostAsync(JsonRpc.Initialize(id), cancellationToken).ConfigureAwait(false);
        var message = await ReadAsync(response, cancellationToken).ConfigureAwait(false);
        JsonRpc.CheckInitialize(message);
        _session = response.Headers.TryGetValues("Mcp-Session-Id", out var values) ? values.First()
            : throw new BenchException("The stateful server answered initialize without an Mcp-Session-Id header.");
        using var ack = await PostAsync(JsonRpc.Initialized, cancellationToken).ConfigureAwait(false);
        if (!ack.IsSuccessStatusCode)
            throw new BenchException($"notifications/initialized answered {(int)ack.StatusCode}.");
    }

    /// <summary>Sends a request built for a fresh id and returns the JSON-RPC response (throws on an HTTP error).</summary>
    public async Task<string> RequestAsync(Func<int, string> request, CancellationToken cancellationToken)
    {
        var id = Interlocked.Increment(ref _nextId);
        using var response = await PostAsync(request(id), cancellationToken).ConfigureAwait(false);
        return await ReadAsync(response, cancellationToken).ConfigureAwait(false);
    }

    private Task<HttpResponseMessage> PostAsync(string body, CancellationToken cancellationToken)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, endpoint) { Content = new StringContent(body, Encoding.UTF8, Json) };
        request.Headers.Accept.ParseAdd("application/json");
        request.Headers.Accept.ParseAdd("text/event-stream");
        request.Headers.TryAddWithoutValidation("MCP-Protocol-Version", JsonRpc.ProtocolVersion);
        if (_session is not null)
            request.Headers.TryAddWithoutValidation("Mcp-Session-Id", _session);
        return http.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken);
    }

    private static async Task<string> ReadAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
            throw new BenchException($"POST /mcp answered {(int)response.StatusCode}: {body}");
        return JsonRpc.FromBody(body, response.Content.Headers.ContentType?.MediaType);
    }
}
