using System.Net;
using System.Text.Json.Nodes;
using Alpacon.Api.Configuration;
using Alpacon.Api.Http;
using Alpacon.Api.Metrics;
using Alpacon.Api.SystemInfo;

namespace Alpacon.Api.Tests;

public class MetricsAndSystemInfoClientTests
{
    private static readonly WorkspaceTarget Target = new("ap1", "acme", new Uri("https://acme.ap1.alpacon.io"), "alpat-TESTTOKEN1234", TokenSource.File, false);
    private static readonly DateTimeOffset Start = new(2026, 5, 1, 9, 0, 0, TimeSpan.FromHours(9));

    private static (AlpaconHttp Http, StubHandler Stub) Create()
    {
        var stub = new StubHandler();
        var options = new AlpaconApiOptions { BaseBackoff = TimeSpan.FromMilliseconds(1), MaxBackoff = TimeSpan.FromMilliseconds(2) };
        return (new AlpaconHttp(new HttpClient(new ResilienceHandler(options) { InnerHandler = stub })), stub);
    }

    [Fact]
    public async Task Series_SendsServerAndStartInUtc_AndEndOnlyWhenGiven()
    {
        var (http, stub) = Create();
        stub.Respond(HttpStatusCode.OK, """[{"timestamp":"2026-05-01T00:00:00Z","usage":1}]""");
        var metrics = new MetricsClient(http);

        await metrics.CpuAsync(Target, "s1", Start, null);
        await metrics.TrafficAsync(Target, "s1", "eth0", Start, Start.AddHours(1));

        Assert.Equal("/api/metrics/realtime/cpu/?server=s1&start=2026-05-01T00%3A00%3A00Z", stub.Requests[0].Request.RequestUri!.PathAndQuery);
        Assert.Equal("/api/metrics/realtime/traffic/?server=s1&start=2026-05-01T00%3A00%3A00Z&end=2026-05-01T01%3A00%3A00Z&interface=eth0", stub.Requests[1].Request.RequestUri!.PathAndQuery);
    }

    [Fact]
    public async Task Series_InsufficientData_IsAnEmptySeries()
    {
        var (http, stub) = Create();
        stub.Respond(HttpStatusCode.BadRequest, """{"code":"api_insufficient_data"}""");
        Assert.Empty(await new MetricsClient(http).MemoryAsync(Target, "s1", Start, null));
    }

    [Fact]
    public async Task Series_OtherBadRequest_StillFails()
    {
        var (http, stub) = Create();
        stub.Respond(HttpStatusCode.BadRequest, """{"server":["Select a valid choice."]}""");
        var e = await Assert.ThrowsAsync<AlpaconApiException>(() => new MetricsClient(http).CpuAsync(Target, "s1", Start, null));
        Assert.Contains("Select a valid choice", e.Message);
    }

    [Fact]
    public async Task Series_WrappedInResults_IsAcceptedAndDetached()
    {
        var (http, stub) = Create();
        stub.Respond(HttpStatusCode.OK, """{"results":[{"timestamp":"2026-05-01T00:00:00Z","usage":1},{"timestamp":"2026-05-01T00:05:00Z","usage":2}]}""");
        var points = await new MetricsClient(http).CpuAsync(Target, "s1", Start, null);
        Assert.Equal(2, points.Count);
        Assert.Null(points.Parent);
        _ = new JsonObject { ["points"] = points }; // attachable elsewhere
    }

    [Fact]
    public async Task DiskDevices_ReadsTheDevicesList()
    {
        var (http, stub) = Create();
        stub.Respond(HttpStatusCode.OK, """{"devices":["/dev/sda1","/dev/sdb1"]}""");
        Assert.Equal(["/dev/sda1", "/dev/sdb1"], await new MetricsClient(http).DiskDevicesAsync(Target, "s1"));
        Assert.Equal("/api/metrics/realtime/disk-usage/device/?server=s1", stub.Requests[0].Request.RequestUri!.PathAndQuery);
    }

    [Fact]
    public async Task GetListAsync_StopsAtTheLimit_AndReportsTheTotal()
    {
        var (http, stub) = Create();
        stub.Respond(HttpStatusCode.OK, """{"count":250,"current":1,"next":2,"previous":null,"last":3,"results":[""" + string.Join(",", Enumerable.Range(0, 100).Select(i => $"{{\"n\":{i}}}")) + "]}")
            .Respond(HttpStatusCode.OK, """{"count":250,"current":2,"next":3,"previous":1,"last":3,"results":[""" + string.Join(",", Enumerable.Range(100, 100).Select(i => $"{{\"n\":{i}}}")) + "]}");

        var (items, total) = await http.GetListAsync(Target, "/api/proc/packages/", new Query().Add("server", "s1"), limit: 150);

        Assert.Equal(150, items.Count);
        Assert.Equal(250, total);
        Assert.Equal(2, stub.Requests.Count);
    }

    [Fact]
    public async Task Users_LoginEnabledOnly_FiltersByShellWhenTheApiIgnoresTheFilter()
    {
        var (http, stub) = Create();
        stub.Respond(HttpStatusCode.OK, """
            {"count":4,"next":null,"results":[{"username":"root","shell":"/bin/bash"},{"username":"daemon","shell":"/usr/sbin/nologin"},
            {"username":"sync","shell":"/bin/sync"},{"username":"app","shell":"/bin/false"}]}
            """);
        var users = await new SystemInfoClient(http).UsersAsync(Target, "s1", "o", loginEnabledOnly: true);

        Assert.Equal(["root"], users.Select(u => (string?)u!["username"]));
        Assert.Equal("?server=s1&search=o&login_enabled=true&page=1&page_size=100", stub.Requests[0].Request.RequestUri!.Query);
    }

    [Fact]
    public async Task Latest_EmptyCollection_IsANotFoundThatSaysTheAgentHasNotReported()
    {
        var (http, stub) = Create();
        stub.Respond(HttpStatusCode.OK, """{"count":0,"next":null,"results":[]}""");
        var e = await Assert.ThrowsAsync<AlpaconApiException>(() => new SystemInfoClient(http).OsAsync(Target, "s1"));
        Assert.Equal(HttpStatusCode.NotFound, e.StatusCode);
        Assert.Contains("has not reported", e.Message);
        Assert.Equal("?server=s1&page_size=1", stub.Requests[0].Request.RequestUri!.Query);
    }

    [Theory]
    [InlineData("/bin/bash", true)]
    [InlineData("/usr/bin/zsh", true)]
    [InlineData("/usr/sbin/nologin", false)]
    [InlineData("/sbin/nologin", false)]
    [InlineData("/bin/false", false)]
    [InlineData("/usr/bin/false", false)]
    [InlineData("/bin/sync", false)]
    [InlineData("/sbin/shutdown", false)]
    [InlineData("", false)]
    [InlineData(null, false)]
    public void CanLogin_RefusesNoLoginShells(string? shell, bool expected) => Assert.Equal(expected, SystemInfoClient.CanLogin(shell));

    [Fact]
    public void Discovery_PicksTheFirstUpNonLoopbackInterface_AndTheRootPartition()
    {
        var nics = JsonNode.Parse("""
            [{"name":"lo","is_up":true,"is_loopback":true},{"name":"eno1","is_up":false,"is_loopback":false},
             {"name":"eno2","is_up":true,"is_loopback":false},{"name":"eno3","is_up":true,"is_loopback":false}]
            """)!.AsArray();
        var partitions = JsonNode.Parse("""
            [{"name":"/dev/sda1","mount_points":["/boot/efi"]},{"name":"/dev/sda2","mount_points":["/","/var/snap"]}]
            """)!.AsArray();
        Assert.Equal("eno2", SystemInfoClient.DefaultInterface(nics));
        Assert.Equal("/dev/sda2", (string?)SystemInfoClient.RootPartition(partitions)!["name"]);
        Assert.Null(SystemInfoClient.DefaultInterface(JsonNode.Parse("""[{"name":"lo","is_up":true,"is_loopback":true}]""")!.AsArray()));
        Assert.Null(SystemInfoClient.RootPartition([]));
    }
}
