using Alpacon.Emulator.Core;

namespace Alpacon.Emulator.Iam;

/// <summary>
/// The seeded groups: the default group <c>alpacon</c> with everyone, teams with servers assigned, and one
/// directory-synchronised group. Ids are derived from names, like every seeded id.
/// </summary>
public static class IamSeed
{
    public static string GroupId(string name) => Ids.For("group", name);

    public static string MembershipId(string group, string username) => Ids.For("membership", $"{group}/{username}");

    private static readonly (string Name, string Display, string Description, bool Ldap, string[] Servers, (string User, string Role)[] Members)[] Groups =
    [
        ("alpacon", "Alpacon", "Default group: every user belongs to it.", false, [],
            [("jane", "owner"), ("bo", "member"), ("mina", "member"), ("alex", "member"), ("sam", "member"), ("deploy-bot", "member")]),
        ("ops", "Operations", "Runs production: web, API, cache and load balancer tiers.", false,
            ["api-01", "api-02", "api-03", "bastion-01", "cache-01", "cache-02", "lb-01", "lb-02", "monitor-01", "web-01", "web-02", "web-03", "web-04", "web-05", "worker-01", "worker-02", "worker-03", "worker-04"],
            [("jane", "owner"), ("sam", "manager"), ("bo", "member")]),
        ("dba", "Database administrators", "PostgreSQL primary and replicas.", false, ["db-01", "db-02", "db-03"],
            [("sam", "owner"), ("alex", "member")]),
        ("developers", "Developers", "Build, staging and the API tier.", false, ["api-01", "api-02", "api-03", "build-01", "staging-01"],
            [("alex", "manager"), ("bo", "member"), ("mina", "member"), ("deploy-bot", "member")]),
        ("ldap-eng", "Engineering (LDAP)", "Synchronised from the company directory.", true, ["legacy-01"],
            [("alex", "member")]),
    ];

    internal static void Populate(IamState iam)
    {
        var world = iam.World;
        var gid = 3000;
        foreach (var g in Groups)
        {
            var group = new Group
            {
                Id = GroupId(g.Name),
                Name = g.Name,
                DisplayName = g.Display,
                Description = g.Description,
                Gid = gid++,
                IsLdapGroup = g.Ldap,
                AddedAt = Seed.Epoch,
                UpdatedAt = Seed.Epoch,
            };
            iam.Groups.Add(group);
            foreach (var name in g.Servers)
                world.Servers.Single(s => s.Name == name).GroupIds.Add(group.Id);
            foreach (var (user, role) in g.Members)
                iam.AddMembership(group, world.FindUserByName(user)!, role, MembershipId(g.Name, user));
        }
    }
}
