using System.Text.Json.Nodes;
using Alpacon.Api.Configuration;
using Alpacon.Api.Http;

namespace Alpacon.Api.Iam;

/// <summary>
/// Users, groups and memberships (<c>/api/iam/users/</c>, <c>/api/iam/groups/</c>, <c>/api/iam/memberships/</c>).
/// The API has no role or permission endpoints: roles are membership roles and the user flags.
/// </summary>
public sealed class IamClient(AlpaconHttp http)
{
    /// <summary>The group every user belongs to; its memberships cannot be changed.</summary>
    public const string DefaultGroup = "alpacon";

    /// <summary>The roles a membership can carry, weakest first.</summary>
    public static readonly IReadOnlyList<string> MembershipRoles = ["member", "manager", "owner"];

    /// <summary>One page of users.</summary>
    public Task<JsonNode?> ListUsersAsync(WorkspaceTarget ws, int page, int pageSize, CancellationToken cancellationToken = default) =>
        http.GetAsync(ws, "/api/iam/users/", new Query().Add("page", page).Add("page_size", pageSize), cancellationToken);

    public Task<JsonNode?> GetUserAsync(WorkspaceTarget ws, string userId, CancellationToken cancellationToken = default) =>
        http.GetAsync(ws, $"/api/iam/users/{userId}/", cancellationToken: cancellationToken);

    /// <summary>The user behind the token (<c>/api/iam/users/-/</c>).</summary>
    public Task<JsonNode?> GetCurrentUserAsync(WorkspaceTarget ws, CancellationToken cancellationToken = default) =>
        http.GetAsync(ws, "/api/iam/users/-/", cancellationToken: cancellationToken);

    /// <summary>Creates a user. Never retried: the resilience handler retries only GET/HEAD.</summary>
    public Task<JsonNode?> CreateUserAsync(WorkspaceTarget ws, JsonObject user, CancellationToken cancellationToken = default) =>
        http.PostAsync(ws, "/api/iam/users/", user, cancellationToken);

    /// <summary>PATCH with exactly the fields given; <c>username</c> is immutable.</summary>
    public Task<JsonNode?> UpdateUserAsync(WorkspaceTarget ws, string userId, JsonObject fields, CancellationToken cancellationToken = default) =>
        http.PatchAsync(ws, $"/api/iam/users/{userId}/", fields, cancellationToken);

    public Task<JsonNode?> DeleteUserAsync(WorkspaceTarget ws, string userId, CancellationToken cancellationToken = default) =>
        http.DeleteAsync(ws, $"/api/iam/users/{userId}/", cancellationToken);

    /// <summary>One page of groups.</summary>
    public Task<JsonNode?> ListGroupsAsync(WorkspaceTarget ws, int page, int pageSize, CancellationToken cancellationToken = default) =>
        http.GetAsync(ws, "/api/iam/groups/", new Query().Add("page", page).Add("page_size", pageSize), cancellationToken);

    /// <summary>Every group, all pages.</summary>
    public Task<JsonArray> ListAllGroupsAsync(WorkspaceTarget ws, CancellationToken cancellationToken = default) =>
        http.GetAllAsync(ws, "/api/iam/groups/", cancellationToken: cancellationToken);

    public Task<JsonNode?> GetGroupAsync(WorkspaceTarget ws, string groupId, CancellationToken cancellationToken = default) =>
        http.GetAsync(ws, $"/api/iam/groups/{groupId}/", cancellationToken: cancellationToken);

    /// <summary>The group with exactly this name (<c>?name=</c>), or null.</summary>
    public async Task<JsonObject?> FindGroupByNameAsync(WorkspaceTarget ws, string name, CancellationToken cancellationToken = default)
    {
        var body = await http.GetAsync(ws, "/api/iam/groups/", new Query().Add("name", name), cancellationToken).ConfigureAwait(false);
        // Match the name ourselves too: an API that ignored the filter would otherwise hand back the first group.
        return AlpaconHttp.Page(body).Results.OfType<JsonObject>().FirstOrDefault(g => (string?)g["name"] == name);
    }

    public Task<JsonNode?> CreateGroupAsync(WorkspaceTarget ws, JsonObject group, CancellationToken cancellationToken = default) =>
        http.PostAsync(ws, "/api/iam/groups/", group, cancellationToken);

    /// <summary>Memberships filtered by user and/or group, all pages (an unpaginated array is accepted too).</summary>
    public Task<JsonArray> ListMembershipsAsync(WorkspaceTarget ws, string? userId = null, string? groupId = null, CancellationToken cancellationToken = default) =>
        http.GetAllAsync(ws, "/api/iam/memberships/", new Query().Add("user", userId).Add("group", groupId), cancellationToken: cancellationToken);

    public Task<JsonNode?> AddMembershipAsync(WorkspaceTarget ws, string groupId, string userId, string role, CancellationToken cancellationToken = default) =>
        http.PostAsync(ws, "/api/iam/memberships/", new JsonObject { ["group"] = groupId, ["user"] = userId, ["role"] = role }, cancellationToken);

    public Task<JsonNode?> SetMembershipRoleAsync(WorkspaceTarget ws, string membershipId, string role, CancellationToken cancellationToken = default) =>
        http.PatchAsync(ws, $"/api/iam/memberships/{membershipId}/", new JsonObject { ["role"] = role }, cancellationToken);

    public Task<JsonNode?> RemoveMembershipAsync(WorkspaceTarget ws, string membershipId, CancellationToken cancellationToken = default) =>
        http.DeleteAsync(ws, $"/api/iam/memberships/{membershipId}/", cancellationToken);
}
