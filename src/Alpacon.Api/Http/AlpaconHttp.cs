using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Alpacon.Api.Configuration;

namespace Alpacon.Api.Http;

/// <summary>
/// The one typed HTTP client every area client goes through: builds the URL from the workspace's base URL,
/// sends the token, parses JSON and turns every failure into an <see cref="AlpaconApiException"/>.
/// </summary>
public sealed class AlpaconHttp(HttpClient http)
{
    /// <summary>The API's largest page.</summary>
    public const int MaxPageSize = 100;

    public HttpClient Client => http;

    public Task<JsonNode?> GetAsync(WorkspaceTarget ws, string path, Query? query = null, CancellationToken cancellationToken = default) =>
        SendAsync(ws, HttpMethod.Get, path, query, null, cancellationToken);

    /// <summary>
    /// A GET that starts work on the server (WebFTP's upload trigger): sent exactly once, never retried, because a
    /// failed attempt may still have started the work (<see cref="ResilienceHandler.StartsWork"/>). A 2xx is success and
    /// its body is ignored (alpacon-api.md §2.8), so an unexpected body cannot turn work that started into a failure.
    /// </summary>
    public async Task GetStartingWorkAsync(WorkspaceTarget ws, string path, CancellationToken cancellationToken = default)
    {
        using var response = await SendCoreAsync(ws, HttpMethod.Get, path, null, null, cancellationToken, startsWork: true).ConfigureAwait(false);
    }

    public Task<JsonNode?> PostAsync(WorkspaceTarget ws, string path, JsonNode? body, CancellationToken cancellationToken = default) =>
        SendAsync(ws, HttpMethod.Post, path, null, body, cancellationToken);

    public Task<JsonNode?> PatchAsync(WorkspaceTarget ws, string path, JsonNode body, CancellationToken cancellationToken = default) =>
        SendAsync(ws, HttpMethod.Patch, path, null, body, cancellationToken);

    public Task<JsonNode?> DeleteAsync(WorkspaceTarget ws, string path, CancellationToken cancellationToken = default) =>
        SendAsync(ws, HttpMethod.Delete, path, null, null, cancellationToken);

    /// <summary>
    /// Walks every page of a list (page_size 100) and returns the items, up to <paramref name="limit"/>.
    /// An unpaginated answer (a bare array) is returned as it is.
    /// </summary>
    public async Task<JsonArray> GetAllAsync(WorkspaceTarget ws, string path, Query? query = null, int? limit = null, CancellationToken cancellationToken = default) =>
        (await WalkAsync(ws, path, query, limit, ToNode, cancellationToken).ConfigureAwait(false)).Items;

    /// <summary>
    /// As the overload without <paramref name="select"/>, keeping <c>select(item)</c> of each item. Items are read
    /// straight from the page's JSON and never become a JsonNode tree: a list that keeps a few fields of each item
    /// does not pay for the whole item (for servers_list, most of what a call allocated).
    /// </summary>
    public async Task<JsonArray> GetAllAsync(WorkspaceTarget ws, string path, Func<JsonElement, JsonNode?> select, Query? query = null, int? limit = null, CancellationToken cancellationToken = default) =>
        (await WalkAsync(ws, path, query, limit, select, cancellationToken).ConfigureAwait(false)).Items;

    /// <summary>
    /// As <see cref="GetAllAsync(WorkspaceTarget, string, Query?, int?, CancellationToken)"/>, with the list's total
    /// (<c>count</c> of the first page; the item count for a bare array), so a caller that stops at
    /// <paramref name="limit"/> can say how many it left out.
    /// </summary>
    public Task<(JsonArray Items, int Total)> GetListAsync(WorkspaceTarget ws, string path, Query? query = null, int? limit = null, CancellationToken cancellationToken = default) =>
        WalkAsync(ws, path, query, limit, ToNode, cancellationToken);

    /// <summary>The one page walker behind the list methods.</summary>
    private async Task<(JsonArray Items, int Total)> WalkAsync(WorkspaceTarget ws, string path, Query? query, int? limit, Func<JsonElement, JsonNode?> select, CancellationToken cancellationToken)
    {
        var items = new JsonArray();
        int? total = null;
        var pageSize = limit is > 0 and < MaxPageSize ? limit.Value : MaxPageSize;
        for (var page = 1; ; page++)
        {
            var q = (query ?? new Query()).With("page", page).Add("page_size", pageSize);
            using var response = await SendCoreAsync(ws, HttpMethod.Get, path, q, null, cancellationToken).ConfigureAwait(false);
            using var body = await ReadJsonAsync(HttpMethod.Get, path, response, cancellationToken).ConfigureAwait(false);
            var root = body?.RootElement;
            total ??= root switch
            {
                { ValueKind: JsonValueKind.Object } o when o.TryGetProperty("count", out var c) && c.ValueKind == JsonValueKind.Number && c.TryGetInt32(out var n) => n,
                { ValueKind: JsonValueKind.Array } a => a.GetArrayLength(),
                _ => null,
            };
            var (results, hasNext) = Page(root);
            foreach (var item in results)
            {
                if (limit is not null && items.Count >= limit)
                    return (items, Math.Max(total ?? 0, items.Count));
                items.Add(select(item));
            }
            // A full limit needs no further page.
            if (!hasNext || results.Count == 0 || items.Count >= limit)
                return (items, Math.Max(total ?? 0, items.Count));
        }
    }

    /// <summary>The items of one page and whether there is another; accepts a bare array too.</summary>
    public static (JsonArray Results, bool HasNext) Page(JsonNode? body) => body switch
    {
        JsonArray array => (array, false),
        JsonObject o when o["results"] is JsonArray results => (results, o["next"] is JsonValue next && next.GetValueKind() is not JsonValueKind.Null and not JsonValueKind.False),
        _ => ([], false),
    };

    /// <summary>The same for a page read as a <see cref="JsonElement"/>.</summary>
    public static (IReadOnlyList<JsonElement> Results, bool HasNext) Page(JsonElement? body) => body switch
    {
        { ValueKind: JsonValueKind.Array } array => ([.. array.EnumerateArray()], false),
        { ValueKind: JsonValueKind.Object } o when o.TryGetProperty("results", out var results) && results.ValueKind == JsonValueKind.Array =>
            ([.. results.EnumerateArray()], o.TryGetProperty("next", out var next) && next.ValueKind is not JsonValueKind.Null and not JsonValueKind.False),
        _ => ([], false),
    };

    public async Task<JsonNode?> SendAsync(WorkspaceTarget ws, HttpMethod method, string path, Query? query, JsonNode? body, CancellationToken cancellationToken)
    {
        using var response = await SendCoreAsync(ws, method, path, query, body, cancellationToken).ConfigureAwait(false);
        using var document = await ReadJsonAsync(method, path, response, cancellationToken).ConfigureAwait(false);
        return document is null ? null : ToNode(document.RootElement);
    }

    /// <summary>
    /// A JsonNode of its own for <paramref name="element"/>, which may belong to a pooled document about to be returned:
    /// objects and arrays are copied (and expanded into nodes only when read), scalars become plain values.
    /// </summary>
    public static JsonNode? ToNode(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => JsonObject.Create(element.Clone()),
        JsonValueKind.Array => JsonArray.Create(element.Clone()),
        JsonValueKind.String => JsonValue.Create(element.GetString()),
        JsonValueKind.True => JsonValue.Create(true),
        JsonValueKind.False => JsonValue.Create(false),
        JsonValueKind.Number when element.TryGetInt64(out var n) => JsonValue.Create(n),
        JsonValueKind.Number => JsonValue.Create(element.Clone()), // keeps the number exactly as written
        _ => null,
    };

    /// <summary>Sends one request; a non-2xx answer becomes an <see cref="AlpaconApiException"/>.</summary>
    private async Task<HttpResponseMessage> SendCoreAsync(WorkspaceTarget ws, HttpMethod method, string path, Query? query, JsonNode? body, CancellationToken cancellationToken, bool startsWork = false)
    {
        using var request = new HttpRequestMessage(method, Url(ws, path, query));
        if (startsWork)
            request.Options.Set(ResilienceHandler.StartsWork, true);
        Authorize(request, ws.Token);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        if (body is not null)
            request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        var response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (response.IsSuccessStatusCode)
            return response;
        using (response)
            throw Failure(method, path, response, await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false));
    }

    /// <summary>
    /// The body as a pooled JSON document (dispose it), or null when it is empty. It is parsed from its UTF-8 bytes:
    /// decoding it to a string first, as before, allocated twice its size and transcoded it back.
    /// </summary>
    private static async Task<JsonDocument?> ReadJsonAsync(HttpMethod method, string path, HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.Content.Headers.ContentLength == 0)
            return null;
        var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            try
            {
                return await JsonDocument.ParseAsync(stream, cancellationToken: cancellationToken).ConfigureAwait(false);
            }
            catch (JsonException e)
            {
                // The body is buffered (ResilienceHandler), so it can be read again for the message.
                var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
                if (string.IsNullOrWhiteSpace(text))
                    return null;
                throw new AlpaconApiException($"{method} {path} answered {(int)response.StatusCode} with a body that is not JSON ({Excerpt(text)}).", response.StatusCode, inner: e);
            }
        }
    }

    public static Uri Url(WorkspaceTarget ws, string path, Query? query = null) =>
        new(ws.BaseUrl.AbsoluteUri.TrimEnd('/') + path + (query?.ToString() ?? ""));

    /// <summary>API tokens go as <c>token="key"</c>; an OAuth access token (a JWT) as <c>Bearer</c>.</summary>
    public static void Authorize(HttpRequestMessage request, string token)
    {
        var isJwt = token.Split('.') is { Length: 3 } parts && parts.All(p => p.Length > 0);
        request.Headers.TryAddWithoutValidation("Authorization", isJwt ? $"Bearer {token}" : $"token=\"{token}\"");
    }

    /// <summary>Maps an error answer to an exception: keeps the API's <c>code</c>, prefers <c>detail</c>, joins field errors.</summary>
    public static AlpaconApiException Failure(HttpMethod method, string path, HttpResponseMessage response, string text)
    {
        var status = response.StatusCode;
        JsonNode? body = null;
        string? code = null;
        string? detail = null;
        try
        {
            body = string.IsNullOrWhiteSpace(text) ? null : JsonNode.Parse(text);
        }
        catch (JsonException)
        {
        }
        if (body is JsonObject o)
        {
            code = o["code"] is JsonValue c && c.TryGetValue<string>(out var cs) ? cs : null;
            detail = o["detail"] is JsonValue d && d.TryGetValue<string>(out var ds) ? ds : FieldErrors(o);
        }
        else if (body is JsonArray a)
        {
            detail = string.Join("; ", a.Select(x => x?.ToString()));
        }
        else if (!string.IsNullOrWhiteSpace(text))
        {
            var html = text.TrimStart().StartsWith('<');
            detail = html ? "the server answered with an HTML page instead of JSON" : Excerpt(text);
            body = JsonValue.Create(Excerpt(text, 500));
        }
        var reason = response.ReasonPhrase ?? status.ToString();
        var message = $"{method} {path} failed: {(int)status} {reason}" + (detail is not null ? $": {detail}" : code is not null ? $" ({code})" : "");
        return new AlpaconApiException(message, status, code, body, ResilienceHandler.RetryAfter(response));
    }

    private static string? FieldErrors(JsonObject o)
    {
        var parts = new List<string>();
        foreach (var (field, value) in o)
        {
            if (field is "code" or "source")
                continue;
            var messages = value is JsonArray arr ? string.Join(" ", arr.Select(x => x?.ToString())) : value?.ToString();
            parts.Add(field == "non_field_errors" ? messages ?? "" : $"{field}: {messages}");
        }
        return parts.Count == 0 ? null : string.Join("; ", parts);
    }

    private static string Excerpt(string text, int max = 200)
    {
        var flat = text.ReplaceLineEndings(" ").Trim();
        return flat.Length <= max ? flat : flat[..max] + "…";
    }
}
