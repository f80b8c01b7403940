using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Alpacon.Emulator.Core;

namespace Alpacon.Emulator.Faults;

/// <summary>
/// The emulator's fault rules, per route. Tests add rules in-process (<c>emulator.Faults.Add(...)</c>, disposed to
/// remove them); other processes use <c>/_emulator/faults</c> (loopback only). The middleware runs right after the
/// request journal, so a faulted request is still recorded, with the status it got.
/// </summary>
public sealed class FaultTable
{
    private const string ItemKey = "alpacon.fault";
    private readonly Lock _gate = new();
    private readonly List<ActiveFault> _rules = [];
    private readonly Random _random = new(1729);
    private int _nextId;

    /// <summary>The rules in force, oldest first.</summary>
    public IReadOnlyList<ActiveFault> Rules
    {
        get
        {
            lock (_gate)
                return [.. _rules];
        }
    }

    /// <summary>Adds a rule; disposing the result removes it.</summary>
    public ActiveFault Add(FaultRule rule)
    {
        lock (_gate)
        {
            var active = new ActiveFault(++_nextId, rule, this);
            _rules.Add(active);
            return active;
        }
    }

    public bool Remove(int id)
    {
        lock (_gate)
            return _rules.RemoveAll(r => r.Id == id) > 0;
    }

    public void Clear()
    {
        lock (_gate)
            _rules.Clear();
    }

    /// <summary>The first rule that matches and still has uses left, counted as used; null when none does.</summary>
    public FaultRule? Take(string method, string path, bool webSocket)
    {
        lock (_gate)
        {
            foreach (var active in _rules)
            {
                var rule = active.Rule;
                if (rule.Method is not null && !string.Equals(rule.Method, method, StringComparison.OrdinalIgnoreCase))
                    continue;
                if (!path.StartsWith(rule.PathPrefix, StringComparison.Ordinal) || (rule.Kind == FaultKind.WebSocketDrop) != webSocket)
                    continue;
                if (rule.Count is { } count && active.Hits >= count)
                    continue;
                if (rule.Probability < 1 && _random.NextDouble() >= rule.Probability)
                    continue;
                active.Hits++;
                return rule;
            }
        }
        return null;
    }

    /// <summary>
    /// For WebSocket endpoints: the number of server messages to send before dropping the connection (at its next
    /// message either way), when a <see cref="FaultKind.WebSocketDrop"/> rule matched this request; null otherwise.
    /// </summary>
    public static int? WebSocketDrop(HttpContext ctx) =>
        ctx.Items.TryGetValue(ItemKey, out var value) && value is FaultRule { Kind: FaultKind.WebSocketDrop } rule ? rule.AfterMessages : null;

    internal async Task InvokeAsync(HttpContext ctx, Func<Task> next)
    {
        if (ctx.Request.Path.StartsWithSegments(FaultEndpoints.ControlPath)
            || Take(ctx.Request.Method, ctx.Request.Path.Value ?? "", ctx.WebSockets.IsWebSocketRequest) is not { } rule)
        {
            await next();
            return;
        }
        var stopping = ctx.RequestServices.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
        if (rule.Kind == FaultKind.Latency && !ctx.WebSockets.IsWebSocketRequest)
        {
            await SlowAnswerAsync(ctx, next, rule.Delay, stopping);
            return;
        }
        if (rule.Delay > TimeSpan.Zero)
        {
            try
            {
                await Task.Delay(rule.Delay, stopping);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
        switch (rule.Kind)
        {
            case FaultKind.Latency:
                await next();
                break;
            case FaultKind.WebSocketDrop:
                ctx.Items[ItemKey] = rule;
                await next();
                break;
            case FaultKind.ConnectionReset:
                ctx.Abort();
                break;
            case FaultKind.ServerError:
                if (rule.RetryAfter is { } wait)
                    ctx.Response.Headers.RetryAfter = Seconds(wait);
                await Api.Detail(ctx, rule.Status ?? StatusCodes.Status503ServiceUnavailable, "Service temporarily unavailable (injected fault).");
                break;
            case FaultKind.TooManyRequests:
                var retryAfter = Seconds(rule.RetryAfter ?? TimeSpan.FromSeconds(1));
                ctx.Response.Headers.RetryAfter = retryAfter;
                await Api.Detail(ctx, StatusCodes.Status429TooManyRequests, $"Request was throttled. Expected available in {retryAfter} seconds.");
                break;
            case FaultKind.MalformedJson:
                ctx.Response.StatusCode = StatusCodes.Status200OK;
                ctx.Response.ContentType = "application/json";
                await ctx.Response.WriteAsync("{\"count\": 24, \"next\": null, \"results\": [{\"id\": \"", ctx.RequestAborted);
                break;
            case FaultKind.HtmlErrorPage:
                ctx.Response.StatusCode = rule.Status ?? StatusCodes.Status502BadGateway;
                ctx.Response.ContentType = "text/html; charset=utf-8";
                await ctx.Response.WriteAsync($"<!DOCTYPE html><html><head><title>{ctx.Response.StatusCode} Bad Gateway</title></head><body><center><h1>{ctx.Response.StatusCode} Bad Gateway</h1></center><hr><center>nginx</center></body></html>", ctx.RequestAborted);
                break;
        }
    }

    /// <summary>
    /// The request is handled at once and its answer held back for <paramref name="delay"/>, as with a slow server or
    /// network: a client that gives up meanwhile still finds the work done (once), as it would on the real service.
    /// </summary>
    private static async Task SlowAnswerAsync(HttpContext ctx, Func<Task> next, TimeSpan delay, CancellationToken stopping)
    {
        var original = ctx.Response.Body;
        using var held = new MemoryStream();
        ctx.Response.Body = held;
        try
        {
            await next();
            await Task.Delay(delay, stopping);
            ctx.Response.Body = original;
            held.Position = 0;
            await held.CopyToAsync(original, ctx.RequestAborted);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException)
        {
            // The client is gone or the emulator is stopping: nobody is left to answer.
        }
        finally
        {
            ctx.Response.Body = original;
        }
    }

    private static string Seconds(TimeSpan wait) => Math.Max(0, (int)Math.Ceiling(wait.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
}

/// <summary>A rule in force: its id (for <c>DELETE /_emulator/faults/{id}</c>) and how often it fired.</summary>
public sealed class ActiveFault : IDisposable
{
    private readonly FaultTable _table;

    internal ActiveFault(int id, FaultRule rule, FaultTable table)
    {
        Id = id;
        Rule = rule;
        _table = table;
    }

    public int Id { get; }

    public FaultRule Rule { get; }

    /// <summary>Requests that got the fault so far (read under the table's lock by <see cref="FaultTable.Take"/>).</summary>
    public int Hits { get; internal set; }

    public JsonObject ToJson()
    {
        var json = Rule.ToJson();
        json["id"] = Id;
        json["hits"] = Hits;
        return json;
    }

    public void Dispose() => _table.Remove(Id);
}

/// <summary>
/// <c>/_emulator/faults</c>: GET lists the rules, POST adds one rule (or an array of them), DELETE clears them all,
/// DELETE <c>/_emulator/faults/{id}</c> removes one. Outside <c>/api/</c> (no token needed), so it answers loopback
/// callers only.
/// </summary>
public static class FaultEndpoints
{
    public const string ControlPath = "/_emulator";

    public static IEndpointRouteBuilder MapFaults(this IEndpointRouteBuilder app)
    {
        app.MapGet(ControlPath + "/faults", List);
        app.MapPost(ControlPath + "/faults", Add);
        app.MapDelete(ControlPath + "/faults", Clear);
        app.MapDelete(ControlPath + "/faults/{id}", Remove);
        return app;
    }

    private static FaultTable Table(HttpContext ctx) => ctx.RequestServices.GetRequiredService<FaultTable>();

    private static bool Refused(HttpContext ctx) => ctx.Connection.RemoteIpAddress is not { } ip || !IPAddress.IsLoopback(ip);

    private static Task List(HttpContext ctx) => Refused(ctx)
        ? Api.Forbidden(ctx)
        : Api.Json(ctx, new JsonObject { ["rules"] = new JsonArray([.. Table(ctx).Rules.Select(r => (JsonNode)r.ToJson())]) });

    private static async Task Add(HttpContext ctx)
    {
        if (Refused(ctx))
        {
            await Api.Forbidden(ctx);
            return;
        }
        JsonNode? body;
        try
        {
            body = await JsonNode.ParseAsync(ctx.Request.Body, cancellationToken: ctx.RequestAborted);
        }
        catch (System.Text.Json.JsonException e)
        {
            await Api.Detail(ctx, StatusCodes.Status400BadRequest, $"JSON parse error - {e.Message}");
            return;
        }
        var objects = body switch
        {
            JsonObject o => [o],
            JsonArray a => a.OfType<JsonObject>().ToList(),
            _ => [],
        };
        if (objects.Count == 0)
        {
            await Api.Detail(ctx, StatusCodes.Status400BadRequest, "Send a rule object or an array of them.");
            return;
        }
        List<FaultRule> rules;
        try
        {
            rules = [.. objects.Select(FaultRule.Parse)];
        }
        catch (FormatException e)
        {
            await Api.Detail(ctx, StatusCodes.Status400BadRequest, e.Message);
            return;
        }
        var added = rules.Select(r => (JsonNode)Table(ctx).Add(r).ToJson());
        await Api.Created(ctx, new JsonObject { ["rules"] = new JsonArray([.. added]) });
    }

    private static Task Clear(HttpContext ctx)
    {
        if (Refused(ctx))
            return Api.Forbidden(ctx);
        Table(ctx).Clear();
        return Api.NoContent(ctx);
    }

    private static Task Remove(HttpContext ctx)
    {
        if (Refused(ctx))
            return Api.Forbidden(ctx);
        return int.TryParse(Api.RouteId(ctx), out var id) && Table(ctx).Remove(id) ? Api.NoContent(ctx) : Api.NotFound(ctx);
    }
}
