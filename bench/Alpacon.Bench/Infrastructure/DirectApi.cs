using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Alpacon.Bench.Infrastructure;

/// <summary>
/// The benchmark's own calls to the emulator's API, with the headers the server's client sends: the baselines, and
/// the set-up and checks around a scenario (never timed unless a scenario says so).
/// </summary>
public sealed class DirectApi(HttpClient http, Uri baseUrl)
{
    public HttpClient Http { get; } = http;

    public Uri BaseUrl { get; } = baseUrl;

    public Uri Url(string pathAndQuery) => new(BaseUrl, pathAndQuery);

    /// <summary>GET, fails on a non-2xx answer; the body as text (the baselines read it whole, as the client does).</summary>
    public async Task<string> GetStringAsync(string pathAndQuery, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, Url(pathAndQuery));
        Emulator.Authorize(request);
        using var response = await Http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        return response.IsSuccessStatusCode ? body : throw new BenchException($"GET {pathAndQuery} answered {(int)response.StatusCode}: {Short(body)}");
    }

    public async Task<JsonNode?> GetAsync(string pathAndQuery, CancellationToken cancellationToken) =>
        JsonNode.Parse(await GetStringAsync(pathAndQuery, cancellationToken).ConfigureAwait(false));

    /// <summary>POST of a JSON body, fails on a non-2xx answer.</summary>
    public async Task<JsonNode?> PostAsync(string path, JsonNode body, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, Url(path))
        {
            Content = new StringContent(body.ToJsonString(), Encoding.UTF8, new MediaTypeHeaderValue("application/json")),
        };
        Emulator.Authorize(request);
        using var response = await Http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        return response.IsSuccessStatusCode ? JsonNode.Parse(text) : throw new BenchException($"POST {path} answered {(int)response.StatusCode}: {Short(text)}");
    }

    /// <summary>DELETE, fails on a non-2xx answer.</summary>
    public async Task DeleteAsync(string path, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Delete, Url(path));
        Emulator.Authorize(request);
        using var response = await Http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
            throw new BenchException($"DELETE {path} answered {(int)response.StatusCode}: {Short(await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false))}");
    }

    /// <summary>
    /// Adds a rule to the emulator's fault table (<c>POST /_emulator/faults</c>, loopback only; the wire form of
    /// <c>FaultRule.Parse</c>); disposing the result removes it again.
    /// </summary>
    public async Task<InjectedFault> InjectFaultAsync(JsonObject rule, CancellationToken cancellationToken)
    {
        var added = await PostAsync(InjectedFault.Path, rule, cancellationToken).ConfigureAwait(false);
        var id = added?["rules"]?[0]?["id"]?.ToString() ?? throw new BenchException($"POST {InjectedFault.Path} returned no rule id: {added?.ToJsonString()}");
        return new InjectedFault(this, id);
    }

    /// <summary>A seeded server's id by name.</summary>
    public async Task<string> ServerIdAsync(string name, CancellationToken cancellationToken)
    {
        var page = await GetAsync("/api/servers/servers/?page_size=100", cancellationToken).ConfigureAwait(false);
        return page?["results"]?.AsArray().FirstOrDefault(s => s?["name"]?.ToString() == name)?["id"]?.ToString()
            ?? throw new BenchException($"The emulator has no server named {name}.");
    }

    private static string Short(string text) => text.Length > 300 ? text[..300] + "…" : text;
}

/// <summary>A fault rule in force in the emulator; disposing it removes the rule.</summary>
public sealed class InjectedFault(DirectApi api, string id) : IAsyncDisposable
{
    public const string Path = "/_emulator/faults";

    public async ValueTask DisposeAsync() => await api.DeleteAsync($"{Path}/{id}", CancellationToken.None).ConfigureAwait(false);
}

/// <summary>Reading a <c>tools/call</c> answer: the envelope the server wraps every result in.</summary>
public static class ToolAnswer
{
    /// <summary>The text the model reads (the first content block).</summary>
    public static string Text(string message)
    {
        using var doc = JsonDocument.Parse(message);
        if (doc.RootElement.TryGetProperty("error", out var error))
            throw new BenchException($"tools/call failed: {error}");
        return doc.RootElement.GetProperty("result").GetProperty("content")[0].GetProperty("text").GetString()!;
    }

    /// <summary>The envelope's <c>data</c> of a successful call; fails with the error envelope otherwise.</summary>
    public static JsonNode Data(string message, string tool)
    {
        var text = Text(message);
        var body = JsonNode.Parse(text);
        if (body?["status"]?.ToString() != "success" || body["data"] is not { } data)
            throw new BenchException($"{tool} answered an error: {(text.Length > 500 ? text[..500] + "…" : text)}");
        return data;
    }
}
