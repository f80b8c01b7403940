using System.Text.Json.Nodes;
using Alpacon.Api.Configuration;
using Alpacon.Api.Http;

namespace Alpacon.Api.Auth;

/// <summary>Token checks and the calling principal.</summary>
public sealed class AuthClient(AlpaconHttp http)
{
    /// <summary><c>GET /api/status/</c>: 200 <c>{"status":"Good"}</c> for a valid token, 401 otherwise.</summary>
    public Task<JsonNode?> StatusAsync(WorkspaceTarget ws, CancellationToken cancellationToken = default) =>
        http.GetAsync(ws, "/api/status/", cancellationToken: cancellationToken);

    /// <summary>
    /// <c>GET /api/auth/tokens/scopes/</c>: what an API token can be scoped to,
    /// <c>{"resources":[{"name","actions":[…],"acl":[…]}],"wildcards":[…]}</c>.
    /// </summary>
    public Task<JsonNode?> TokenScopesAsync(WorkspaceTarget ws, CancellationToken cancellationToken = default) =>
        http.GetAsync(ws, "/api/auth/tokens/scopes/", cancellationToken: cancellationToken);
}
