using System.Text.RegularExpressions;

namespace Alpacon.Emulator.Core;

/// <summary>The caller of an API request: a user through an API token, or a simulated agent.</summary>
public sealed record Principal(User? User, TokenGrant? Grant, Server? Agent)
{
    public bool IsAgent => Agent is not null;

    public bool ReadOnly => Grant?.ReadOnly == true;
}

/// <summary>
/// Authenticates <c>/api/</c> requests as the real server does: <c>token="K"</c>, <c>token=K</c>, <c>token: K</c>,
/// <c>Bearer K</c>, or agent credentials <c>id="…", key="…"</c>. Missing or unknown credentials answer 401;
/// a read-only token answers 403 to any write.
/// </summary>
public static partial class Principals
{
    private const string ItemKey = "alpacon.principal";

    [GeneratedRegex("""(\w+)\s*[=:]\s*"?([A-Za-z0-9_.\-]+)"?""")]
    private static partial Regex Pair();

    public static Principal Of(HttpContext ctx) => (Principal)ctx.Items[ItemKey]!;

    internal static async Task AuthenticateAsync(HttpContext ctx, Func<Task> next)
    {
        if (!ctx.Request.Path.StartsWithSegments("/api"))
        {
            await next();
            return;
        }
        var world = ctx.RequestServices.GetRequiredService<World>();
        var header = ctx.Request.Headers.Authorization.ToString();
        if (string.IsNullOrWhiteSpace(header))
        {
            await Api.Detail(ctx, StatusCodes.Status401Unauthorized, "Authentication credentials were not provided.");
            return;
        }
        var principal = Resolve(world, header);
        if (principal is null)
        {
            await Api.Detail(ctx, StatusCodes.Status401Unauthorized, "Invalid token.");
            return;
        }
        if (principal.ReadOnly && !HttpMethods.IsGet(ctx.Request.Method) && !HttpMethods.IsHead(ctx.Request.Method))
        {
            await Api.Forbidden(ctx);
            return;
        }
        ctx.Items[ItemKey] = principal;
        await next();
    }

    private static Principal? Resolve(World world, string header)
    {
        string? key = null;
        if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
            key = header["Bearer ".Length..].Trim();
        var pairs = Pair().Matches(header).ToDictionary(m => m.Groups[1].Value.ToLowerInvariant(), m => m.Groups[2].Value);
        key ??= pairs.GetValueOrDefault("token");
        lock (world.Gate)
        {
            if (key is not null && world.Tokens.TryGetValue(key, out var grant) && world.FindUserByName(grant.Username) is { IsActive: true } user)
                return new Principal(user, grant, null);
            if (pairs.TryGetValue("id", out var id) && pairs.TryGetValue("key", out var agentKey)
                && world.FindServer(id) is { } server && agentKey == Seed.AgentKey(server.Id))
                return new Principal(null, null, server);
        }
        return null;
    }
}
