using Alpacon.Api.Configuration;

namespace Alpacon.Api.Websh;

/// <summary>
/// Websh WebSocket URLs carry a secret (<c>/ws/websh/{channel_id}/{token}/</c>): they are masked wherever a person or a
/// model may read them, and only dialled on hosts of configured workspaces.
/// </summary>
public static class WebshUrls
{
    /// <summary>
    /// Only where the URL points, its path and query replaced by <c>…</c>: <c>wss://host/…</c>. The whole path goes,
    /// not just the token segment: the URL's format is the server's business (alpacon-api.md §3 says to treat it as
    /// opaque), and the channel id it holds is shown on its own where it matters.
    /// </summary>
    public static string Mask(Uri url)
    {
        ArgumentNullException.ThrowIfNull(url);
        return url.PathAndQuery is "/" or "" ? $"{url.Scheme}://{url.Authority}/" : $"{url.Scheme}://{url.Authority}/…";
    }

    /// <summary>Masks anything that parses as a URL; text that does not is replaced entirely.</summary>
    public static string Mask(string url) => Uri.TryCreate(url, UriKind.Absolute, out var u) ? Mask(u) : "…";

    /// <summary>The channel id in a <c>/ws/websh/{channel_id}/{token}/</c> URL, or null.</summary>
    public static string? ChannelId(Uri url)
    {
        ArgumentNullException.ThrowIfNull(url);
        var segments = url.AbsolutePath.Split('/', StringSplitOptions.RemoveEmptyEntries);
        return segments.Length >= 3 && segments[0] == "ws" && segments[1] == "websh" ? segments[2] : null;
    }

    /// <summary>
    /// Checks that <paramref name="url"/> is a ws:// or wss:// URL on the host of a configured workspace (same host and
    /// port; wss for an https workspace) and returns that workspace, whose base URL is the handshake's Origin.
    /// </summary>
    /// <exception cref="ArgumentException">The URL is malformed or points anywhere else.</exception>
    public static WorkspaceTarget Authorize(string url, IReadOnlyList<WorkspaceTarget> workspaces)
    {
        ArgumentNullException.ThrowIfNull(workspaces);
        if (!Uri.TryCreate(url?.Trim(), UriKind.Absolute, out var u) || (u.Scheme != "ws" && u.Scheme != "wss"))
            throw new ArgumentException("'websocket_url' must be an absolute ws:// or wss:// URL, as websh_session_reconnect or the Alpacon API returns it.");
        foreach (var ws in workspaces)
        {
            var expected = ws.BaseUrl.Scheme == "https" ? "wss" : "ws";
            if (string.Equals(ws.BaseUrl.Host, u.Host, StringComparison.OrdinalIgnoreCase) && ws.BaseUrl.Port == u.Port && u.Scheme == expected)
                return ws;
        }
        throw new ArgumentException(
            $"'{Mask(u)}' is not on the host of a configured workspace. For safety, Websh channels are only opened to the hosts of configured workspaces "
            + $"(with wss:// for https workspaces), so this tool cannot be used to reach arbitrary hosts. Configured: {string.Join(", ", workspaces.Select(w => w.BaseUrl.Authority))}.");
    }

    /// <summary>
    /// The WebSocket URL the API returned, moved onto the workspace's configured base URL (ws for http, wss for
    /// https; same host and port): every connection goes where the configuration says, as every request does.
    /// </summary>
    public static Uri Rebase(string url, Uri baseUrl)
    {
        ArgumentNullException.ThrowIfNull(baseUrl);
        if (!Uri.TryCreate(url, UriKind.Absolute, out var u) && !Uri.TryCreate(baseUrl, url, out u))
            throw new WebshException("The API returned a websocket_url that is not a URL.");
        var builder = new UriBuilder(u)
        {
            Scheme = baseUrl.Scheme == "https" ? "wss" : "ws",
            Host = baseUrl.Host,
            Port = baseUrl.Port,
        };
        return builder.Uri;
    }

    /// <summary>The workspace's base URL as an Origin header value (scheme, host and port; no path).</summary>
    public static string Origin(Uri baseUrl)
    {
        ArgumentNullException.ThrowIfNull(baseUrl);
        return baseUrl.GetLeftPart(UriPartial.Authority);
    }
}
