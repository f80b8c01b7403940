using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Alpacon.Emulator.Core;
using Alpacon.Emulator.Iam;

namespace Alpacon.Emulator.Workspaces;

/// <summary>The workspace's preferences: one object, read by anyone, changed by staff.</summary>
public sealed class WorkspacePreferences
{
    public Lock Gate { get; } = new();

    public JsonObject Values { get; } = new()
    {
        ["front_url"] = "https://sandbox.ap1.alpacon.io",
        ["country"] = "KR",
        ["language"] = "ko",
        ["timezone"] = "Asia/Seoul",
        ["invite_ttl"] = 604800,
        ["enabled_extensions"] = new JsonArray(),
        ["websh_session_timeout"] = 1800,
        ["auto_agent_upgrade"] = true,
        ["package_proxy"] = null,
        ["billing_email"] = "billing@example.com",
        ["allowed_domains"] = new JsonArray("example.com"),
    };
}

/// <summary><c>/api/workspaces/preferences/-/</c>: GET, and PATCH of any subset (list fields replace the whole list).</summary>
public static partial class WorkspaceEndpoints
{
    private static readonly string[] Languages = ["en", "ko", "ja"];

    [GeneratedRegex("^[A-Z]{2}$")]
    private static partial Regex Country();

    [GeneratedRegex(@"^(UTC|[A-Z][A-Za-z_]+(/[A-Za-z0-9_+\-]+)+)$")]
    private static partial Regex TimeZone();

    [GeneratedRegex(@"^[^@\s]+@[^@\s]+\.[^@\s]+$")]
    private static partial Regex Email();

    [GeneratedRegex(@"^(\*\.)?([a-z0-9]([a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,}$")]
    private static partial Regex Domain();

    public static RouteGroupBuilder MapWorkspaces(this RouteGroupBuilder api)
    {
        api.MapGet("/workspaces/preferences/-/", GetPreferences);
        api.MapMethods("/workspaces/preferences/-/", ["PATCH"], PatchPreferences);
        return api;
    }

    private static Task GetPreferences(HttpContext ctx)
    {
        var prefs = ctx.RequestServices.GetRequiredService<WorkspacePreferences>();
        lock (prefs.Gate)
            return Api.Json(ctx, prefs.Values.DeepClone());
    }

    private static async Task PatchPreferences(HttpContext ctx)
    {
        var prefs = ctx.RequestServices.GetRequiredService<WorkspacePreferences>();
        if (await IamState.AdminBodyAsync(ctx) is not { } body)
            return;
        var errors = new JsonObject();
        var accepted = new List<(string Name, JsonNode? Value)>();
        foreach (var (name, value) in body)
        {
            // Unknown fields are ignored, as the real API (DRF) does.
            if (Check(name, value) is { } error)
                errors[name] = new JsonArray(error);
            else if (IsKnown(name))
                accepted.Add((name, value?.DeepClone()));
        }
        if (errors.Count > 0)
        {
            await Api.Json(ctx, errors, StatusCodes.Status400BadRequest);
            return;
        }
        JsonNode result;
        lock (prefs.Gate)
        {
            foreach (var (name, value) in accepted)
                prefs.Values[name] = value;
            result = prefs.Values.DeepClone();
        }
        await Api.Json(ctx, result);
    }

    private static bool IsKnown(string name) => name is "front_url" or "country" or "language" or "timezone" or "invite_ttl" or "enabled_extensions"
        or "websh_session_timeout" or "auto_agent_upgrade" or "package_proxy" or "billing_email" or "allowed_domains";

    /// <summary>The field error for one value, in DRF's words, or null when it is valid (or the field unknown).</summary>
    private static string? Check(string name, JsonNode? value) => name switch
    {
        "front_url" => Str(value) is { } s ? (IsUrl(s) ? null : "Enter a valid URL.") : "Not a valid string.",
        "package_proxy" => value is null ? null : Str(value) is { } s ? (s.Length == 0 || IsUrl(s) ? null : "Enter a valid URL.") : "Not a valid string.",
        "country" => Str(value) is { } s ? (Country().IsMatch(s) ? null : $"\"{s}\" is not a valid choice.") : "Not a valid string.",
        "language" => Str(value) is { } s ? (Languages.Contains(s) ? null : $"\"{s}\" is not a valid choice.") : "Not a valid string.",
        "timezone" => Str(value) is { } s ? (TimeZone().IsMatch(s) ? null : $"\"{s}\" is not a valid choice.") : "Not a valid string.",
        "billing_email" => value is null ? null : Str(value) is { } s ? (s.Length == 0 || Email().IsMatch(s) ? null : "Enter a valid email address.") : "Not a valid string.",
        "invite_ttl" => Int(value) is { } n ? (n >= 3600 ? null : "Ensure this value is greater than or equal to 3600.") : "A valid integer is required.",
        "websh_session_timeout" => Int(value) is { } n ? (n >= 0 ? null : "Ensure this value is greater than or equal to 0.") : "A valid integer is required.",
        "auto_agent_upgrade" => value?.GetValueKind() is JsonValueKind.True or JsonValueKind.False ? null : "Must be a valid boolean.",
        "enabled_extensions" => StringList(value, _ => true),
        "allowed_domains" => StringList(value, Domain().IsMatch),
        _ => null,
    };

    private static string? Str(JsonNode? value) => value is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    private static long? Int(JsonNode? value) => value is JsonValue v && v.GetValueKind() == JsonValueKind.Number && v.TryGetValue<long>(out var n) ? n : null;

    private static bool IsUrl(string s) => Uri.TryCreate(s, UriKind.Absolute, out var u) && u.Scheme is "http" or "https";

    private static string? StringList(JsonNode? value, Func<string, bool> valid)
    {
        if (value is not JsonArray items)
            return $"Expected a list of items but got type \"{(value is null ? "NoneType" : value.GetValueKind() == JsonValueKind.String ? "str" : "dict")}\".";
        foreach (var item in items)
        {
            if (Str(item) is not { } s)
                return "Not a valid string.";
            if (!valid(s))
                return $"\"{s}\" is not a valid value.";
        }
        return null;
    }
}
