using System.Buffers;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Routing.Template;

namespace Alpacon.Emulator.Core;

/// <summary>Response conventions of the Alpacon API (DRF): JSON bodies, page-number pagination, error shapes.</summary>
public static class Api
{
    public const int DefaultPageSize = 15;
    public const int MaxPageSize = 100;

    public static string Iso(DateTimeOffset t) => t.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);

    public static Task Json(HttpContext ctx, JsonNode? body, int status = StatusCodes.Status200OK) =>
        Write(ctx, status, writer =>
        {
            if (body is null)
                writer.WriteNullValue();
            else
                body.WriteTo(writer);
        });

    /// <summary>
    /// Writes a JSON body with its Content-Length, as the real server (Django) does, rather than chunked: clients
    /// size their buffer once. The bytes are produced in a buffer the thread reuses.
    /// </summary>
    private static async Task Write(HttpContext ctx, int status, Action<Utf8JsonWriter> write)
    {
        var buffer = t_buffer ?? new ArrayBufferWriter<byte>(16 * 1024);
        t_buffer = null;
        buffer.ResetWrittenCount();
        using (var writer = new Utf8JsonWriter(buffer))
            write(writer);
        ctx.Response.StatusCode = status;
        ctx.Response.ContentType = "application/json";
        ctx.Response.ContentLength = buffer.WrittenCount;
        try
        {
            await ctx.Response.Body.WriteAsync(buffer.WrittenMemory, ctx.RequestAborted);
        }
        finally
        {
            if (buffer.Capacity <= 1024 * 1024)
                t_buffer = buffer;
        }
    }

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_buffer;

    public static Task Created(HttpContext ctx, JsonNode body) => Json(ctx, body, StatusCodes.Status201Created);

    public static Task NoContent(HttpContext ctx)
    {
        ctx.Response.StatusCode = StatusCodes.Status204NoContent;
        return Task.CompletedTask;
    }

    public static Task Detail(HttpContext ctx, int status, string detail) => Json(ctx, new JsonObject { ["detail"] = detail }, status);

    public static Task Coded(HttpContext ctx, int status, string code, string? detail = null, string? source = null)
    {
        var body = new JsonObject { ["code"] = code };
        if (source is not null)
            body["source"] = source;
        if (detail is not null)
            body["detail"] = detail;
        return Json(ctx, body, status);
    }

    /// <summary>A DRF serializer error: <c>{"field": ["message"]}</c>.</summary>
    public static Task FieldError(HttpContext ctx, string field, string message) =>
        Json(ctx, new JsonObject { [field] = new JsonArray(message) }, StatusCodes.Status400BadRequest);

    public static Task NotFound(HttpContext ctx) => Detail(ctx, StatusCodes.Status404NotFound, "Not found.");

    public static Task Forbidden(HttpContext ctx) => Detail(ctx, StatusCodes.Status403Forbidden, "You do not have permission to perform this action.");

    /// <summary>
    /// Unknown routes answer with an HTML page, as the real server's front end may. A known route called with the
    /// wrong verb lands here too (the fallback outranks routing's own 405): it gets DRF's
    /// <c>405 {"detail":"Method \"PUT\" not allowed."}</c>.
    /// </summary>
    public static async Task NotFoundPage(HttpContext ctx)
    {
        if (ctx.Request.Path.StartsWithSegments("/api") && RouteExists(ctx))
        {
            await Detail(ctx, StatusCodes.Status405MethodNotAllowed, $"Method \"{ctx.Request.Method}\" not allowed.").ConfigureAwait(false);
            return;
        }
        ctx.Response.StatusCode = StatusCodes.Status404NotFound;
        ctx.Response.ContentType = "text/html; charset=utf-8";
        await ctx.Response.WriteAsync("<!doctype html><html><head><title>Not Found</title></head><body><h1>Not Found</h1><p>The requested resource was not found on this server.</p></body></html>", ctx.RequestAborted);
    }

    /// <summary>Whether an endpoint other than the fallback matches the request's path, whatever its verb.</summary>
    private static bool RouteExists(HttpContext ctx) =>
        ctx.RequestServices.GetRequiredService<EndpointDataSource>().Endpoints
            .OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText is { } raw && !raw.Contains("{*", StringComparison.Ordinal))
            .Any(e => new TemplateMatcher(TemplateParser.Parse(e.RoutePattern.RawText!), []).TryMatch(ctx.Request.Path, []));

    /// <summary>
    /// Writes one page of <paramref name="items"/>: <c>{count, current, next, previous, last, results}</c> with page numbers,
    /// page_size 15 by default and at most 100; a page out of range is <c>404 {"detail":"Invalid page."}</c>.
    /// </summary>
    public static Task Page(HttpContext ctx, IReadOnlyList<JsonNode> items)
    {
        var size = IntQuery(ctx, "page_size") is { } ps and > 0 ? Math.Min(ps, MaxPageSize) : DefaultPageSize;
        var page = IntQuery(ctx, "page") ?? 1;
        var last = Math.Max(1, (items.Count + size - 1) / size);
        if (page < 1 || page > last)
            return Detail(ctx, StatusCodes.Status404NotFound, "Invalid page.");
        // The items are written as they are: no copy of the page is built (items may belong to the world's state).
        return Write(ctx, StatusCodes.Status200OK, writer =>
        {
            writer.WriteStartObject();
            writer.WriteNumber("count", items.Count);
            writer.WriteNumber("current", page);
            WriteNumberOrNull(writer, "next", page < last ? page + 1 : null);
            WriteNumberOrNull(writer, "previous", page > 1 ? page - 1 : null);
            writer.WriteNumber("last", last);
            writer.WriteStartArray("results");
            for (var i = (page - 1) * size; i < Math.Min(items.Count, page * size); i++)
                items[i].WriteTo(writer);
            writer.WriteEndArray();
            writer.WriteEndObject();
        });
    }

    private static void WriteNumberOrNull(Utf8JsonWriter writer, string name, int? value)
    {
        if (value is { } v)
            writer.WriteNumber(name, v);
        else
            writer.WriteNull(name);
    }

    public static string? Query(HttpContext ctx, string name) =>
        ctx.Request.Query.TryGetValue(name, out var v) && !string.IsNullOrEmpty(v.ToString()) ? v.ToString() : null;

    public static int? IntQuery(HttpContext ctx, string name) =>
        int.TryParse(Query(ctx, name), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : null;

    public static bool? BoolQuery(HttpContext ctx, string name) => Query(ctx, name)?.ToLowerInvariant() switch
    {
        "true" or "1" => true,
        "false" or "0" => false,
        _ => null,
    };

    /// <summary>Reads a JSON object body; answers 400 (DRF's parse error) and returns null when it is not one.</summary>
    public static async Task<JsonObject?> ReadObject(HttpContext ctx)
    {
        try
        {
            var node = await JsonNode.ParseAsync(ctx.Request.Body, cancellationToken: ctx.RequestAborted);
            if (node is JsonObject o)
                return o;
        }
        catch (JsonException e)
        {
            await Detail(ctx, StatusCodes.Status400BadRequest, $"JSON parse error - {e.Message}");
            return null;
        }
        await Detail(ctx, StatusCodes.Status400BadRequest, "Expected a JSON object.");
        return null;
    }

    public static string? String(JsonObject body, string name) =>
        body[name] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    public static bool? Bool(JsonObject body, string name) =>
        body[name] is JsonValue v && v.TryGetValue<bool>(out var b) ? b : null;

    public static string RouteId(HttpContext ctx, string name = "id") => ctx.Request.RouteValues[name]?.ToString() ?? "";

    /// <summary>The base URL clients reached us on; every URL we hand out is built from it.</summary>
    public static string BaseUrl(HttpContext ctx) => $"{ctx.Request.Scheme}://{ctx.Request.Host}";

    /// <summary>Case-insensitive match used by <c>search=</c> filters.</summary>
    public static bool Matches(string? search, params string?[] fields) =>
        search is null || fields.Any(f => f?.Contains(search, StringComparison.OrdinalIgnoreCase) == true);
}
