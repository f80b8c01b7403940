using System.Text.Json.Nodes;
using Alpacon.Emulator.Core;
using Alpacon.Mcp.Tests.Infrastructure;
using static Alpacon.Mcp.Tests.Infrastructure.McpHarness;

namespace Alpacon.Mcp.Tests.Tools;

[Collection(EmulatorCollection.Name)]
public sealed class SystemInfoToolsTests(EmulatorFixture emulator)
{
    private static readonly string Web01 = Seed.ServerId("web-01");
    private static readonly string Db01 = Seed.ServerId("db-01");
    private static readonly string Build01 = Seed.ServerId("build-01");
    private static readonly string Lb02 = Seed.ServerId("lb-02");

    private IEnumerable<JournalEntry> Since(TimeSpan before, string path) =>
        emulator.Emulator.Journal.Entries.Where(e => e.At >= before && e.Method == "GET" && e.Path == path);

    [Fact]
    public async Task GetSystemInfo_ReadsTheLatestRecord_WithReadableMemory()
    {
        await using var c = await ConnectAsync(emulator);
        var before = emulator.Emulator.Journal.Elapsed;
        var body = Success(await c.CallAsync("get_system_info", new() { ["server_id"] = Db01 }));

        Assert.Equal(Db01, Assert.Single(Since(before, "/api/proc/info/")).QueryValue("server"));
        var data = body["data"]!;
        Assert.Equal("db-01", (string?)data["hostname"]);
        Assert.Equal(8, (int?)data["cpu_logical_cores"]);
        Assert.Equal("64.0 GiB", (string?)data["physical_memory_readable"]);
        Assert.Equal("Amazon EC2", (string?)data["hardware_vendor"]);
        Assert.Equal(Db01, (string?)body["server_id"]);
    }

    [Fact]
    public async Task GetOsVersion_AndGetSystemTime_ReadTheirCollections()
    {
        await using var c = await ConnectAsync(emulator);
        var before = emulator.Emulator.Journal.Elapsed;
        var os = Success(await c.CallAsync("get_os_version", new() { ["server_id"] = Db01 }))["data"]!;
        var time = Success(await c.CallAsync("get_system_time", new() { ["server_id"] = Web01 }))["data"]!;

        Assert.Equal(Db01, Assert.Single(Since(before, "/api/proc/os/")).QueryValue("server"));
        Assert.Equal(Web01, Assert.Single(Since(before, "/api/proc/time/")).QueryValue("server"));
        Assert.Equal("Rocky Linux", (string?)os["name"]);
        Assert.Equal(9, (int?)os["major"]);
        Assert.Equal("rhel centos fedora", (string?)os["platform_like"]);
        Assert.Equal("Asia/Seoul", (string?)time["timezone"]);
        Assert.EndsWith("+09:00", (string?)time["datetime"]);
        Assert.True((long)time["uptime"]! > 86_400);
        Assert.Matches(@"^\d+ d \d+ h \d+ min$", (string?)time["uptime_readable"]);
    }

    [Fact]
    public async Task ListSystemUsers_LoginEnabledOnly_KeepsOnlyLoginShells_EvenWhenTheApiIgnoresTheFilter()
    {
        await using var c = await ConnectAsync(emulator);
        var before = emulator.Emulator.Journal.Elapsed;
        var all = Success(await c.CallAsync("list_system_users", new() { ["server_id"] = Web01 }))["data"]!.AsArray();
        var login = Success(await c.CallAsync("list_system_users", new() { ["server_id"] = Web01, ["login_enabled_only"] = true }))["data"]!.AsArray();

        var requests = Since(before, "/api/proc/users/").ToList();
        Assert.Equal(2, requests.Count);
        Assert.Null(requests[0].QueryValue("login_enabled"));
        Assert.Equal("true", requests[1].QueryValue("login_enabled"));
        Assert.Equal(Web01, requests[1].QueryValue("server"));

        Assert.Contains(all, u => (string?)u!["shell"] == "/usr/sbin/nologin");
        Assert.Contains(all, u => (string?)u!["username"] == "sync" && (bool?)u["login_enabled"] == false);
        Assert.True(login.Count < all.Count);
        Assert.All(login, u => Assert.True((bool)u!["login_enabled"]!));
        Assert.DoesNotContain(login, u => ((string?)u!["shell"])!.EndsWith("nologin", StringComparison.Ordinal) || ((string?)u["shell"])!.EndsWith("false", StringComparison.Ordinal));
        // Other tests in the shared emulator create IAM users, which get accounts on their groups' servers;
        // the seeded login users come first and the filter must keep exactly the login-enabled ones.
        Assert.Equal(["root", "ubuntu", "jane", "bo", "mina", "alex", "sam", "deploy-bot"], login.Select(u => (string?)u!["username"]).Take(8));
        Assert.Equal(all.Where(u => (bool)u!["login_enabled"]!).Select(u => (string?)u!["username"]), login.Select(u => (string?)u!["username"]));
    }

    [Fact]
    public async Task ListSystemUsers_AndGroups_PassTheFilterAsSearch()
    {
        await using var c = await ConnectAsync(emulator);
        var before = emulator.Emulator.Journal.Elapsed;
        var users = Success(await c.CallAsync("list_system_users", new() { ["server_id"] = Db01, ["username_filter"] = "postgres" }))["data"]!.AsArray();
        var groups = Success(await c.CallAsync("list_system_groups", new() { ["server_id"] = Build01, ["groupname_filter"] = "dock" }))["data"]!.AsArray();

        Assert.Equal("postgres", Assert.Single(Since(before, "/api/proc/users/")).QueryValue("search"));
        Assert.Equal("dock", Assert.Single(Since(before, "/api/proc/groups/")).QueryValue("search"));
        Assert.Equal("/var/lib/pgsql", (string?)Assert.Single(users)!["directory"]);
        Assert.Equal("docker", (string?)Assert.Single(groups)!["groupname"]);
    }

    [Fact]
    public async Task ListSystemPackages_LimitAbove100_WalksPages()
    {
        await using var c = await ConnectAsync(emulator);
        var before = emulator.Emulator.Journal.Elapsed;
        var data = Success(await c.CallAsync("list_system_packages", new() { ["server_id"] = Build01, ["limit"] = 250 }))["data"]!;

        var requests = Since(before, "/api/proc/packages/").ToList();
        Assert.Equal(["1", "2", "3"], requests.Select(r => r.QueryValue("page")));
        Assert.All(requests, r => Assert.Equal("100", r.QueryValue("page_size")));
        Assert.All(requests, r => Assert.Equal(Build01, r.QueryValue("server")));
        var packages = data["packages"]!.AsArray();
        Assert.Equal(250, packages.Count);
        Assert.Equal(250, packages.Select(p => (string?)p!["name"]).Distinct().Count());
        Assert.Equal(250, (int?)data["returned"]);
        Assert.Equal(912, (int?)data["total"]);
        Assert.True((bool)data["truncated"]!);
        Assert.Contains("912 packages matched", (string?)data["note"]);
        Assert.Null(packages[0]!["id"]);
        Assert.NotNull(packages[0]!["version"]);
    }

    [Fact]
    public async Task ListSystemPackages_Default_IsOnePageOf100_WithFilters()
    {
        await using var c = await ConnectAsync(emulator);
        var before = emulator.Emulator.Journal.Elapsed;
        var small = Success(await c.CallAsync("list_system_packages", new() { ["server_id"] = Lb02 }))["data"]!;
        var filtered = Success(await c.CallAsync("list_system_packages", new() { ["server_id"] = Db01, ["package_name"] = "openssl", ["architecture"] = "x86_64" }))["data"]!;

        var requests = Since(before, "/api/proc/packages/").ToList();
        Assert.Equal(2, requests.Count);
        Assert.Equal("100", requests[0].QueryValue("page_size"));
        Assert.Equal("openssl", requests[1].QueryValue("search"));
        Assert.Equal("x86_64", requests[1].QueryValue("arch"));
        Assert.Equal(86, (int?)small["total"]);
        Assert.False((bool)small["truncated"]!);
        Assert.Null(small["note"]);
        var names = filtered["packages"]!.AsArray().Select(p => (string?)p!["name"]).ToList();
        Assert.Contains("openssl", names);
        Assert.All(filtered["packages"]!.AsArray(), p => Assert.Equal("x86_64", (string?)p!["arch"]));
    }

    [Fact]
    public async Task ListSystemPackages_LimitOutOfRange_IsRefused()
    {
        await using var c = await ConnectAsync(emulator);
        var body = Error(await c.CallAsync("list_system_packages", new() { ["server_id"] = Web01, ["limit"] = 0 }));
        Assert.Contains("'limit'", (string?)body["message"]);
    }

    [Fact]
    public async Task GetNetworkInterfaces_ListsEveryInterface_LoopbackIncluded()
    {
        await using var c = await ConnectAsync(emulator);
        var before = emulator.Emulator.Journal.Elapsed;
        var nics = Success(await c.CallAsync("get_network_interfaces", new() { ["server_id"] = Build01 }))["data"]!.AsArray();

        Assert.Equal(Build01, Assert.Single(Since(before, "/api/proc/interfaces/")).QueryValue("server"));
        Assert.Equal(["lo", "ens5", "docker0"], nics.Select(n => (string?)n!["name"]));
        Assert.True((bool)nics[0]!["is_loopback"]!);
        Assert.Equal("10.0.", ((string?)nics[1]!["addresses"]![0]!["address"])![..5]);
    }

    [Fact]
    public async Task GetDiskInfo_ReturnsDisksAndPartitionsTogether()
    {
        await using var c = await ConnectAsync(emulator);
        var before = emulator.Emulator.Journal.Elapsed;
        var data = Success(await c.CallAsync("get_disk_info", new() { ["server_id"] = Db01 }))["data"]!;

        Assert.Equal(Db01, Assert.Single(Since(before, "/api/proc/disks/")).QueryValue("server"));
        Assert.Equal(Db01, Assert.Single(Since(before, "/api/proc/partitions/")).QueryValue("server"));
        Assert.Equal("/dev/nvme0n1", (string?)Assert.Single(data["disks"]!.AsArray())!["name"]);
        var partitions = data["partitions"]!.AsArray();
        Assert.Equal(3, partitions.Count);
        Assert.Contains(partitions, p => (string?)p!["name"] == "/dev/nvme0n1p4" && (string?)p["mount_points"]![0] == "/" && (string?)p["fs_type"] == "xfs");
    }

    [Fact]
    public async Task GetDiskInfo_OneCallFails_TheToolFails()
    {
        await using var proxy = await FaultProxy.StartAsync(emulator.BaseUrl, "/api/proc/partitions/", 403, """{"detail":"You do not have permission to perform this action."}""");
        await using var c = await ConnectAsync(emulator, extraEnv: new Dictionary<string, string> { ["ALPACON_MCP_AP1_ACME_URL"] = proxy.BaseUrl.AbsoluteUri });
        var body = Error(await c.CallAsync("get_disk_info", new() { ["server_id"] = Db01 }));
        Assert.Equal(403, (int?)body["status_code"]);
    }

    [Fact]
    public async Task GetServerOverview_FetchesEveryPart()
    {
        await using var c = await ConnectAsync(emulator);
        var before = emulator.Emulator.Journal.Elapsed;
        var data = Success(await c.CallAsync("get_server_overview", new() { ["server_id"] = Web01 }))["data"]!;

        foreach (var kind in new[] { "info", "os", "time", "interfaces", "disks", "partitions" })
            Assert.Equal(Web01, Assert.Single(Since(before, $"/api/proc/{kind}/")).QueryValue("server"));
        Assert.Equal("web-01", (string?)data["system_info"]!["hostname"]);
        Assert.Equal("22.04", (string?)data["os"]!["version"]);
        Assert.NotNull(data["time"]!["uptime_readable"]);
        Assert.Equal(2, data["network_interfaces"]!.AsArray().Count);
        Assert.Single(data["disks"]!.AsArray());
        Assert.Equal(3, data["partitions"]!.AsArray().Count);
        Assert.Null(data["errors"]);
    }

    [Fact]
    public async Task GetServerOverview_OnePartFails_TheOthersAreReturnedAndTheFailureIsNamed()
    {
        await using var proxy = await FaultProxy.StartAsync(emulator.BaseUrl, "/api/proc/time/", 500, """{"detail":"A server error occurred."}""");
        await using var c = await ConnectAsync(emulator, extraEnv: new Dictionary<string, string> { ["ALPACON_MCP_AP1_ACME_URL"] = proxy.BaseUrl.AbsoluteUri });
        var body = Success(await c.CallAsync("get_server_overview", new() { ["server_id"] = Web01 }));

        var data = body["data"]!;
        Assert.Null(data["time"]);
        var error = data["errors"]!["time"]!;
        Assert.Equal(500, (int?)error["status_code"]);
        Assert.Contains("/api/proc/time/", (string?)error["message"]);
        Assert.Contains("Retry later", (string?)error["hint"]);
        Assert.Equal("web-01", (string?)data["system_info"]!["hostname"]);
        Assert.NotNull(data["os"]);
        Assert.NotNull(data["network_interfaces"]);
        Assert.NotNull(data["disks"]);
        Assert.NotNull(data["partitions"]);
    }

    [Fact]
    public async Task GetServerOverview_EveryPartFails_IsAnError()
    {
        await using var c = await ConnectAsync(emulator);
        var body = Error(await c.CallAsync("get_server_overview", new() { ["server_id"] = "00000000-0000-4000-8000-000000000000" }));
        Assert.Equal(400, (int?)body["status_code"]);
        Assert.Contains("server", (string?)body["message"]);
    }
}
