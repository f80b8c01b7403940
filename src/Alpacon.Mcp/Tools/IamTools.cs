using System.ComponentModel;
using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Alpacon.Api.Auth;
using Alpacon.Api.Configuration;
using Alpacon.Api.Http;
using Alpacon.Api.Iam;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace Alpacon.Mcp.Tools;

/// <summary>
/// Users, groups, roles and permissions. Alpacon has no role or permission objects: access comes from group
/// memberships (role member/manager/owner; a group grants its servers) and the user flags is_staff/is_superuser.
/// The role and permission tools present that model under the catalogue's names.
/// </summary>
[McpServerToolType]
public sealed partial class IamTools(ToolRunner runner, IamClient iam, AuthClient auth, Confirmation confirmation)
{
    private const int DefaultPageSize = 50;
    private const string UserIdDescription = "User UUID, as returned by iam_users_list.";
    private const string PageDescription = "Page number, 1-based (default 1). The result's 'next' is the next page number, or null on the last page.";
    private const string PageSizeDescription = "Items per page, 1-100 (default 50). The result's 'count' is the total.";
    private const string GroupsHint = "Call iam_groups_list to see the groups' names and ids.";
    /// <summary>The API's bound on a user's first and last name (Django's user model) and on a group's display name.</summary>
    private const int MaxNameLength = 150;

    private const string RolesHint = "Call iam_roles_list for the role ids: workspace:user|staff|superuser, or group:<group>:member|manager|owner.";

    [GeneratedRegex("^[a-z0-9_-]+$")]
    private static partial Regex GroupName();

    [GeneratedRegex("^[a-z0-9_-]+$|^[0-9a-fA-F-]{36}$")]
    private static partial Regex GroupRefPattern();

    // ---- users ----

    [McpServerTool(Name = "iam_users_list", Title = "List users", ReadOnly = true, Destructive = false, Idempotent = true, OpenWorld = true)]
    [Description("List the workspace's users, one page at a time (GET /api/iam/users/?page&page_size): id, username, name, email, active, staff/superuser flags, LDAP origin, number of groups and join date. 'count' is the total and 'next' the next page number (null on the last page). iam_user_get shows one user with their groups; iam_user_permissions_get explains what a user can reach.")]
    public Task<CallToolResult> IamUsersList(
        [Description(Args.RegionDescription)] string region = "ap1",
        [Description(Args.WorkspaceDescription)] string? workspace = null,
        [Description(PageDescription)] int? page = null,
        [Description(PageSizeDescription)] int? page_size = null,
        CancellationToken cancellationToken = default) =>
        runner.RunAsync(region, workspace, null, async (ws, ct) =>
        {
            var (p, size) = Paging(page, page_size);
            var body = await iam.ListUsersAsync(ws, p, size, ct).ConfigureAwait(false);
            return PageOf(body, p, size, UserSummary);
        }, cancellationToken);

    [McpServerTool(Name = "iam_user_get", Title = "Get user", ReadOnly = true, Destructive = false, Idempotent = true, OpenWorld = true)]
    [Description("Get one user in full (GET /api/iam/users/{id}/) with their group memberships and roles (GET /api/iam/memberships/?user=). For what the user can reach, use iam_user_permissions_get.")]
    public Task<CallToolResult> IamUserGet(
        [Description(UserIdDescription)] string user_id,
        [Description(Args.RegionDescription)] string region = "ap1",
        [Description(Args.WorkspaceDescription)] string? workspace = null,
        CancellationToken cancellationToken = default) =>
        runner.RunAsync(region, workspace, null, async (ws, ct) =>
        {
            var id = Args.Uuid(user_id, "user_id");
            var user = iam.GetUserAsync(ws, id, ct);
            var memberships = iam.ListMembershipsAsync(ws, userId: id, cancellationToken: ct);
            var result = (await user.ConfigureAwait(false))?.DeepClone() as JsonObject ?? [];
            result["groups"] = new JsonArray([.. (await memberships.ConfigureAwait(false)).Select(MembershipSummary)]);
            return result;
        }, cancellationToken);

    [McpServerTool(Name = "iam_user_create", Title = "Create user", ReadOnly = false, Destructive = false, Idempotent = false, OpenWorld = true)]
    [Description("Create a user (POST /api/iam/users/), then add them to each group in 'groups' as a member (one POST /api/iam/memberships/ per group; the API has no groups field on users). Groups may be given by name or UUID; unknown groups stop the call before anything is created. Every user is in the default group 'alpacon' already, so it is skipped. If a membership fails, the user still exists and the result lists which groups failed, and why. Needs a staff token.")]
    public Task<CallToolResult> IamUserCreate(
        [Description("Unique username (it becomes the Linux account name on servers), e.g. john.doe.")] string username,
        [Description("Email address.")] string email,
        [Description(Args.WorkspaceDescription)] string? workspace = null,
        [Description("First name.")] string? first_name = null,
        [Description("Last name.")] string? last_name = null,
        [Description("Whether the account can sign in (default true).")] bool is_active = true,
        [Description("Groups to add the user to as a member, by name (e.g. \"developers\") or UUID.")] string[]? groups = null,
        [Description(Args.RegionDescription)] string region = "ap1",
        CancellationToken cancellationToken = default) =>
        runner.RunAsync(region, workspace, null, async (ws, ct) =>
        {
            var body = new JsonObject
            {
                ["username"] = Args.Required(username, "username", 150).Trim(),
                ["email"] = Args.Required(email, "email", 254).Trim(),
                ["is_active"] = is_active,
            };
            if (Args.OptionalText(first_name, "first_name", MaxNameLength) is { } first)
                body["first_name"] = first;
            if (Args.OptionalText(last_name, "last_name", MaxNameLength) is { } last)
                body["last_name"] = last;
            var targets = await ResolveGroupsAsync(ws, groups, ct).ConfigureAwait(false);

            var user = (await iam.CreateUserAsync(ws, body, ct).ConfigureAwait(false))?.AsObject() ?? [];
            var userId = (string?)user["id"] ?? throw new InvalidOperationException("The API created the user but returned no id.");
            var changes = new GroupChanges();
            foreach (var group in targets)
            {
                if (group.IsDefault)
                    changes.Skip(group, "default group: every user is a member already");
                else
                    await changes.TryAsync(group, "add", () => iam.AddMembershipAsync(ws, group.Id, userId, "member", ct)).ConfigureAwait(false);
            }
            var data = new JsonObject { ["user"] = user };
            if (targets.Count > 0)
                data["groups"] = changes.ToJson();
            if (changes.Failed > 0)
                data["warning"] = $"The user '{user["username"]}' was created, but {changes.Failed} of {targets.Count} group memberships failed (see groups.failed). Retry them with iam_user_update(groups=...) or iam_user_assign_role.";
            return data;
        }, cancellationToken);

    [McpServerTool(Name = "iam_user_update", Title = "Update user", ReadOnly = false, Destructive = false, Idempotent = true, OpenWorld = true)]
    [Description("Update a user: only the fields given are sent (PATCH /api/iam/users/{id}/); omitted fields stay as they are, and the username cannot change. When 'groups' is given it is the complete list of groups the user should be in: missing memberships are added as member (POST /api/iam/memberships/) and extra ones removed (DELETE /api/iam/memberships/{id}/); roles of kept memberships are untouched. The default group 'alpacon' is never removed. Unknown groups stop the call before anything changes. Needs a staff token.")]
    public Task<CallToolResult> IamUserUpdate(
        [Description(UserIdDescription)] string user_id,
        [Description(Args.WorkspaceDescription)] string? workspace = null,
        [Description("New email address.")] string? email = null,
        [Description("New first name.")] string? first_name = null,
        [Description("New last name.")] string? last_name = null,
        [Description("Whether the account can sign in; false disables it without deleting it.")] bool? is_active = null,
        [Description("The complete list of groups the user should belong to, by name or UUID; [] leaves only the default group.")] string[]? groups = null,
        [Description(Args.RegionDescription)] string region = "ap1",
        CancellationToken cancellationToken = default) =>
        runner.RunAsync(region, workspace, null, async (ws, ct) =>
        {
            var id = Args.Uuid(user_id, "user_id");
            var fields = new JsonObject();
            if (email is not null)
                fields["email"] = Args.Required(email, "email", 254).Trim();
            if (Args.OptionalText(first_name, "first_name", MaxNameLength) is { } first)
                fields["first_name"] = first;
            if (Args.OptionalText(last_name, "last_name", MaxNameLength) is { } last)
                fields["last_name"] = last;
            if (is_active is not null)
                fields["is_active"] = is_active.Value;
            if (fields.Count == 0 && groups is null)
                throw new ToolInputException("Nothing to update: give at least one of email, first_name, last_name, is_active or groups.");
            var targets = groups is null ? null : await ResolveGroupsAsync(ws, groups, ct).ConfigureAwait(false);

            var user = fields.Count > 0
                ? await iam.UpdateUserAsync(ws, id, fields, ct).ConfigureAwait(false)
                : await iam.GetUserAsync(ws, id, ct).ConfigureAwait(false);
            var data = new JsonObject { ["user"] = user?.DeepClone(), ["updated_fields"] = new JsonArray([.. fields.Select(f => (JsonNode)f.Key)]) };
            if (targets is not null)
            {
                var changes = await ReconcileAsync(ws, id, targets, ct).ConfigureAwait(false);
                data["groups"] = changes.ToJson();
                if (changes.Failed > 0)
                    data["warning"] = $"{changes.Failed} membership change(s) failed (see groups.failed); the other changes were made.";
            }
            return data;
        }, cancellationToken);

    [McpServerTool(Name = "iam_user_delete", Title = "Delete user", ReadOnly = false, Destructive = true, Idempotent = true, OpenWorld = true)]
    [SelfConfirming]
    [Description("Delete a user from the workspace (DELETE /api/iam/users/{id}/). Irreversible: the account, its group memberships and its access go. When the MCP client supports elicitation, the user is first asked to confirm, naming the account (username and email); if they decline, nothing is deleted and the result says so. To keep the account but block sign-in, use iam_user_update(is_active=false) instead. Needs a staff token.")]
    public Task<CallToolResult> IamUserDelete(
        [Description(UserIdDescription)] string user_id,
        McpServer server,
        [Description(Args.WorkspaceDescription)] string? workspace = null,
        [Description(Args.RegionDescription)] string region = "ap1",
        CancellationToken cancellationToken = default) =>
        runner.RunAsync(region, workspace, null, async (ws, ct) =>
        {
            var id = Args.Uuid(user_id, "user_id");
            var user = await iam.GetUserAsync(ws, id, ct).ConfigureAwait(false);
            var who = new JsonObject { ["id"] = id, ["username"] = user?["username"]?.DeepClone(), ["email"] = user?["email"]?.DeepClone() };
            var label = $"{who["username"]} ({who["email"]})";
            var answer = await confirmation.RequestAsync(server,
                $"Delete the Alpacon user {label} from workspace {ws.Region}/{ws.Workspace}? This cannot be undone: the account, its group memberships and its server access are removed.",
                $"Yes, delete {who["username"]}", ct).ConfigureAwait(false);
            var data = new JsonObject { ["user"] = who, ["confirmation"] = answer.ToJson() };
            if (!answer.Proceed)
            {
                data["deleted"] = false;
                data["message"] = $"Nothing was deleted: {answer.Reason}";
                return data;
            }
            await iam.DeleteUserAsync(ws, id, ct).ConfigureAwait(false);
            data["deleted"] = true;
            return data;
        }, cancellationToken);

    // ---- groups ----

    [McpServerTool(Name = "iam_groups_list", Title = "List groups", ReadOnly = true, Destructive = false, Idempotent = true, OpenWorld = true)]
    [Description("List the workspace's groups, one page at a time (GET /api/iam/groups/?page&page_size): name, display name, description, members, LDAP origin and the servers the group grants access to. 'count' is the total and 'next' the next page number (null on the last page). 'alpacon' is the default group every user belongs to.")]
    public Task<CallToolResult> IamGroupsList(
        [Description(Args.RegionDescription)] string region = "ap1",
        [Description(Args.WorkspaceDescription)] string? workspace = null,
        [Description(PageDescription)] int? page = null,
        [Description(PageSizeDescription)] int? page_size = null,
        CancellationToken cancellationToken = default) =>
        runner.RunAsync(region, workspace, null, async (ws, ct) =>
        {
            var (p, size) = Paging(page, page_size);
            var body = await iam.ListGroupsAsync(ws, p, size, ct).ConfigureAwait(false);
            return PageOf(body, p, size, GroupSummary);
        }, cancellationToken);

    [McpServerTool(Name = "iam_group_create", Title = "Create group", ReadOnly = false, Destructive = false, Idempotent = false, OpenWorld = true)]
    [Description("Create a group (POST /api/iam/groups/). The name must be lowercase letters, digits, '_' or '-' (it becomes a Linux group) and cannot change later. Alpacon groups have no permissions: a group grants its members access to the servers assigned to it (pass 'servers'), and members' roles (iam_roles_list) decide who manages it. 'permissions' is accepted for compatibility but not applied; the result says so. Needs a staff token.")]
    public Task<CallToolResult> IamGroupCreate(
        [Description("Group name: lowercase letters, digits, '_' or '-', e.g. senior-developers.")] string name,
        [Description(Args.WorkspaceDescription)] string? workspace = null,
        [Description("What the group is for.")] string? description = null,
        [Description("Not an Alpacon concept: accepted for compatibility and ignored (the result explains). Use 'servers' to grant access.")] string[]? permissions = null,
        [Description(Args.RegionDescription)] string region = "ap1",
        [Description("Human-readable name shown in the console (default: the name).")] string? display_name = null,
        [Description("Server UUIDs (from servers_list) the group's members get access to.")] string[]? servers = null,
        CancellationToken cancellationToken = default) =>
        runner.RunAsync(region, workspace, null, async (ws, ct) =>
        {
            var groupName = Args.Required(name, "name", 150);
            if (!GroupName().IsMatch(groupName))
                throw new ToolInputException($"'{Args.Shorten(groupName)}' is not a valid group name: use lowercase letters, digits, '_' or '-' only.", $"For example '{Suggest(groupName)}'.");
            var body = new JsonObject { ["name"] = groupName };
            if (!string.IsNullOrWhiteSpace(Args.OptionalText(display_name, "display_name", MaxNameLength)))
                body["display_name"] = display_name!.Trim();
            if (Args.OptionalText(description, "description") is { } text)
                body["description"] = text;
            if (servers is not null)
                body["servers"] = new JsonArray([.. servers.Select(s => (JsonNode)Args.Uuid(s, "servers"))]);

            var group = await iam.CreateGroupAsync(ws, body, ct).ConfigureAwait(false);
            var data = new JsonObject { ["group"] = GroupSummary(group) };
            var ignored = permissions?.Where(p => !string.IsNullOrWhiteSpace(p)).ToList() ?? [];
            if (ignored.Count > 0)
            {
                data["permissions_ignored"] = new JsonArray([.. ignored.Select(p => (JsonNode)p)]);
                data["note"] = "Alpacon groups carry no permissions, so 'permissions' was not applied. A group grants its members access to its servers (set them with 'servers'); membership roles member/manager/owner decide who manages the group (iam_user_assign_role); API token scopes (iam_permissions_list) belong to tokens, not groups.";
            }
            return data;
        }, cancellationToken);

    // ---- roles and permissions ----

    [McpServerTool(Name = "iam_roles_list", Title = "List roles", ReadOnly = true, Destructive = false, Idempotent = true, OpenWorld = true)]
    [Description("List the roles a user can be given, with ids for iam_user_assign_role. Alpacon has no role endpoint; its real role model is: workspace roles from the user flags (workspace:user, workspace:staff = is_staff, workspace:superuser = is_staff + is_superuser) and, per group, the membership roles member, manager and owner (group:<group>:<role>). Built from GET /api/iam/groups/; 'model' says what each role allows. Roles in the default group 'alpacon' are listed but cannot be assigned.")]
    public Task<CallToolResult> IamRolesList(
        [Description(Args.RegionDescription)] string region = "ap1",
        [Description(Args.WorkspaceDescription)] string? workspace = null,
        [Description(PageDescription)] int? page = null,
        [Description(PageSizeDescription)] int? page_size = null,
        CancellationToken cancellationToken = default) =>
        runner.RunAsync(region, workspace, null, async (ws, ct) =>
        {
            var (p, size) = Paging(page, page_size);
            var groups = await iam.ListAllGroupsAsync(ws, ct).ConfigureAwait(false);
            var roles = new List<JsonNode>();
            foreach (var role in WorkspaceRoles)
                roles.Add(new JsonObject { ["id"] = $"workspace:{role.Name}", ["scope"] = "workspace", ["is_staff"] = role.Staff, ["is_superuser"] = role.Superuser });
            foreach (var group in groups.OfType<JsonObject>())
            {
                var groupName = (string?)group["name"];
                foreach (var role in IamClient.MembershipRoles)
                {
                    var entry = new JsonObject { ["id"] = $"group:{groupName}:{role}", ["scope"] = "group", ["group"] = groupName, ["group_id"] = group["id"]?.DeepClone(), ["role"] = role };
                    if (groupName == IamClient.DefaultGroup)
                    {
                        entry["assignable"] = false;
                        entry["why"] = "default group: its memberships cannot be changed";
                    }
                    roles.Add(entry);
                }
            }
            var data = LocalPage(roles, p, size);
            data["model"] = RoleModel();
            data["note"] = "Alpacon has no role objects or role endpoint: these are the membership roles per group and the user flags, which iam_user_assign_role applies.";
            return data;
        }, cancellationToken);

    [McpServerTool(Name = "iam_permissions_list", Title = "List permissions", ReadOnly = true, Destructive = false, Idempotent = true, OpenWorld = true)]
    [Description("List the permission catalogue: Alpacon has no permission objects for users or groups, so this returns the API token scope catalogue (GET /api/auth/tokens/scopes/), one entry per resource:action (e.g. server:read, command:create) with the ACL kinds that further bound it, plus the wildcards. User access itself comes from roles and groups: see iam_roles_list and iam_user_permissions_get.")]
    public Task<CallToolResult> IamPermissionsList(
        [Description(Args.RegionDescription)] string region = "ap1",
        [Description(Args.WorkspaceDescription)] string? workspace = null,
        [Description(PageDescription)] int? page = null,
        [Description(PageSizeDescription)] int? page_size = null,
        CancellationToken cancellationToken = default) =>
        runner.RunAsync(region, workspace, null, async (ws, ct) =>
        {
            var (p, size) = Paging(page, page_size);
            var catalogue = await auth.TokenScopesAsync(ws, ct).ConfigureAwait(false);
            var scopes = new List<JsonNode>();
            foreach (var resource in (catalogue?["resources"] as JsonArray ?? []).OfType<JsonObject>())
            {
                foreach (var action in (resource["actions"] as JsonArray ?? []).Select(a => a?.ToString()))
                {
                    var entry = new JsonObject { ["id"] = $"{resource["name"]}:{action}", ["resource"] = resource["name"]?.DeepClone(), ["action"] = action };
                    if (resource["acl"] is JsonArray { Count: > 0 } acl)
                        entry["acl"] = acl.DeepClone();
                    scopes.Add(entry);
                }
            }
            var data = LocalPage(scopes, p, size);
            data["wildcards"] = catalogue?["wildcards"]?.DeepClone();
            data["note"] = "These are API token scopes (GET /api/auth/tokens/scopes/), the nearest thing to a permission catalogue Alpacon has; users and groups carry no permissions of their own. 'acl' names the token ACL kinds (server, command, file) that narrow a scope further.";
            return data;
        }, cancellationToken);

    [McpServerTool(Name = "iam_user_assign_role", Title = "Assign role to user", ReadOnly = false, Destructive = false, Idempotent = true, OpenWorld = true)]
    [Description("Give a user a role, by an id from iam_roles_list. group:<group>:<member|manager|owner> adds the user to the group with that role (POST /api/iam/memberships/) or changes the role of their existing membership (PATCH /api/iam/memberships/{id}/). workspace:user|staff|superuser sets the user's flags (PATCH /api/iam/users/{id}/ with is_staff/is_superuser): it replaces the user's workspace role, so workspace:user removes staff and superuser. Nothing is sent when the user already has the role. Needs a staff token (superuser to grant or revoke superuser); group managers and owners may assign roles in their own group.")]
    public Task<CallToolResult> IamUserAssignRole(
        [Description(UserIdDescription)] string user_id,
        [Description("Role id from iam_roles_list, e.g. group:developers:manager or workspace:staff.")] string role_id,
        [Description(Args.WorkspaceDescription)] string? workspace = null,
        [Description(Args.RegionDescription)] string region = "ap1",
        CancellationToken cancellationToken = default) =>
        runner.RunAsync(region, workspace, null, async (ws, ct) =>
        {
            var id = Args.Uuid(user_id, "user_id");
            var role = ParseRole(role_id);
            var user = await iam.GetUserAsync(ws, id, ct).ConfigureAwait(false);
            var data = new JsonObject { ["user"] = new JsonObject { ["id"] = id, ["username"] = user?["username"]?.DeepClone() }, ["role_id"] = role.Id };
            if (role.Group is null)
            {
                var (_, staff, superuser, _) = WorkspaceRoles.Single(r => r.Name == role.Role);
                var was = RoleOfFlags(user);
                if (user?["is_staff"]?.GetValue<bool>() == staff && user?["is_superuser"]?.GetValue<bool>() == superuser)
                {
                    data["applied"] = "none: the user already has this role";
                    return data;
                }
                await iam.UpdateUserAsync(ws, id, new JsonObject { ["is_staff"] = staff, ["is_superuser"] = superuser }, ct).ConfigureAwait(false);
                data["applied"] = $"set is_staff={Lower(staff)}, is_superuser={Lower(superuser)} (was workspace:{was})";
                return data;
            }

            var group = (await ResolveGroupsAsync(ws, [role.Group], ct).ConfigureAwait(false)).Single();
            data["role_id"] = $"group:{group.Name}:{role.Role}";
            var existing = (await iam.ListMembershipsAsync(ws, userId: id, groupId: group.Id, cancellationToken: ct).ConfigureAwait(false))
                .OfType<JsonObject>().FirstOrDefault(m => (string?)m["group"] == group.Id);
            if (existing is null)
            {
                data["membership"] = MembershipSummary(await iam.AddMembershipAsync(ws, group.Id, id, role.Role, ct).ConfigureAwait(false));
                data["applied"] = $"added to group '{group.Name}' as {role.Role}";
            }
            else if ((string?)existing["role"] == role.Role)
            {
                data["membership"] = MembershipSummary(existing);
                data["applied"] = "none: the user already has this role";
            }
            else
            {
                var membershipId = (string)existing["id"]!;
                data["membership"] = MembershipSummary(await iam.SetMembershipRoleAsync(ws, membershipId, role.Role, ct).ConfigureAwait(false));
                data["applied"] = $"changed role in group '{group.Name}' from {existing["role"]} to {role.Role}";
            }
            return data;
        }, cancellationToken);

    [McpServerTool(Name = "iam_user_permissions_get", Title = "Explain user access", ReadOnly = true, Destructive = false, Idempotent = true, OpenWorld = true)]
    [Description("Explain what a user can do and reach, computed from real endpoints (Alpacon has no permissions endpoint): direct = the user's flags (GET /api/iam/users/{id}/: staff, superuser, active); group = each membership's group and role (GET /api/iam/memberships/?user=) and that group's servers (GET /api/iam/groups/{id}/); effective = the union: the servers reachable through groups (staff and superusers reach every server), the groups the user manages, and whether they administer IAM. Use it to review access before and after a change.")]
    public Task<CallToolResult> IamUserPermissionsGet(
        [Description(UserIdDescription)] string user_id,
        [Description(Args.WorkspaceDescription)] string? workspace = null,
        [Description(Args.RegionDescription)] string region = "ap1",
        CancellationToken cancellationToken = default) =>
        runner.RunAsync(region, workspace, null, async (ws, ct) =>
        {
            var id = Args.Uuid(user_id, "user_id");
            var userTask = iam.GetUserAsync(ws, id, ct);
            var membershipsTask = iam.ListMembershipsAsync(ws, userId: id, cancellationToken: ct);
            var user = await userTask.ConfigureAwait(false) as JsonObject ?? [];
            var memberships = (await membershipsTask.ConfigureAwait(false)).OfType<JsonObject>().Where(m => (string?)m["group"] is not null).ToList();
            // A group that cannot be read (deleted meanwhile, a 5xx) costs only its servers, named in the result.
            var groups = await Task.WhenAll(memberships.Select(async m =>
            {
                try
                {
                    return (Group: await iam.GetGroupAsync(ws, (string)m["group"]!, ct).ConfigureAwait(false), Error: (JsonObject?)null);
                }
                catch (AlpaconApiException e) when (e.StatusCode is not (HttpStatusCode.Unauthorized or null))
                {
                    return (null, Parts.Describe(e, ws));
                }
            })).ConfigureAwait(false);
            return Access(user, memberships, groups);
        }, cancellationToken);

    // ---- access computation ----

    private static readonly (string Name, bool Staff, bool Superuser, string Allows)[] WorkspaceRoles =
    [
        ("user", false, false, "A regular account: reaches only the servers of its groups, and manages only the groups where it is manager or owner."),
        ("staff", true, false, "Administers the workspace: users, groups, memberships and settings; reaches every server."),
        ("superuser", true, true, "Everything staff can do, plus granting and revoking superuser; bypasses every permission check."),
    ];

    private static readonly Dictionary<string, string> GroupRoleAllows = new()
    {
        ["member"] = "Belongs to the group: gets an account on the group's servers and can reach them.",
        ["manager"] = "A member who can also add and remove members and assign member/manager roles in the group.",
        ["owner"] = "A manager who can also edit or delete the group and grant or revoke the owner role.",
    };

    private static JsonObject RoleModel()
    {
        var model = new JsonObject();
        foreach (var role in WorkspaceRoles)
            model[$"workspace:{role.Name}"] = role.Allows;
        foreach (var (role, allows) in GroupRoleAllows)
            model[$"group:<group>:{role}"] = allows;
        return model;
    }

    private static string RoleOfFlags(JsonNode? user) =>
        user?["is_superuser"]?.GetValue<bool>() == true ? "superuser" : user?["is_staff"]?.GetValue<bool>() == true ? "staff" : "user";

    private static JsonObject Access(JsonObject user, List<JsonObject> memberships, (JsonNode? Group, JsonObject? Error)[] groups)
    {
        var username = (string?)user["username"];
        var staff = user["is_staff"]?.GetValue<bool>() == true;
        var superuser = user["is_superuser"]?.GetValue<bool>() == true;
        var active = user["is_active"]?.GetValue<bool>() != false;
        var workspaceRole = RoleOfFlags(user);

        var direct = new JsonArray();
        if (superuser)
            direct.Add((JsonNode)new JsonObject { ["id"] = "workspace:superuser", ["name"] = "Superuser", ["description"] = WorkspaceRoles[2].Allows });
        if (staff)
            direct.Add((JsonNode)new JsonObject { ["id"] = "workspace:staff", ["name"] = "Staff", ["description"] = WorkspaceRoles[1].Allows });

        var groupPermissions = new JsonArray();
        var effective = new JsonArray((JsonNode)$"workspace:{workspaceRole}");
        var servers = new SortedDictionary<string, (string Id, List<string> Via)>(StringComparer.Ordinal);
        var manages = new JsonArray();
        for (var i = 0; i < memberships.Count; i++)
        {
            var m = memberships[i];
            var group = groups[i].Group as JsonObject;
            var groupName = (string?)m["group_name"] ?? (string?)group?["name"];
            var role = (string?)m["role"] ?? "member";
            var groupServers = (group?["servers"] as JsonArray ?? []).OfType<JsonObject>().ToList();
            foreach (var s in groupServers)
            {
                var name = (string?)s["name"] ?? (string?)s["id"] ?? "";
                if (!servers.TryGetValue(name, out var entry))
                    servers[name] = entry = ((string?)s["id"] ?? "", []);
                entry.Via.Add(groupName ?? "");
            }
            if (role is "manager" or "owner")
                manages.Add((JsonNode?)groupName);
            var roleId = $"group:{groupName}:{role}";
            effective.Add((JsonNode)roleId);
            var permission = new JsonObject
            {
                ["group"] = groupName,
                ["group_id"] = m["group"]?.DeepClone(),
                ["role"] = role,
                ["role_id"] = roleId,
                ["allows"] = GroupRoleAllows.GetValueOrDefault(role, role),
                // Names only: effective_access lists each server once with its id.
                ["servers"] = new JsonArray([.. groupServers.Select(s => s["name"]?.DeepClone())]),
            };
            if (groups[i].Error is { } error)
            {
                permission["servers"] = null;
                permission["servers_error"] = error;
            }
            groupPermissions.Add((JsonNode)permission);
        }
        var unread = groups.Count(g => g.Error is not null);

        var allServers = staff || superuser;
        var reach = new JsonObject
        {
            ["can_sign_in"] = active,
            ["all_servers"] = allServers,
            ["servers_via_groups"] = new JsonArray([.. servers.Select(s => (JsonNode)new JsonObject { ["id"] = s.Value.Id, ["name"] = s.Key, ["via"] = new JsonArray([.. s.Value.Via.Select(v => (JsonNode)v)]) })]),
            ["server_count_via_groups"] = servers.Count,
            ["administers_iam"] = allServers,
            ["manages_groups"] = manages,
        };
        var groupsText = groupPermissions.Count == 0 ? "no groups"
            : string.Join(", ", groupPermissions.OfType<JsonObject>().Select(g => $"{g["group"]} ({g["role"]}, {(g["servers"] is JsonArray list ? $"{list.Count}" : "unknown")} servers)"));
        var summary = $"{username} is workspace:{workspaceRole}" + (allServers ? " and reaches every server" : $" reaching {servers.Count} server(s) through groups")
            + $"; groups: {groupsText}." + (active ? "" : " The account is inactive: it cannot sign in, so none of this access is usable until it is reactivated.");
        var access = new JsonObject
        {
            ["user"] = new JsonObject { ["id"] = user["id"]?.DeepClone(), ["username"] = username, ["email"] = user["email"]?.DeepClone(), ["is_active"] = active },
            ["summary"] = summary,
            ["direct_permissions"] = direct,
            ["group_permissions"] = groupPermissions,
            ["effective_permissions"] = effective,
            ["effective_access"] = reach,
        };
        if (unread > 0)
            access["incomplete"] = $"The servers of {unread} group(s) could not be read (see servers_error in group_permissions): servers_via_groups may be missing some. Retry, or check the group with iam_groups_list.";
        return access;
    }

    // ---- groups by name or id, memberships ----

    /// <summary>A group named in a tool argument, resolved against the API.</summary>
    private sealed record GroupRef(string Id, string Name)
    {
        public bool IsDefault => Name == IamClient.DefaultGroup;
    }

    /// <summary>
    /// Resolves group names (GET /api/iam/groups/?name=) and UUIDs (GET /api/iam/groups/{id}/). Any unknown group
    /// stops the tool before it changes anything.
    /// </summary>
    private async Task<List<GroupRef>> ResolveGroupsAsync(WorkspaceTarget ws, IEnumerable<string>? specs, CancellationToken ct)
    {
        var wanted = new List<string>();
        foreach (var spec in specs ?? [])
        {
            var s = Args.Required(spec, "groups", 150).Trim();
            if (!GroupRefPattern().IsMatch(s))
                throw new ToolInputException($"'{Args.Shorten(s)}' is neither a group name nor a group UUID.", GroupsHint);
            if (!wanted.Contains(s, StringComparer.Ordinal))
                wanted.Add(s);
        }
        var found = await Task.WhenAll(wanted.Select(async s =>
        {
            JsonNode? group;
            if (Guid.TryParseExact(s, "D", out var guid))
            {
                try
                {
                    group = await iam.GetGroupAsync(ws, guid.ToString(), ct).ConfigureAwait(false);
                }
                catch (AlpaconApiException e) when (e.StatusCode == HttpStatusCode.NotFound)
                {
                    group = null;
                }
            }
            else
            {
                group = await iam.FindGroupByNameAsync(ws, s, ct).ConfigureAwait(false);
            }
            return (Spec: s, Group: group is null ? null : new GroupRef((string)group["id"]!, (string)group["name"]!));
        })).ConfigureAwait(false);
        var unknown = found.Where(f => f.Group is null).Select(f => f.Spec).ToList();
        if (unknown.Count > 0)
            throw new ToolInputException($"Unknown group(s): {string.Join(", ", unknown)}. Nothing was created or changed.", GroupsHint);
        return [.. found.Select(f => f.Group!).DistinctBy(g => g.Id)];
    }

    /// <summary>Adds the missing memberships and removes the extra ones; the default group is never removed.</summary>
    private async Task<GroupChanges> ReconcileAsync(WorkspaceTarget ws, string userId, List<GroupRef> targets, CancellationToken ct)
    {
        var current = (await iam.ListMembershipsAsync(ws, userId: userId, cancellationToken: ct).ConfigureAwait(false)).OfType<JsonObject>().ToList();
        var changes = new GroupChanges();
        foreach (var m in current)
        {
            var group = new GroupRef((string?)m["group"] ?? "", (string?)m["group_name"] ?? "");
            if (targets.Any(t => t.Id == group.Id))
                changes.Unchanged(group);
            else if (group.IsDefault)
                changes.Skip(group, "default group: its memberships cannot be changed");
            else
                await changes.TryAsync(group, "remove", () => iam.RemoveMembershipAsync(ws, (string)m["id"]!, ct)).ConfigureAwait(false);
        }
        foreach (var group in targets.Where(t => current.All(m => (string?)m["group"] != t.Id)))
            await changes.TryAsync(group, "add", () => iam.AddMembershipAsync(ws, group.Id, userId, "member", ct)).ConfigureAwait(false);
        return changes;
    }

    /// <summary>What a membership fan-out did, group by group; a failure is recorded and the others go on.</summary>
    private sealed class GroupChanges
    {
        private readonly JsonArray _added = [], _removed = [], _unchanged = [], _skipped = [], _failed = [];

        public int Failed => _failed.Count;

        public void Unchanged(GroupRef group) => _unchanged.Add((JsonNode)group.Name);

        public void Skip(GroupRef group, string why) => _skipped.Add((JsonNode)new JsonObject { ["group"] = group.Name, ["why"] = why });

        public async Task TryAsync(GroupRef group, string action, Func<Task<JsonNode?>> change)
        {
            try
            {
                await change().ConfigureAwait(false);
                (action == "add" ? _added : _removed).Add((JsonNode)group.Name);
            }
            catch (AlpaconApiException e)
            {
                var failure = new JsonObject { ["group"] = group.Name, ["action"] = action, ["error"] = e.Message };
                if (e.StatusCode is { } status)
                    failure["status_code"] = (int)status;
                if (e.Code is { } code)
                    failure["error_code"] = code;
                _failed.Add((JsonNode)failure);
            }
        }

        public JsonObject ToJson()
        {
            var o = new JsonObject { ["added"] = _added, ["removed"] = _removed };
            if (_unchanged.Count > 0)
                o["unchanged"] = _unchanged;
            if (_skipped.Count > 0)
                o["skipped"] = _skipped;
            o["failed"] = _failed;
            return o;
        }
    }

    // ---- role ids ----

    private sealed record RoleRef(string Id, string? Group, string Role);

    private static RoleRef ParseRole(string? roleId)
    {
        var id = Args.Required(roleId, "role_id", 200).Trim().ToLowerInvariant();
        var parts = id.Split(':');
        if (parts.Length == 1 && WorkspaceRoles.Any(r => r.Name == parts[0]))
            return new RoleRef($"workspace:{parts[0]}", null, parts[0]);
        if (parts is ["workspace", var w] && WorkspaceRoles.Any(r => r.Name == w))
            return new RoleRef(id, null, w);
        if (parts is ["group", { Length: > 0 } g, var r] && IamClient.MembershipRoles.Contains(r))
            return new RoleRef(id, g, r);
        throw new ToolInputException($"'role_id' must be a role id such as workspace:staff or group:developers:member; got '{Args.Shorten(roleId!)}'.", RolesHint);
    }

    // ---- paging and summaries ----

    private static (int Page, int PageSize) Paging(int? page, int? pageSize) =>
        (Args.Range(page ?? 1, "page", 1, 1_000_000), Args.Range(pageSize ?? DefaultPageSize, "page_size", 1, AlpaconHttp.MaxPageSize));

    /// <summary>One API page, summarised: the pagination facts and the items.</summary>
    private static JsonObject PageOf(JsonNode? body, int page, int pageSize, Func<JsonNode?, JsonNode?> summary)
    {
        var (results, _) = AlpaconHttp.Page(body);
        return new JsonObject
        {
            ["count"] = body is JsonObject o && o["count"] is { } count ? count.DeepClone() : results.Count,
            ["page"] = page,
            ["page_size"] = pageSize,
            ["next"] = body is JsonObject n ? n["next"]?.DeepClone() : null,
            ["results"] = new JsonArray([.. results.Select(summary)]),
        };
    }

    /// <summary>Paging over a list built here (roles, scopes), with the same facts as an API page.</summary>
    private static JsonObject LocalPage(List<JsonNode> items, int page, int pageSize)
    {
        var last = Math.Max(1, (items.Count + pageSize - 1) / pageSize);
        if (page > last)
            throw new ToolInputException($"Page {page} is past the last page ({last}).", "Start again from page 1.");
        return new JsonObject
        {
            ["count"] = items.Count,
            ["page"] = page,
            ["page_size"] = pageSize,
            ["next"] = page < last ? page + 1 : null,
            ["results"] = new JsonArray([.. items.Skip((page - 1) * pageSize).Take(pageSize)]),
        };
    }

    private static JsonNode? UserSummary(JsonNode? user) => user is not JsonObject u ? user?.DeepClone() : new JsonObject
    {
        ["id"] = u["id"]?.DeepClone(),
        ["username"] = u["username"]?.DeepClone(),
        ["name"] = $"{u["first_name"]} {u["last_name"]}".Trim(),
        ["email"] = u["email"]?.DeepClone(),
        ["is_active"] = u["is_active"]?.DeepClone(),
        ["is_staff"] = u["is_staff"]?.DeepClone(),
        ["is_superuser"] = u["is_superuser"]?.DeepClone(),
        ["is_ldap_user"] = u["is_ldap_user"]?.DeepClone(),
        ["num_groups"] = u["num_groups"]?.DeepClone(),
        ["date_joined"] = u["date_joined"]?.DeepClone(),
    };

    private static JsonNode? GroupSummary(JsonNode? group) => group is not JsonObject g ? group?.DeepClone() : new JsonObject
    {
        ["id"] = g["id"]?.DeepClone(),
        ["name"] = g["name"]?.DeepClone(),
        ["display_name"] = g["display_name"]?.DeepClone(),
        ["description"] = g["description"]?.DeepClone(),
        ["num_members"] = g["num_members"]?.DeepClone(),
        ["members_names"] = g["members_names"]?.DeepClone(),
        ["is_ldap_group"] = g["is_ldap_group"]?.DeepClone(),
        ["servers"] = g["servers"] is JsonArray servers
            ? new JsonArray([.. servers.Select(s => s is JsonObject so ? new JsonObject { ["id"] = so["id"]?.DeepClone(), ["name"] = so["name"]?.DeepClone() } : s?.DeepClone())])
            : null,
    };

    private static JsonNode? MembershipSummary(JsonNode? membership) => membership is not JsonObject m ? membership?.DeepClone() : new JsonObject
    {
        ["group"] = m["group_name"]?.DeepClone(),
        ["group_id"] = m["group"]?.DeepClone(),
        ["role"] = m["role"]?.DeepClone(),
        ["membership_id"] = m["id"]?.DeepClone(),
    };

    private static string Lower(bool value) => value ? "true" : "false";

    /// <summary>A valid group name close to what was typed, for the hint.</summary>
    private static string Suggest(string name)
    {
        var s = new string([.. name.Trim().ToLowerInvariant().Select(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '_' or '-' ? c : '-')]).Trim('-');
        return s.Length > 0 ? s : "my-group";
    }
}
