using System.Net;
using System.Text;

namespace Alpacon.Api.Tests;

/// <summary>Records every request and answers from a queue of canned responses (the last one repeats).</summary>
public sealed class StubHandler : HttpMessageHandler
{
    private readonly Queue<Func<HttpRequestMessage, HttpResponseMessage>> _responses = new();
    private Func<HttpRequestMessage, HttpResponseMessage>? _last;

    public List<(HttpRequestMessage Request, string? Body)> Requests { get; } = [];

    public StubHandler Respond(HttpStatusCode status, string body = "", string contentType = "application/json", Action<HttpResponseMessage>? configure = null)
    {
        _responses.Enqueue(_ =>
        {
            var response = new HttpResponseMessage(status) { Content = new StringContent(body, Encoding.UTF8, contentType) };
            configure?.Invoke(response);
            return response;
        });
        return this;
    }

    public StubHandler Respond(Func<HttpRequestMessage, HttpResponseMessage> responder)
    {
        _responses.Enqueue(responder);
        return this;
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var body = request.Content is null ? null : await request.Content.ReadAsStringAsync(cancellationToken);
        Requests.Add((request, body));
        if (_responses.TryDequeue(out var next))
            _last = next;
        return (_last ?? throw new InvalidOperationException("No response queued"))(request);
    }
}
