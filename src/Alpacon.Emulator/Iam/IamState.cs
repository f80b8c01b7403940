using System.Text.Json.Nodes;
using Alpacon.Emulator.Core;

namespace Alpacon.Emulator.Iam;

/// <summary>A group of users; the servers assigned to it are what its members may reach.</summary>
public sealed class Group
{
    public required string Id { get; init; }
    public required string Name { get; init; }
    public string DisplayName { get; set; } = "";
    public string Description { get; set; } = "";
    public string Tags { get; set; } = "";
    public int Gid { get; init; }

    /// <summary>Synchronised from a directory: its memberships are managed there, not through the API.</summary>
    public bool IsLdapGroup { get; init; }

    public DateTimeOffset AddedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; set; }

    /// <summary>The default group every user belongs to; neither it nor its memberships can be changed.</summary>
    public bool IsDefault => Name == IamState.DefaultGroupName;
}

/// <summary>A user's place in a group, with a role: member, manager or owner.</summary>
public sealed class Membership
{
    public required string Id { get; init; }
    public required Group Group { get; init; }
    public required User User { get; init; }
    public required string Role { get; set; }

    public JsonObject ToJson() => new()
    {
        ["id"] = Id,
        ["group"] = Group.Id,
        ["group_name"] = Group.Name,
        ["user"] = User.Summary(),
        ["role"] = Role,
    };
}

/// <summary>
/// Groups and memberships of the emulated workspace. Users and servers live in <see cref="World"/>, so every
/// read and write here happens under <see cref="World.Gate"/> too.
/// </summary>
public sealed class IamState
{
    public const string DefaultGroupName = "alpacon";

    public static readonly string[] Roles = ["member", "manager", "owner"];

    public IamState(World world)
    {
        World = world;
        lock (world.Gate)
            IamSeed.Populate(this);
    }

    public World World { get; }

    public List<Group> Groups { get; } = [];

    public List<Membership> Memberships { get; } = [];

    public Group? FindGroup(string? id) => Groups.Find(g => g.Id == id);

    public Group DefaultGroup => Groups.Single(g => g.IsDefault);

    public IEnumerable<Membership> MembershipsOf(User user) => Memberships.Where(m => m.User == user);

    public IEnumerable<Server> ServersOf(Group group) => World.Servers.Where(s => s.GroupIds.Contains(group.Id)).OrderBy(s => s.Name, StringComparer.Ordinal);

    public Membership AddMembership(Group group, User user, string role, string? id = null)
    {
        var membership = new Membership { Id = id ?? Ids.New(), Group = group, User = user, Role = role };
        Memberships.Add(membership);
        return membership;
    }

    public JsonObject UserJson(User user) => user.ToJson(MembershipsOf(user).Count());

    public JsonObject GroupJson(Group group)
    {
        var members = Memberships.Where(m => m.Group == group).Select(m => m.User.Username).Order(StringComparer.Ordinal).ToList();
        return new JsonObject
        {
            ["id"] = group.Id,
            ["name"] = group.Name,
            ["display_name"] = group.DisplayName,
            ["description"] = group.Description,
            ["tags"] = group.Tags,
            ["num_members"] = members.Count,
            ["members_names"] = new JsonArray([.. members.Select(n => (JsonNode)n)]),
            ["gid"] = group.Gid,
            ["is_ldap_group"] = group.IsLdapGroup,
            ["servers"] = new JsonArray([.. ServersOf(group).Select(s => (JsonNode)s.Summary())]),
            ["added_at"] = Api.Iso(group.AddedAt),
            ["updated_at"] = Api.Iso(group.UpdatedAt),
        };
    }

    /// <summary>Staff and superusers administer users, groups and workspace settings.</summary>
    public static bool IsAdmin(Principal principal) => principal.User is { IsStaff: true } or { IsSuperuser: true };

    /// <summary>
    /// The JSON body of a write only admins may make; null once 403 (not an admin, checked first as DRF does)
    /// or 400 (not a JSON object) has been answered.
    /// </summary>
    public static async Task<JsonObject?> AdminBodyAsync(HttpContext ctx)
    {
        if (IsAdmin(Principals.Of(ctx)))
            return await Api.ReadObject(ctx);
        await Api.Forbidden(ctx);
        return null;
    }

    /// <summary>Who may change a group's memberships: admins, and the group's managers and owners (owners alone grant owner).</summary>
    public bool MayManage(Principal principal, Group group, string? grantedRole = null)
    {
        if (IsAdmin(principal))
            return true;
        var own = Memberships.Find(m => m.Group == group && m.User == principal.User)?.Role;
        return grantedRole == "owner" ? own == "owner" : own is "manager" or "owner";
    }
}
