using System.Text.Json.Nodes;
using Alpacon.Emulator.Core;

namespace Alpacon.Emulator.Auth;

/// <summary>Token check (<c>/api/status/</c>), the current principal (<c>/api/auth/whoami/</c>) and the token scope catalogue.</summary>
public static class AuthEndpoints
{
    /// <summary>What an API token can be scoped to: resource, actions, and the ACL kinds that further bound it.</summary>
    private static readonly (string Resource, string[] Actions, string[] Acl)[] Scopes =
    [
        ("server", ["read", "update", "delete"], ["server"]),
        ("note", ["read", "create", "update", "delete"], ["server"]),
        ("metrics", ["read"], ["server"]),
        ("event", ["read"], ["server"]),
        ("command", ["read", "create", "delete"], ["server", "command"]),
        ("websh", ["read", "create"], ["server"]),
        ("webftp", ["read", "upload", "download"], ["server", "file"]),
        ("iam", ["read", "update"], []),
        ("workspace", ["read", "update"], []),
        ("token", ["read"], []),
        ("audit", ["read"], []),
        ("work_session", ["read", "create"], ["server"]),
        ("approval", ["read"], []),
    ];

    public static RouteGroupBuilder MapAuth(this RouteGroupBuilder api)
    {
        api.MapGet("/status/", ctx => Api.Json(ctx, new JsonObject { ["status"] = "Good" }));
        api.MapGet("/auth/whoami/", ctx =>
        {
            var principal = Principals.Of(ctx);
            return Api.Json(ctx, new JsonObject
            {
                ["principal_type"] = principal.IsAgent ? "server" : "user",
                ["auth"] = new JsonObject { ["scopes"] = principal.ReadOnly ? new JsonArray("server:read", "metrics:read", "event:read") : new JsonArray("*") },
            });
        });
        api.MapGet("/auth/tokens/scopes/", TokenScopes);
        return api;
    }

    private static Task TokenScopes(HttpContext ctx) => Api.Json(ctx, new JsonObject
    {
        ["resources"] = new JsonArray([.. Scopes.Select(s => (JsonNode)new JsonObject
        {
            ["name"] = s.Resource,
            ["actions"] = new JsonArray([.. s.Actions.Select(a => (JsonNode)a)]),
            ["acl"] = new JsonArray([.. s.Acl.Select(a => (JsonNode)a)]),
        })]),
        ["wildcards"] = new JsonArray([.. new[] { "*", "*:read" }.Concat(Scopes.Select(s => $"{s.Resource}:*")).Select(w => (JsonNode)w)]),
    });
}
