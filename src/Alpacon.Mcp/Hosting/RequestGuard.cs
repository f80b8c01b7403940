using System.Security.Cryptography;
using System.Text;

namespace Alpacon.Mcp.Hosting;

/// <summary>
/// DNS-rebinding protection, inbound authentication and the body limit for the HTTP transports: the Host header
/// must name an allowed host, a browser Origin must be an allowed one, when an access token is configured every
/// request but <c>/health</c> must carry it as <c>Authorization: Bearer</c>, and a declared body larger than
/// <see cref="ServerSettings.MaxRequestBytes"/> is refused, declared or streamed.
/// </summary>
public sealed class RequestGuard
{
    private readonly HashSet<string> _hosts = new(StringComparer.OrdinalIgnoreCase) { "localhost", "127.0.0.1", "[::1]", "::1" };
    private readonly HashSet<string> _origins = new(StringComparer.OrdinalIgnoreCase);
    private readonly byte[]? _token;
    private readonly long _maxBody;

    public RequestGuard(ServerSettings settings)
    {
        if (settings.Host is not ("0.0.0.0" or "::" or "*" or "+"))
            _hosts.Add(settings.Host);
        foreach (var host in settings.AllowedHosts)
            _hosts.Add(host);
        foreach (var origin in settings.AllowedOrigins)
            _origins.Add(origin.TrimEnd('/'));
        if (!string.IsNullOrEmpty(settings.HttpAuthToken))
            _token = Encoding.UTF8.GetBytes(settings.HttpAuthToken);
        _maxBody = settings.MaxRequestBytes;
    }

    public async Task InvokeAsync(HttpContext ctx, Func<Task> next)
    {
        var host = ctx.Request.Host.Host;
        if (!_hosts.Contains(host) && !_hosts.Contains($"[{host}]"))
        {
            await Refuse(ctx, StatusCodes.Status403Forbidden, $"Host '{host}' is not allowed (DNS-rebinding protection); use --allowed-hosts to add it.");
            return;
        }
        var origin = ctx.Request.Headers.Origin.ToString();
        if (origin.Length > 0 && !OriginAllowed(origin))
        {
            await Refuse(ctx, StatusCodes.Status403Forbidden, $"Origin '{origin}' is not allowed; use --allowed-origins to add it.");
            return;
        }
        if (_token is not null && ctx.Request.Path != "/health" && !HasToken(ctx))
        {
            ctx.Response.Headers.WWWAuthenticate = "Bearer";
            await Refuse(ctx, StatusCodes.Status401Unauthorized, "Missing or wrong access token: send 'Authorization: Bearer <token>'.");
            return;
        }
        // A declared length is refused before any byte is read; a chunked body is cut by Kestrel's limit as it
        // streams in, and that refusal gets the same clear answer instead of an unhandled-exception log.
        if (ctx.Request.ContentLength > _maxBody)
        {
            await Refuse(ctx, StatusCodes.Status413PayloadTooLarge, $"The request body is {ctx.Request.ContentLength} bytes; this server accepts at most {_maxBody} (--max-request-bytes).");
            return;
        }
        try
        {
            await next();
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge && !ctx.Response.HasStarted)
        {
            await Refuse(ctx, StatusCodes.Status413PayloadTooLarge, $"The request body is larger than {_maxBody} bytes, the most this server accepts (--max-request-bytes).");
        }
    }

    private bool OriginAllowed(string origin)
    {
        if (_origins.Contains(origin.TrimEnd('/')))
            return true;
        return Uri.TryCreate(origin, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"
            && (_hosts.Contains(uri.Host) || _hosts.Contains($"[{uri.Host}]") || _hosts.Contains(uri.Authority));
    }

    private bool HasToken(HttpContext ctx)
    {
        var header = ctx.Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
            return false;
        var given = Encoding.UTF8.GetBytes(header["Bearer ".Length..].Trim());
        return CryptographicOperations.FixedTimeEquals(given, _token);
    }

    private static Task Refuse(HttpContext ctx, int status, string message)
    {
        ctx.Response.StatusCode = status;
        ctx.Response.ContentType = "application/json";
        return ctx.Response.WriteAsync($"{{\"error\":\"{message.Replace("\"", "'", StringComparison.Ordinal)}\"}}", ctx.RequestAborted);
    }
}
