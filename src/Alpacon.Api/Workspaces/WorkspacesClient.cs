using System.Text.Json.Nodes;
using Alpacon.Api.Configuration;
using Alpacon.Api.Http;

namespace Alpacon.Api.Workspaces;

/// <summary>Workspace-level settings (<c>/api/workspaces/preferences/-/</c>). There is no per-user settings API.</summary>
public sealed class WorkspacesClient(AlpaconHttp http)
{
    private const string PreferencesPath = "/api/workspaces/preferences/-/";

    /// <summary>The fields a PATCH may carry.</summary>
    public static readonly IReadOnlyList<string> PreferenceFields =
    [
        "front_url", "country", "language", "timezone", "invite_ttl", "enabled_extensions",
        "websh_session_timeout", "auto_agent_upgrade", "package_proxy", "billing_email", "allowed_domains",
    ];

    /// <summary>Fields holding a list: a PATCH replaces the whole list.</summary>
    public static readonly IReadOnlyList<string> PreferenceListFields = ["enabled_extensions", "allowed_domains"];

    public Task<JsonNode?> GetPreferencesAsync(WorkspaceTarget ws, CancellationToken cancellationToken = default) =>
        http.GetAsync(ws, PreferencesPath, cancellationToken: cancellationToken);

    /// <summary>Partial update: only the fields given change.</summary>
    public Task<JsonNode?> UpdatePreferencesAsync(WorkspaceTarget ws, JsonObject fields, CancellationToken cancellationToken = default) =>
        http.PatchAsync(ws, PreferencesPath, fields, cancellationToken);
}
