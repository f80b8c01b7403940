using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Alpacon.Emulator.Core;

namespace Alpacon.Emulator.Iam;

/// <summary>
/// <c>/api/iam/users/</c>, <c>/api/iam/groups/</c> and <c>/api/iam/memberships/</c>. Anyone may read; users and
/// groups are changed by staff only, memberships by staff and the group's managers and owners. The default
/// group <c>alpacon</c> and its memberships cannot be changed; LDAP groups' memberships come from the directory.
/// </summary>
public static partial class IamEndpoints
{
    [GeneratedRegex("^[a-z_][a-z0-9_.-]{0,31}$")]
    private static partial Regex Username();

    [GeneratedRegex("^[a-z0-9_-]+$")]
    private static partial Regex GroupName();

    [GeneratedRegex(@"^[^@\s]+@[^@\s]+\.[^@\s]+$")]
    private static partial Regex Email();

    private static readonly string[] UserText = ["email", "first_name", "last_name", "phone", "tags", "description", "shell"];
    private static readonly string[] UserFlags = ["is_active", "is_staff", "is_superuser"];

    public static RouteGroupBuilder MapIam(this RouteGroupBuilder api)
    {
        api.MapGet("/iam/users/", ListUsers);
        api.MapPost("/iam/users/", CreateUser);
        api.MapGet("/iam/users/{id}/", GetUser);
        api.MapMethods("/iam/users/{id}/", ["PATCH"], PatchUser);
        api.MapDelete("/iam/users/{id}/", DeleteUser);
        api.MapGet("/iam/groups/", ListGroups);
        api.MapPost("/iam/groups/", CreateGroup);
        api.MapGet("/iam/groups/{id}/", GetGroup);
        api.MapMethods("/iam/groups/{id}/", ["PATCH"], PatchGroup);
        api.MapDelete("/iam/groups/{id}/", DeleteGroup);
        api.MapGet("/iam/memberships/", ListMemberships);
        api.MapPost("/iam/memberships/", CreateMembership);
        api.MapGet("/iam/memberships/{id}/", GetMembership);
        api.MapMethods("/iam/memberships/{id}/", ["PATCH"], PatchMembership);
        api.MapDelete("/iam/memberships/{id}/", DeleteMembership);
        return api;
    }

    private static IamState State(HttpContext ctx) => ctx.RequestServices.GetRequiredService<IamState>();

    // ---- users ----

    private static Task ListUsers(HttpContext ctx)
    {
        var iam = State(ctx);
        var username = Api.Query(ctx, "username");
        var search = Api.Query(ctx, "search");
        var active = Api.BoolQuery(ctx, "is_active");
        var staff = Api.BoolQuery(ctx, "is_staff");
        var super = Api.BoolQuery(ctx, "is_superuser");
        var ldap = Api.BoolQuery(ctx, "is_ldap_user");
        var ordering = Api.Query(ctx, "ordering") ?? "username";
        List<JsonNode> items;
        lock (iam.World.Gate)
        {
            var users = iam.World.Users.Where(u => (username is null || u.Username == username)
                && (active is null || u.IsActive == active) && (staff is null || u.IsStaff == staff)
                && (super is null || u.IsSuperuser == super) && (ldap is null || u.IsLdapUser == ldap)
                && Api.Matches(search, u.Username, u.FirstName, u.LastName, u.Email));
            users = ordering.TrimStart('-') == "date_joined" ? users.OrderBy(u => u.DateJoined) : users.OrderBy(u => u.Username, StringComparer.Ordinal);
            if (ordering.StartsWith('-'))
                users = users.Reverse();
            items = [.. users.Select(u => (JsonNode)iam.UserJson(u))];
        }
        return Api.Page(ctx, items);
    }

    private static Task GetUser(HttpContext ctx)
    {
        var iam = State(ctx);
        lock (iam.World.Gate)
            return FindUser(ctx, iam) is { } user ? Api.Json(ctx, iam.UserJson(user)) : Api.NotFound(ctx);
    }

    /// <summary><c>-</c> is the caller.</summary>
    private static User? FindUser(HttpContext ctx, IamState iam)
    {
        var id = Api.RouteId(ctx);
        return id == "-" ? Principals.Of(ctx).User : iam.World.FindUser(id);
    }

    private static async Task CreateUser(HttpContext ctx)
    {
        var iam = State(ctx);
        var principal = Principals.Of(ctx);
        if (await IamState.AdminBodyAsync(ctx) is not { } body)
            return;
        var errors = new JsonObject();
        var username = Text(body, "username", errors);
        if (string.IsNullOrEmpty(username))
            Fail(errors, "username", "This field is required.");
        else if (!Username().IsMatch(username))
            Fail(errors, "username", "Enter a valid username: up to 32 lowercase letters, digits, '.', '_' or '-', starting with a letter or '_'.");
        if (string.IsNullOrEmpty(Api.String(body, "email")))
            Fail(errors, "email", "This field is required.");
        var fields = UserFields(body, errors);
        (int Status, JsonNode Body) outcome;
        lock (iam.World.Gate)
        {
            if (username is not null && iam.World.FindUserByName(username) is not null)
                Fail(errors, "username", "A user with that username already exists.");
            if (errors.Count > 0)
            {
                outcome = (400, errors);
            }
            else if (fields.TryGetValue("is_superuser", out var s) && s is true && principal.User?.IsSuperuser != true)
            {
                outcome = (403, Forbidden("Only a superuser may create a superuser."));
            }
            else
            {
                var user = new User
                {
                    Id = Ids.New(),
                    Username = username!,
                    Uid = iam.World.Users.Max(u => u.Uid) + 1,
                    DateJoined = iam.World.Now,
                };
                Apply(user, fields);
                iam.World.Users.Add(user);
                // Every user belongs to the default group.
                iam.AddMembership(iam.DefaultGroup, user, "member");
                outcome = (201, iam.UserJson(user));
            }
        }
        await Api.Json(ctx, outcome.Body, outcome.Status);
    }

    private static async Task PatchUser(HttpContext ctx)
    {
        var iam = State(ctx);
        var principal = Principals.Of(ctx);
        if (await IamState.AdminBodyAsync(ctx) is not { } body)
            return;
        var errors = new JsonObject();
        var fields = UserFields(body, errors);
        (int Status, JsonNode Body) outcome;
        lock (iam.World.Gate)
        {
            if (FindUser(ctx, iam) is not { } user)
                outcome = (404, new JsonObject { ["detail"] = "Not found." });
            else if (errors.Count > 0)
                outcome = (400, errors);
            else if (fields.TryGetValue("is_superuser", out var s) && s is bool b && b != user.IsSuperuser && principal.User?.IsSuperuser != true)
                outcome = (403, Forbidden("Only a superuser may grant or revoke superuser status."));
            else
            {
                // username is read-only: the API ignores it, as it ignores unknown fields.
                Apply(user, fields);
                outcome = (200, iam.UserJson(user));
            }
        }
        await Api.Json(ctx, outcome.Body, outcome.Status);
    }

    private static async Task DeleteUser(HttpContext ctx)
    {
        var iam = State(ctx);
        var principal = Principals.Of(ctx);
        if (!IamState.IsAdmin(principal))
        {
            await Api.Forbidden(ctx);
            return;
        }
        int status;
        lock (iam.World.Gate)
        {
            var user = FindUser(ctx, iam);
            status = user is null ? 404 : user == principal.User ? 400 : 204;
            if (status == 204)
            {
                iam.Memberships.RemoveAll(m => m.User == user);
                iam.World.Users.Remove(user!);
            }
        }
        await (status switch
        {
            404 => Api.NotFound(ctx),
            400 => Api.Detail(ctx, 400, "You cannot delete your own account."),
            _ => Api.NoContent(ctx),
        });
    }

    /// <summary>The writable user fields present in <paramref name="body"/>, type-checked; unknown fields are ignored.</summary>
    private static Dictionary<string, object> UserFields(JsonObject body, JsonObject errors)
    {
        var fields = new Dictionary<string, object>();
        foreach (var name in UserText)
        {
            if (Text(body, name, errors) is { } value)
                fields[name] = value;
        }
        foreach (var name in UserFlags)
        {
            if (!body.ContainsKey(name))
                continue;
            if (body[name] is JsonValue v && v.GetValueKind() is JsonValueKind.True or JsonValueKind.False)
                fields[name] = v.GetValue<bool>();
            else
                Fail(errors, name, "Must be a valid boolean.");
        }
        if (fields.TryGetValue("email", out var email) && email is string { Length: > 0 } e && !Email().IsMatch(e))
            Fail(errors, "email", "Enter a valid email address.");
        return fields;
    }

    private static void Apply(User user, Dictionary<string, object> fields)
    {
        foreach (var (name, value) in fields)
        {
            switch (name)
            {
                case "email": user.Email = (string)value; break;
                case "first_name": user.FirstName = (string)value; break;
                case "last_name": user.LastName = (string)value; break;
                case "phone": user.Phone = (string)value; break;
                case "tags": user.Tags = (string)value; break;
                case "description": user.Description = (string)value; break;
                case "shell": user.Shell = (string)value; break;
                case "is_active": user.IsActive = (bool)value; break;
                case "is_staff": user.IsStaff = (bool)value; break;
                case "is_superuser": user.IsSuperuser = (bool)value; break;
            }
        }
    }

    // ---- groups ----

    private static Task ListGroups(HttpContext ctx)
    {
        var iam = State(ctx);
        var name = Api.Query(ctx, "name");
        var search = Api.Query(ctx, "search");
        var ldap = Api.BoolQuery(ctx, "is_ldap_group");
        List<JsonNode> items;
        lock (iam.World.Gate)
        {
            items = [.. iam.Groups
                .Where(g => (name is null || g.Name == name) && (ldap is null || g.IsLdapGroup == ldap) && Api.Matches(search, g.Name, g.DisplayName, g.Description))
                .OrderBy(g => g.Name, StringComparer.Ordinal)
                .Select(g => (JsonNode)iam.GroupJson(g))];
        }
        return Api.Page(ctx, items);
    }

    private static Task GetGroup(HttpContext ctx)
    {
        var iam = State(ctx);
        lock (iam.World.Gate)
            return iam.FindGroup(Api.RouteId(ctx)) is { } group ? Api.Json(ctx, iam.GroupJson(group)) : Api.NotFound(ctx);
    }

    private static async Task CreateGroup(HttpContext ctx)
    {
        var iam = State(ctx);
        if (await IamState.AdminBodyAsync(ctx) is not { } body)
            return;
        var errors = new JsonObject();
        var name = Text(body, "name", errors);
        if (string.IsNullOrEmpty(name))
            Fail(errors, "name", "This field is required.");
        else if (!GroupName().IsMatch(name))
            Fail(errors, "name", "Enter a valid name: lowercase letters, numbers, '_' or '-'.");
        var displayName = Text(body, "display_name", errors);
        var description = Text(body, "description", errors);
        var tags = Text(body, "tags", errors);
        (int Status, JsonNode Body) outcome;
        lock (iam.World.Gate)
        {
            if (name is not null && iam.Groups.Exists(g => g.Name == name))
                Fail(errors, "name", "group with this name already exists.");
            var servers = ServerList(body, iam.World, errors);
            if (errors.Count > 0)
            {
                outcome = (400, errors);
            }
            else
            {
                var group = new Group
                {
                    Id = Ids.New(),
                    Name = name!,
                    DisplayName = string.IsNullOrEmpty(displayName) ? name! : displayName,
                    Description = description ?? "",
                    Tags = tags ?? "",
                    Gid = iam.Groups.Max(g => g.Gid) + 1,
                    IsLdapGroup = Api.Bool(body, "is_ldap_group") ?? false,
                    AddedAt = iam.World.Now,
                    UpdatedAt = iam.World.Now,
                };
                iam.Groups.Add(group);
                foreach (var server in servers ?? [])
                    server.GroupIds.Add(group.Id);
                outcome = (201, iam.GroupJson(group));
            }
        }
        await Api.Json(ctx, outcome.Body, outcome.Status);
    }

    private static async Task PatchGroup(HttpContext ctx)
    {
        var iam = State(ctx);
        var principal = Principals.Of(ctx);
        if (await Api.ReadObject(ctx) is not { } body)
            return;
        var errors = new JsonObject();
        (int Status, JsonNode Body) outcome;
        lock (iam.World.Gate)
        {
            var group = iam.FindGroup(Api.RouteId(ctx));
            var displayName = Text(body, "display_name", errors);
            var description = Text(body, "description", errors);
            var tags = Text(body, "tags", errors);
            var servers = ServerList(body, iam.World, errors);
            if (group is null)
                outcome = (404, new JsonObject { ["detail"] = "Not found." });
            else if (!iam.MayManage(principal, group, "owner"))
                outcome = (403, Forbidden());
            else if (group.IsDefault)
                outcome = (400, new JsonObject { ["detail"] = $"The default group '{group.Name}' cannot be changed." });
            else if (errors.Count > 0)
                outcome = (400, errors);
            else
            {
                if (!string.IsNullOrEmpty(displayName))
                    group.DisplayName = displayName;
                if (description is not null)
                    group.Description = description;
                if (tags is not null)
                    group.Tags = tags;
                if (servers is not null)
                {
                    foreach (var server in iam.World.Servers)
                        server.GroupIds.Remove(group.Id);
                    foreach (var server in servers)
                        server.GroupIds.Add(group.Id);
                }
                group.UpdatedAt = iam.World.Now;
                outcome = (200, iam.GroupJson(group));
            }
        }
        await Api.Json(ctx, outcome.Body, outcome.Status);
    }

    private static async Task DeleteGroup(HttpContext ctx)
    {
        var iam = State(ctx);
        var principal = Principals.Of(ctx);
        (int Status, JsonNode? Body) outcome;
        lock (iam.World.Gate)
        {
            var group = iam.FindGroup(Api.RouteId(ctx));
            if (group is null)
                outcome = (404, new JsonObject { ["detail"] = "Not found." });
            else if (!iam.MayManage(principal, group, "owner"))
                outcome = (403, Forbidden());
            else if (group.IsDefault)
                outcome = (400, new JsonObject { ["detail"] = $"The default group '{group.Name}' cannot be deleted." });
            else
            {
                iam.Memberships.RemoveAll(m => m.Group == group);
                foreach (var server in iam.World.Servers)
                    server.GroupIds.Remove(group.Id);
                iam.Groups.Remove(group);
                outcome = (204, null);
            }
        }
        await (outcome.Status == 204 ? Api.NoContent(ctx) : Api.Json(ctx, outcome.Body, outcome.Status));
    }

    /// <summary>The <c>servers</c> field (a list of server ids), or null when absent.</summary>
    private static List<Server>? ServerList(JsonObject body, World world, JsonObject errors)
    {
        if (!body.ContainsKey("servers"))
            return null;
        if (body["servers"] is not JsonArray ids)
        {
            Fail(errors, "servers", $"Expected a list of items but got type \"{Kind(body["servers"])}\".");
            return null;
        }
        var servers = new List<Server>();
        foreach (var id in ids)
        {
            var text = id is JsonValue v && v.TryGetValue<string>(out var s) ? s : id?.ToJsonString();
            if (world.FindServer(text) is { } server)
                servers.Add(server);
            else
                Fail(errors, "servers", $"Invalid pk \"{text}\" - object does not exist.");
        }
        return servers;
    }

    // ---- memberships ----

    private static Task ListMemberships(HttpContext ctx)
    {
        var iam = State(ctx);
        var group = Api.Query(ctx, "group");
        var user = Api.Query(ctx, "user");
        var role = Api.Query(ctx, "role");
        List<JsonNode> items;
        lock (iam.World.Gate)
        {
            items = [.. iam.Memberships
                .Where(m => (group is null || m.Group.Id == group) && (user is null || m.User.Id == user) && (role is null || m.Role == role))
                .OrderBy(m => m.Group.Name, StringComparer.Ordinal).ThenBy(m => m.User.Username, StringComparer.Ordinal)
                .Select(m => (JsonNode)m.ToJson())];
        }
        return Api.Page(ctx, items);
    }

    private static Task GetMembership(HttpContext ctx)
    {
        var iam = State(ctx);
        lock (iam.World.Gate)
            return iam.Memberships.Find(m => m.Id == Api.RouteId(ctx)) is { } m ? Api.Json(ctx, m.ToJson()) : Api.NotFound(ctx);
    }

    private static async Task CreateMembership(HttpContext ctx)
    {
        var iam = State(ctx);
        var principal = Principals.Of(ctx);
        if (await Api.ReadObject(ctx) is not { } body)
            return;
        var errors = new JsonObject();
        var groupId = Text(body, "group", errors);
        var userId = Text(body, "user", errors);
        var role = Text(body, "role", errors) ?? "member";
        if (!IamState.Roles.Contains(role))
            Fail(errors, "role", $"\"{role}\" is not a valid choice.");
        (int Status, JsonNode Body) outcome;
        lock (iam.World.Gate)
        {
            var group = iam.FindGroup(groupId);
            var user = iam.World.FindUser(userId);
            if (group is null)
                Fail(errors, "group", groupId is null ? "This field is required." : $"Invalid pk \"{groupId}\" - object does not exist.");
            if (user is null)
                Fail(errors, "user", userId is null ? "This field is required." : $"Invalid pk \"{userId}\" - object does not exist.");
            if (errors.Count > 0)
                outcome = (400, errors);
            else if (!iam.MayManage(principal, group!, role))
                outcome = (403, Forbidden());
            else if (Unchangeable(group!) is { } reason)
                outcome = (400, new JsonObject { ["non_field_errors"] = new JsonArray(reason) });
            else if (iam.Memberships.Exists(m => m.Group == group && m.User == user))
                outcome = (400, new JsonObject { ["non_field_errors"] = new JsonArray("The fields group, user must make a unique set.") });
            else
                outcome = (201, iam.AddMembership(group!, user!, role).ToJson());
        }
        await Api.Json(ctx, outcome.Body, outcome.Status);
    }

    private static async Task PatchMembership(HttpContext ctx)
    {
        var iam = State(ctx);
        var principal = Principals.Of(ctx);
        if (await Api.ReadObject(ctx) is not { } body)
            return;
        var errors = new JsonObject();
        var role = Text(body, "role", errors);
        if (role is not null && !IamState.Roles.Contains(role))
            Fail(errors, "role", $"\"{role}\" is not a valid choice.");
        (int Status, JsonNode Body) outcome;
        lock (iam.World.Gate)
        {
            var membership = iam.Memberships.Find(m => m.Id == Api.RouteId(ctx));
            if (membership is null)
                outcome = (404, new JsonObject { ["detail"] = "Not found." });
            else if (errors.Count > 0)
                outcome = (400, errors);
            else if (!iam.MayManage(principal, membership.Group, role == "owner" || membership.Role == "owner" ? "owner" : role))
                outcome = (403, Forbidden());
            else if (Unchangeable(membership.Group) is { } reason)
                outcome = (400, new JsonObject { ["non_field_errors"] = new JsonArray(reason) });
            else
            {
                if (role is not null)
                    membership.Role = role;
                outcome = (200, membership.ToJson());
            }
        }
        await Api.Json(ctx, outcome.Body, outcome.Status);
    }

    private static async Task DeleteMembership(HttpContext ctx)
    {
        var iam = State(ctx);
        var principal = Principals.Of(ctx);
        (int Status, JsonNode? Body) outcome;
        lock (iam.World.Gate)
        {
            var membership = iam.Memberships.Find(m => m.Id == Api.RouteId(ctx));
            if (membership is null)
                outcome = (404, new JsonObject { ["detail"] = "Not found." });
            else if (!iam.MayManage(principal, membership.Group, membership.Role == "owner" ? "owner" : null))
                outcome = (403, Forbidden());
            else if (Unchangeable(membership.Group) is { } reason)
                outcome = (400, new JsonObject { ["detail"] = reason });
            else
            {
                iam.Memberships.Remove(membership);
                outcome = (204, null);
            }
        }
        await (outcome.Status == 204 ? Api.NoContent(ctx) : Api.Json(ctx, outcome.Body, outcome.Status));
    }

    /// <summary>Why a group's memberships cannot be changed through the API, or null when they can.</summary>
    private static string? Unchangeable(Group group) =>
        group.IsDefault ? $"Memberships of the default group '{group.Name}' cannot be changed."
        : group.IsLdapGroup ? $"Memberships of the LDAP group '{group.Name}' are managed by the directory service."
        : null;

    // ---- helpers ----

    /// <summary>A string field: null when absent; a field error when present but not a string.</summary>
    private static string? Text(JsonObject body, string name, JsonObject errors)
    {
        if (!body.ContainsKey(name) || body[name] is null)
            return null;
        if (body[name] is JsonValue v && v.TryGetValue<string>(out var s))
            return s;
        Fail(errors, name, "Not a valid string.");
        return null;
    }

    private static void Fail(JsonObject errors, string field, string message)
    {
        if (errors[field] is JsonArray list)
            list.Add((JsonNode)message);
        else
            errors[field] = new JsonArray(message);
    }

    private static string Kind(JsonNode? node) => node?.GetValueKind() switch
    {
        JsonValueKind.String => "str",
        JsonValueKind.Number => "int",
        JsonValueKind.Object => "dict",
        JsonValueKind.True or JsonValueKind.False => "bool",
        _ => "NoneType",
    };

    private static JsonObject Forbidden(string detail = "You do not have permission to perform this action.") => new() { ["detail"] = detail };
}
