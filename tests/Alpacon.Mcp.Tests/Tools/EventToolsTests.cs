using Alpacon.Emulator.Core;
using Alpacon.Mcp.Tests.Infrastructure;
using static Alpacon.Mcp.Tests.Infrastructure.McpHarness;

namespace Alpacon.Mcp.Tests.Tools;

[Collection(EmulatorCollection.Name)]
public sealed class EventToolsTests(EmulatorFixture emulator)
{
    private const string Path = "/api/events/events/";
    private static readonly string Db01 = Seed.ServerId("db-01");
    private static readonly string Build01 = Seed.ServerId("build-01");

    private IReadOnlyList<JournalEntry> Since(TimeSpan before, string path) =>
        [.. emulator.Emulator.Journal.Matching("GET", path).Where(e => e.At >= before && e.Path == path)];

    [Fact]
    public async Task ListEvents_OfOneServer_NewestFirst_WithTheSeededHistory()
    {
        await using var c = await ConnectAsync(emulator);
        var before = emulator.Emulator.Journal.Elapsed;
        var data = Success(await c.CallAsync("list_events", new() { ["server_id"] = Db01 }))["data"]!;

        var events = data["events"]!.AsArray();
        Assert.All(events, e => Assert.Equal("db-01", (string?)e!["server"]));
        Assert.Contains(events, e => (string?)e!["record"] == "alert" && ((string)e["description"]!).Contains("Disk usage", StringComparison.Ordinal));
        Assert.Contains(events, e => (string?)e!["record"] == "package_upgraded" && (string?)e["reporter"] == "dnf");
        var times = events.Select(e => DateTimeOffset.Parse((string)e!["added_at"]!, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(times.OrderDescending(), times);
        var get = Assert.Single(Since(before, Path));
        Assert.Equal(Db01, get.QueryValue("server"));
        Assert.Equal("-added_at", get.QueryValue("ordering"));
        Assert.Equal("50", get.QueryValue("page_size"));
    }

    [Fact]
    public async Task ListEvents_ByReporter_WithALimit_SaysHowManyMatched()
    {
        await using var c = await ConnectAsync(emulator);
        var before = emulator.Emulator.Journal.Elapsed;
        var data = Success(await c.CallAsync("list_events", new() { ["reporter"] = "alpamon", ["limit"] = 5 }))["data"]!;

        Assert.Equal(5, (int?)data["returned"]);
        Assert.True((int)data["total"]! >= 48); // every server has started and rebooted
        Assert.All(data["events"]!.AsArray(), e => Assert.Equal("alpamon", (string?)e!["reporter"]));
        Assert.Contains("raise limit", (string?)data["note"]);
        Assert.Equal("alpamon", Assert.Single(Since(before, Path)).QueryValue("reporter"));
    }

    [Fact]
    public async Task SearchEvents_FindsByText_AndGetEvent_ReadsOne()
    {
        await using var c = await ConnectAsync(emulator);
        var before = emulator.Emulator.Journal.Elapsed;
        var data = Success(await c.CallAsync("search_events", new() { ["search_query"] = "CPU usage", ["server_id"] = Build01 }))["data"]!;

        var events = data["events"]!.AsArray();
        Assert.Equal(3, events.Count);
        Assert.All(events, e => Assert.Contains("CPU usage", (string?)e!["description"]));
        var search = Assert.Single(Since(before, Path));
        Assert.Equal("CPU usage", search.QueryValue("search"));
        Assert.Equal(Build01, search.QueryValue("server"));
        Assert.Equal("20", search.QueryValue("page_size"));

        var id = (string)events[0]!["id"]!;
        var one = Success(await c.CallAsync("get_event", new() { ["event_id"] = id }))["data"]!;
        Assert.Equal(id, (string?)one["id"]);
        Assert.Equal("build-01", (string?)one["server"]!["name"]);
        Assert.Single(Since(before, $"{Path}{id}/"));
    }

    [Fact]
    public async Task Events_RecordCommandsAsTheyHappen()
    {
        await using var c = await ConnectAsync(emulator);
        Success(await c.CallAsync("execute_command", new() { ["server_id"] = Db01, ["command"] = "echo recorded-event" }));
        var data = Success(await c.CallAsync("search_events", new() { ["search_query"] = "recorded-event" }))["data"]!;

        var e = Assert.Single(data["events"]!.AsArray());
        Assert.Equal("command", (string?)e!["record"]);
        Assert.Contains("succeeded (exit 0)", (string?)e["description"]);
    }

    [Fact]
    public async Task GetEvent_UnknownOrMalformedId_FailsWithAHint()
    {
        await using var c = await ConnectAsync(emulator);
        var missing = Error(await c.CallAsync("get_event", new() { ["event_id"] = Guid.NewGuid().ToString() }));
        var malformed = Error(await c.CallAsync("get_event", new() { ["event_id"] = "42" }));

        Assert.Equal(404, (int?)missing["status_code"]);
        Assert.Contains("UUID", (string?)malformed["message"]);
    }
}
