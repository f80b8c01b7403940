using System.Text.Json.Nodes;
using Alpacon.Emulator.Core;
using Alpacon.Emulator.Faults;
using Alpacon.Emulator.Iam;
using Alpacon.Mcp.Tests.Infrastructure;
using static Alpacon.Mcp.Tests.Infrastructure.McpHarness;

namespace Alpacon.Mcp.Tests.Tools;

[Collection(EmulatorCollection.Name)]
public sealed class IamToolsTests(EmulatorFixture emulator)
{
    private static readonly string Bo = Seed.UserId("bo");
    private static readonly string Jane = Seed.UserId("jane");

    private RequestJournal Journal => emulator.Emulator.Journal;

    /// <summary>A username no other test uses: the emulator is shared by the whole collection.</summary>
    private static string Unique(string prefix) => prefix + Guid.NewGuid().ToString("N")[..10];

    private List<JournalEntry> Since(TimeSpan before, string method, string path) =>
        [.. Journal.Entries.Where(e => e.At >= before && e.Method == method && e.Path == path)];

    private static JsonObject Sent(JournalEntry entry) => JsonNode.Parse(entry.Body!)!.AsObject();

    private async Task<string> CreateUserAsync(Connection c, string username, params string[] groups)
    {
        var body = Success(await c.CallAsync("iam_user_create", new() { ["username"] = username, ["email"] = $"{username}@example.com", ["groups"] = groups }));
        Assert.Empty(body["data"]!["groups"]?["failed"]?.AsArray() ?? []);
        return (string)body["data"]!["user"]!["id"]!;
    }

    private static List<string?> Names(JsonNode? array) => [.. array!.AsArray().Select(x => (string?)x)];

    // ---- lists ----

    [Fact]
    public async Task IamUsersList_PassesPaging_AndReturnsCountAndNext()
    {
        await using var c = await ConnectAsync(emulator);
        var before = Journal.Elapsed;
        var data = Success(await c.CallAsync("iam_users_list", new() { ["page"] = 1, ["page_size"] = 2 }))["data"]!;

        Assert.True((int)data["count"]! >= 6);
        Assert.Equal(2, (int)data["next"]!);
        Assert.Equal(2, data["results"]!.AsArray().Count);
        var first = data["results"]![0]!;
        Assert.NotNull(first["username"]);
        Assert.NotNull(first["num_groups"]);
        var request = Assert.Single(Since(before, "GET", "/api/iam/users/"));
        Assert.Equal("1", request.QueryValue("page"));
        Assert.Equal("2", request.QueryValue("page_size"));
    }

    [Fact]
    public async Task IamUsersList_WithoutPaging_AsksForTheFirstPageOfFifty()
    {
        await using var c = await ConnectAsync(emulator);
        var before = Journal.Elapsed;
        var data = Success(await c.CallAsync("iam_users_list"))["data"]!;

        Assert.Contains(data["results"]!.AsArray(), u => (string?)u!["username"] == "jane");
        var request = Assert.Single(Since(before, "GET", "/api/iam/users/"));
        Assert.Equal("1", request.QueryValue("page"));
        Assert.Equal("50", request.QueryValue("page_size"));
    }

    [Fact]
    public async Task IamUsersList_PageSizeOutOfRange_IsRefused()
    {
        await using var c = await ConnectAsync(emulator);
        var body = Error(await c.CallAsync("iam_users_list", new() { ["page_size"] = 500 }));
        Assert.Contains("page_size", (string?)body["message"]);
    }

    [Fact]
    public async Task IamGroupsList_PassesPaging_AndSummarisesServers()
    {
        await using var c = await ConnectAsync(emulator);
        var before = Journal.Elapsed;
        var data = Success(await c.CallAsync("iam_groups_list", new() { ["page_size"] = 2 }))["data"]!;

        Assert.True((int)data["count"]! >= 5);
        Assert.Equal(2, (int)data["next"]!);
        var request = Assert.Single(Since(before, "GET", "/api/iam/groups/"));
        Assert.Equal("2", request.QueryValue("page_size"));

        var all = Success(await c.CallAsync("iam_groups_list", new() { ["page_size"] = 100 }))["data"]!["results"]!.AsArray();
        var dba = all.Single(g => (string?)g!["name"] == "dba")!;
        Assert.Equal(["db-01", "db-02", "db-03"], dba["servers"]!.AsArray().Select(s => (string?)s!["name"]));
        Assert.Null(dba["servers"]![0]!["os"]);
    }

    [Fact]
    public async Task IamUserGet_ReturnsTheUserWithGroupsAndRoles()
    {
        await using var c = await ConnectAsync(emulator);
        var before = Journal.Elapsed;
        var data = Success(await c.CallAsync("iam_user_get", new() { ["user_id"] = Bo }))["data"]!;

        Assert.Equal("bo", (string?)data["username"]);
        var groups = data["groups"]!.AsArray();
        Assert.Contains(groups, g => (string?)g!["group"] == "ops" && (string?)g["role"] == "member");
        Assert.Contains(groups, g => (string?)g!["group"] == "alpacon");
        Assert.Single(Since(before, "GET", $"/api/iam/users/{Bo}/"));
        Assert.Equal(Bo, Since(before, "GET", "/api/iam/memberships/").Single().QueryValue("user"));
    }

    [Fact]
    public async Task IamUserGet_BadId_IsRefusedBeforeAnyRequest()
    {
        await using var c = await ConnectAsync(emulator);
        var body = Error(await c.CallAsync("iam_user_get", new() { ["user_id"] = "bo" }));
        Assert.Contains("user_id", (string?)body["message"]);
    }

    // ---- create ----

    [Fact]
    public async Task IamUserCreate_WithGroups_CreatesTheUserThenOneMembershipPerGroup()
    {
        await using var c = await ConnectAsync(emulator);
        var username = Unique("john");
        var before = Journal.Elapsed;
        var data = Success(await c.CallAsync("iam_user_create", new()
        {
            ["username"] = username,
            ["email"] = $"{username}@company.com",
            ["first_name"] = "John",
            ["last_name"] = "Doe",
            ["groups"] = new[] { "developers", IamSeed.GroupId("ops"), "alpacon" },
        }))["data"]!;

        var userId = (string)data["user"]!["id"]!;
        Assert.Equal(username, (string?)data["user"]!["username"]);
        Assert.Equal(["developers", "ops"], Names(data["groups"]!["added"]));
        Assert.Equal("alpacon", (string?)data["groups"]!["skipped"]![0]!["group"]);
        Assert.Empty(data["groups"]!["failed"]!.AsArray());
        Assert.Null(data["warning"]);

        var post = Sent(Assert.Single(Since(before, "POST", "/api/iam/users/")));
        Assert.False(post.ContainsKey("groups"));
        Assert.Equal("John", (string?)post["first_name"]);
        Assert.True((bool)post["is_active"]!);
        var memberships = Since(before, "POST", "/api/iam/memberships/").Select(Sent).ToList();
        Assert.Equal(2, memberships.Count);
        Assert.All(memberships, m => Assert.Equal(userId, (string?)m["user"]));
        Assert.All(memberships, m => Assert.Equal("member", (string?)m["role"]));
        Assert.Equal([IamSeed.GroupId("developers"), IamSeed.GroupId("ops")], memberships.Select(m => (string?)m["group"]));
        // Names are resolved through the API's name filter and ids through the detail route, before the user is created.
        var lookups = Since(before, "GET", "/api/iam/groups/");
        Assert.Equal(["alpacon", "developers"], lookups.Select(l => l.QueryValue("name")).Order(StringComparer.Ordinal));
        var byId = Assert.Single(Since(before, "GET", $"/api/iam/groups/{IamSeed.GroupId("ops")}/"));
        var created = Since(before, "POST", "/api/iam/users/").Single().Sequence;
        Assert.All(lookups.Append(byId), l => Assert.True(l.Sequence < created));

        var groups = Success(await c.CallAsync("iam_user_get", new() { ["user_id"] = userId }))["data"]!["groups"]!.AsArray();
        Assert.Equal(["alpacon", "developers", "ops"], groups.Select(g => (string?)g!["group"]).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task IamUserCreate_MembershipFails_SaysWhichAndTheUserExists()
    {
        await using var c = await ConnectAsync(emulator);
        var username = Unique("partial");
        var body = Success(await c.CallAsync("iam_user_create", new()
        {
            ["username"] = username,
            ["email"] = $"{username}@example.com",
            ["groups"] = new[] { "dba", "ldap-eng" },
        }));

        var data = body["data"]!;
        Assert.Equal(["dba"], Names(data["groups"]!["added"]));
        var failed = Assert.Single(data["groups"]!["failed"]!.AsArray())!;
        Assert.Equal("ldap-eng", (string?)failed["group"]);
        Assert.Equal(400, (int?)failed["status_code"]);
        Assert.Contains("directory", (string?)failed["error"]);
        Assert.Contains("1 of 2", (string?)data["warning"]);

        var userId = (string)data["user"]!["id"]!;
        var user = Success(await c.CallAsync("iam_user_get", new() { ["user_id"] = userId }))["data"]!;
        Assert.Equal(username, (string?)user["username"]);
        Assert.Contains(user["groups"]!.AsArray(), g => (string?)g!["group"] == "dba");
        Assert.DoesNotContain(user["groups"]!.AsArray(), g => (string?)g!["group"] == "ldap-eng");
    }

    [Fact]
    public async Task IamUserCreate_UnknownGroup_CreatesNothing()
    {
        await using var c = await ConnectAsync(emulator);
        var username = Unique("nogroup");
        var before = Journal.Elapsed;
        var body = Error(await c.CallAsync("iam_user_create", new() { ["username"] = username, ["email"] = "x@example.com", ["groups"] = new[] { "ops", "no-such-group" } }));

        Assert.Contains("no-such-group", (string?)body["message"]);
        Assert.Contains("iam_groups_list", (string?)body["hint"]);
        Assert.Empty(Since(before, "POST", "/api/iam/users/"));
        Assert.Empty(Since(before, "POST", "/api/iam/memberships/"));
    }

    [Fact]
    public async Task IamUserCreate_InvalidUsername_IsTheApisFieldError()
    {
        await using var c = await ConnectAsync(emulator);
        var body = Error(await c.CallAsync("iam_user_create", new() { ["username"] = "John Doe", ["email"] = "not-an-email" }));
        Assert.Equal(400, (int?)body["status_code"]);
        Assert.NotNull(body["details"]!["username"]);
        Assert.NotNull(body["details"]!["email"]);
    }

    [Theory]
    [InlineData("iam_user_create")]
    [InlineData("iam_group_create")]
    [InlineData("iam_user_update")]
    [InlineData("iam_user_assign_role")]
    [InlineData("iam_user_delete")]
    public async Task IamMutation_NonStaffToken_Is403WithHint(string tool)
    {
        await using var c = await ConnectAsync(emulator, token: Seed.OperatorToken);
        Dictionary<string, object?> args = tool switch
        {
            "iam_user_create" => new() { ["username"] = Unique("denied"), ["email"] = "d@example.com" },
            "iam_group_create" => new() { ["name"] = Unique("denied") },
            "iam_user_update" => new() { ["user_id"] = Seed.UserId("mina"), ["first_name"] = "M" },
            "iam_user_assign_role" => new() { ["user_id"] = Seed.UserId("mina"), ["role_id"] = "workspace:staff" },
            _ => new() { ["user_id"] = Seed.UserId("mina") },
        };
        var before = Journal.Elapsed;
        var body = Error(await c.CallAsync(tool, args));

        Assert.Equal(403, (int?)body["status_code"]);
        Assert.Contains("not allowed", (string?)body["hint"]);
        Assert.Contains(Journal.Entries, e => e.At >= before && e.Status == 403 && e.Method != "GET");
        Assert.NotNull(Success(await c.CallAsync("iam_user_get", new() { ["user_id"] = Seed.UserId("mina") }))["data"]);
    }

    // ---- update ----

    [Fact]
    public async Task IamUserUpdate_SendsOnlyTheFieldsGiven()
    {
        await using var c = await ConnectAsync(emulator);
        var username = Unique("patch");
        var id = await CreateUserAsync(c, username);
        var before = Journal.Elapsed;
        var data = Success(await c.CallAsync("iam_user_update", new() { ["user_id"] = id, ["last_name"] = "Renamed", ["is_active"] = false }))["data"]!;

        var patch = Sent(Assert.Single(Since(before, "PATCH", $"/api/iam/users/{id}/")));
        Assert.Equal(["last_name", "is_active"], patch.Select(p => p.Key));
        Assert.Equal("Renamed", (string?)data["user"]!["last_name"]);
        Assert.False((bool)data["user"]!["is_active"]!);
        Assert.Equal($"{username}@example.com", (string?)data["user"]!["email"]);
        Assert.Null(data["groups"]);
        Assert.Empty(Since(before, "GET", "/api/iam/memberships/"));
    }

    [Fact]
    public async Task IamUserUpdate_Groups_AddsTheMissingAndRemovesTheExtra()
    {
        await using var c = await ConnectAsync(emulator);
        var id = await CreateUserAsync(c, Unique("recon"), "developers", "ops");
        var before = Journal.Elapsed;
        var data = Success(await c.CallAsync("iam_user_update", new() { ["user_id"] = id, ["groups"] = new[] { "ops", "dba" } }))["data"]!;

        var groups = data["groups"]!;
        Assert.Equal(["dba"], Names(groups["added"]));
        Assert.Equal(["developers"], Names(groups["removed"]));
        Assert.Equal(["ops"], Names(groups["unchanged"]));
        Assert.Equal("alpacon", (string?)groups["skipped"]![0]!["group"]);
        Assert.Empty(groups["failed"]!.AsArray());
        // Only groups were given: no PATCH of the user.
        Assert.Empty(Since(before, "PATCH", $"/api/iam/users/{id}/"));
        Assert.Single(Journal.Entries, e => e.At >= before && e.Method == "DELETE" && e.Path.StartsWith("/api/iam/memberships/", StringComparison.Ordinal));
        Assert.Equal(IamSeed.GroupId("dba"), (string?)Sent(Assert.Single(Since(before, "POST", "/api/iam/memberships/")))["group"]);

        var after = Success(await c.CallAsync("iam_user_get", new() { ["user_id"] = id }))["data"]!["groups"]!.AsArray();
        Assert.Equal(["alpacon", "dba", "ops"], after.Select(g => (string?)g!["group"]).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task IamUserUpdate_EmptyGroups_LeavesOnlyTheDefaultGroup()
    {
        await using var c = await ConnectAsync(emulator);
        var id = await CreateUserAsync(c, Unique("empty"), "ops");
        var data = Success(await c.CallAsync("iam_user_update", new() { ["user_id"] = id, ["groups"] = Array.Empty<string>() }))["data"]!;

        Assert.Equal(["ops"], Names(data["groups"]!["removed"]));
        var after = Success(await c.CallAsync("iam_user_get", new() { ["user_id"] = id }))["data"]!["groups"]!.AsArray();
        Assert.Equal("alpacon", (string?)Assert.Single(after)!["group"]);
    }

    [Fact]
    public async Task IamUserUpdate_NothingGiven_IsRefused()
    {
        await using var c = await ConnectAsync(emulator);
        var body = Error(await c.CallAsync("iam_user_update", new() { ["user_id"] = Bo }));
        Assert.Contains("Nothing to update", (string?)body["message"]);
    }

    // ---- groups ----

    [Theory]
    [InlineData("Senior Developers")]
    [InlineData("ops!")]
    [InlineData("Ops")]
    public async Task IamGroupCreate_InvalidName_IsRefusedBeforeTheRequest(string name)
    {
        await using var c = await ConnectAsync(emulator);
        var before = Journal.Elapsed;
        var body = Error(await c.CallAsync("iam_group_create", new() { ["name"] = name }));

        Assert.Contains("lowercase", (string?)body["message"]);
        Assert.Empty(Since(before, "POST", "/api/iam/groups/"));
    }

    [Fact]
    public async Task IamGroupCreate_AssignsServers_AndIgnoresPermissionsWithANote()
    {
        await using var c = await ConnectAsync(emulator);
        var name = Unique("senior-devs-");
        var web01 = Seed.ServerId("web-01");
        var before = Journal.Elapsed;
        var data = Success(await c.CallAsync("iam_group_create", new()
        {
            ["name"] = name,
            ["description"] = "Senior developers",
            ["permissions"] = new[] { "deploy-staging", "read-prod-logs" },
            ["servers"] = new[] { web01 },
        }))["data"]!;

        Assert.Equal(name, (string?)data["group"]!["name"]);
        Assert.Equal("web-01", (string?)data["group"]!["servers"]![0]!["name"]);
        Assert.Equal(["deploy-staging", "read-prod-logs"], Names(data["permissions_ignored"]));
        Assert.Contains("no permissions", (string?)data["note"]);
        var post = Sent(Assert.Single(Since(before, "POST", "/api/iam/groups/")));
        Assert.False(post.ContainsKey("permissions"));
        Assert.Equal(web01, (string?)post["servers"]![0]);
        Assert.Equal("Senior developers", (string?)post["description"]);
    }

    // ---- roles and permissions ----

    [Fact]
    public async Task IamRolesList_ReturnsTheRealRoleModel()
    {
        await using var c = await ConnectAsync(emulator);
        var before = Journal.Elapsed;
        var data = Success(await c.CallAsync("iam_roles_list", new() { ["page_size"] = 100 }))["data"]!;

        var ids = data["results"]!.AsArray().Select(r => (string?)r!["id"]).ToList();
        Assert.Contains("workspace:user", ids);
        Assert.Contains("workspace:staff", ids);
        Assert.Contains("workspace:superuser", ids);
        Assert.Contains("group:developers:member", ids);
        Assert.Contains("group:developers:manager", ids);
        Assert.Contains("group:dba:owner", ids);
        Assert.Null(data["next"]);
        var alpacon = data["results"]!.AsArray().First(r => (string?)r!["id"] == "group:alpacon:member")!;
        Assert.False((bool)alpacon["assignable"]!);
        Assert.NotNull(data["model"]!["group:<group>:manager"]);
        Assert.Contains("no role", (string?)data["note"]);
        Assert.NotEmpty(Since(before, "GET", "/api/iam/groups/"));
        Assert.DoesNotContain(Journal.Entries, e => e.At >= before && e.Path.StartsWith("/api/iam/roles", StringComparison.Ordinal));

        var paged = Success(await c.CallAsync("iam_roles_list", new() { ["page"] = 2, ["page_size"] = 4 }))["data"]!;
        Assert.Equal(4, paged["results"]!.AsArray().Count);
        Assert.Equal(3, (int?)paged["next"]);
        Assert.Equal((int)data["count"]!, (int)paged["count"]!);
    }

    [Fact]
    public async Task IamRolesListed_ThenAssigned_ThroughMembershipsAndFlags()
    {
        await using var c = await ConnectAsync(emulator);
        var id = await CreateUserAsync(c, Unique("roles"));
        var roles = Success(await c.CallAsync("iam_roles_list", new() { ["page_size"] = 100 }))["data"]!["results"]!.AsArray();
        var manager = (string)roles.First(r => (string?)r!["id"] == "group:dba:manager")!["id"]!;

        // A new membership with the role.
        var before = Journal.Elapsed;
        var added = Success(await c.CallAsync("iam_user_assign_role", new() { ["user_id"] = id, ["role_id"] = manager }))["data"]!;
        Assert.Contains("added", (string?)added["applied"]);
        Assert.Equal("manager", (string?)added["membership"]!["role"]);
        var post = Sent(Assert.Single(Since(before, "POST", "/api/iam/memberships/")));
        Assert.Equal(IamSeed.GroupId("dba"), (string?)post["group"]);
        Assert.Equal("manager", (string?)post["role"]);

        // The same role again: nothing is sent.
        before = Journal.Elapsed;
        var again = Success(await c.CallAsync("iam_user_assign_role", new() { ["user_id"] = id, ["role_id"] = manager }))["data"]!;
        Assert.StartsWith("none", (string?)again["applied"]);
        Assert.DoesNotContain(Journal.Entries, e => e.At >= before && e.Method != "GET");

        // Another role in the same group changes the existing membership.
        before = Journal.Elapsed;
        var owner = Success(await c.CallAsync("iam_user_assign_role", new() { ["user_id"] = id, ["role_id"] = "group:dba:owner" }))["data"]!;
        Assert.Contains("from manager to owner", (string?)owner["applied"]);
        var patch = Assert.Single(Journal.Entries, e => e.At >= before && e.Method == "PATCH");
        Assert.StartsWith("/api/iam/memberships/", patch.Path, StringComparison.Ordinal);
        Assert.Equal("owner", (string?)Sent(patch)["role"]);

        // A workspace role sets the user's flags.
        before = Journal.Elapsed;
        var staff = Success(await c.CallAsync("iam_user_assign_role", new() { ["user_id"] = id, ["role_id"] = "workspace:staff" }))["data"]!;
        Assert.Contains("is_staff=true", (string?)staff["applied"]);
        var flags = Sent(Assert.Single(Since(before, "PATCH", $"/api/iam/users/{id}/")));
        Assert.True((bool)flags["is_staff"]!);
        Assert.False((bool)flags["is_superuser"]!);

        var access = Success(await c.CallAsync("iam_user_permissions_get", new() { ["user_id"] = id }))["data"]!;
        Assert.Contains("group:dba:owner", Names(access["effective_permissions"]));
        Assert.Contains("workspace:staff", Names(access["effective_permissions"]));
    }

    [Theory]
    [InlineData("admin-role")]
    [InlineData("group:dba:admin")]
    [InlineData("workspace:root")]
    [InlineData("group::member")]
    public async Task IamUserAssignRole_UnknownRoleId_IsRefusedWithHint(string roleId)
    {
        await using var c = await ConnectAsync(emulator);
        var before = Journal.Elapsed;
        var body = Error(await c.CallAsync("iam_user_assign_role", new() { ["user_id"] = Bo, ["role_id"] = roleId }));
        Assert.Contains("iam_roles_list", (string?)body["hint"]);
        Assert.DoesNotContain(Journal.Entries, e => e.At >= before);
    }

    [Fact]
    public async Task IamUserAssignRole_DefaultGroup_IsTheApisRefusal()
    {
        await using var c = await ConnectAsync(emulator);
        var id = await CreateUserAsync(c, Unique("dflt"));
        var body = Error(await c.CallAsync("iam_user_assign_role", new() { ["user_id"] = id, ["role_id"] = "group:alpacon:manager" }));
        Assert.Equal(400, (int?)body["status_code"]);
        Assert.Contains("default group", (string?)body["message"]);
    }

    [Fact]
    public async Task IamPermissionsList_IsTheTokenScopeCatalogue()
    {
        await using var c = await ConnectAsync(emulator);
        var before = Journal.Elapsed;
        var data = Success(await c.CallAsync("iam_permissions_list", new() { ["page_size"] = 100 }))["data"]!;

        var read = data["results"]!.AsArray().Single(p => (string?)p!["id"] == "server:read")!;
        Assert.Equal("server", (string?)read["resource"]);
        Assert.Equal("read", (string?)read["action"]);
        Assert.Contains("server", Names(read["acl"]));
        Assert.Contains(data["results"]!.AsArray(), p => (string?)p!["id"] == "command:create");
        Assert.Contains("*", Names(data["wildcards"]));
        Assert.Contains("token scopes", (string?)data["note"]);
        Assert.Single(Since(before, "GET", "/api/auth/tokens/scopes/"));
        Assert.DoesNotContain(Journal.Entries, e => e.At >= before && e.Path.StartsWith("/api/iam/permissions", StringComparison.Ordinal));
    }

    [Fact]
    public async Task IamUserPermissionsGet_ComputesDirectGroupAndEffectiveAccess()
    {
        await using var c = await ConnectAsync(emulator);
        var before = Journal.Elapsed;
        var data = Success(await c.CallAsync("iam_user_permissions_get", new() { ["user_id"] = Bo }))["data"]!;

        Assert.Empty(data["direct_permissions"]!.AsArray());
        var groups = data["group_permissions"]!.AsArray();
        var ops = groups.Single(g => (string?)g!["group"] == "ops")!;
        Assert.Equal("member", (string?)ops["role"]);
        Assert.Equal(18, ops["servers"]!.AsArray().Count);
        Assert.Equal(5, groups.Single(g => (string?)g!["group"] == "developers")!["servers"]!.AsArray().Count);

        var access = data["effective_access"]!;
        Assert.False((bool)access["all_servers"]!);
        Assert.False((bool)access["administers_iam"]!);
        // ops (18) and developers (5) share api-01..03.
        Assert.Equal(20, (int)access["server_count_via_groups"]!);
        var api01 = access["servers_via_groups"]!.AsArray().Single(s => (string?)s!["name"] == "api-01")!;
        Assert.Equal(["developers", "ops"], Names(api01["via"]).Order(StringComparer.Ordinal));
        Assert.DoesNotContain(access["servers_via_groups"]!.AsArray(), s => (string?)s!["name"] == "db-01");
        Assert.Contains("workspace:user", Names(data["effective_permissions"]));
        Assert.Contains("group:ops:member", Names(data["effective_permissions"]));
        Assert.Contains("20 server(s)", (string?)data["summary"]);

        Assert.Single(Since(before, "GET", $"/api/iam/users/{Bo}/"));
        Assert.Equal(Bo, Since(before, "GET", "/api/iam/memberships/").Single().QueryValue("user"));
        Assert.Single(Since(before, "GET", $"/api/iam/groups/{IamSeed.GroupId("ops")}/"));
    }

    [Fact]
    public async Task IamUserPermissionsGet_AGroupThatCannotBeRead_CostsOnlyItsServers()
    {
        await using var c = await ConnectAsync(emulator);
        using var broken = emulator.Emulator.Faults.Add(new FaultRule(FaultKind.ServerError, $"/api/iam/groups/{IamSeed.GroupId("developers")}/") { Status = 404 });
        var data = Success(await c.CallAsync("iam_user_permissions_get", new() { ["user_id"] = Bo }))["data"]!;

        var groups = data["group_permissions"]!.AsArray();
        var developers = groups.Single(g => (string?)g!["group"] == "developers")!;
        Assert.Null(developers["servers"]);
        Assert.Equal(404, (int)developers["servers_error"]!["status_code"]!);
        Assert.Equal(18, groups.Single(g => (string?)g!["group"] == "ops")!["servers"]!.AsArray().Count);
        Assert.Equal(18, (int)data["effective_access"]!["server_count_via_groups"]!);
        Assert.Contains("1 group(s) could not be read", (string?)data["incomplete"]);
        Assert.Contains("developers (member, unknown servers)", (string?)data["summary"]);
    }

    [Fact]
    public async Task IamUserPermissionsGet_StaffReachEveryServer()
    {
        await using var c = await ConnectAsync(emulator);
        var data = Success(await c.CallAsync("iam_user_permissions_get", new() { ["user_id"] = Jane }))["data"]!;

        Assert.Equal(["workspace:superuser", "workspace:staff"], data["direct_permissions"]!.AsArray().Select(p => (string?)p!["id"]));
        Assert.True((bool)data["effective_access"]!["all_servers"]!);
        Assert.True((bool)data["effective_access"]!["administers_iam"]!);
        Assert.Contains("ops", Names(data["effective_access"]!["manages_groups"]));
        Assert.Contains("every server", (string?)data["summary"]);
    }
}
