using System.Globalization;
using System.Text.Json.Nodes;
using Alpacon.Emulator.Core;

namespace Alpacon.Emulator.Events;

/// <summary>One entry of a server's event history (<c>/api/events/events/</c>).</summary>
public sealed record EventRecord(string Id, Server Server, string Reporter, string Record, string Description, DateTimeOffset AddedAt, int Count = 1, JsonObject? Data = null)
{
    public JsonObject ToJson() => new()
    {
        ["id"] = Id,
        ["server"] = Server.Summary(),
        ["reporter"] = Reporter,
        ["record"] = Record,
        ["description"] = Description,
        ["count"] = Count,
        ["data"] = Data?.DeepClone(),
        ["added_at"] = Api.Iso(AddedAt),
        ["updated_at"] = Api.Iso(AddedAt),
    };
}

/// <summary>
/// The event history of every server: a deterministic seeded past (agent starts, reboots, package upgrades,
/// logins, alerts, disconnections) plus what happens while the emulator runs (commands and their outcomes).
/// </summary>
public sealed class EventLog
{
    private static readonly string[] Logins = ["jane", "bo", "sam", "alex", "deploy-bot"];
    private static readonly (string Name, string From, string To)[] Debs =
    [
        ("openssl", "3.0.2-0ubuntu1.14", "3.0.2-0ubuntu1.15"), ("libc6", "2.35-0ubuntu3.6", "2.35-0ubuntu3.7"),
        ("openssh-server", "1:8.9p1-3ubuntu0.6", "1:8.9p1-3ubuntu0.7"), ("nginx", "1.18.0-6ubuntu14.4", "1.18.0-6ubuntu14.5"),
        ("curl", "7.81.0-1ubuntu1.15", "7.81.0-1ubuntu1.16"), ("tzdata", "2024a-0ubuntu0.22.04", "2024b-0ubuntu0.22.04"),
    ];
    private static readonly (string Name, string From, string To)[] Rpms =
    [
        ("openssl", "3.0.7-25.el9_3", "3.0.7-27.el9"), ("glibc", "2.34-83.el9_3.7", "2.34-100.el9"),
        ("kernel", "5.14.0-362.18.1.el9_3", "5.14.0-427.13.1.el9_4"), ("postgresql-server", "15.6-1.el9", "15.7-1.el9"),
    ];

    private readonly Lock gate = new();
    private readonly List<EventRecord> events = [];
    private readonly World world;

    public EventLog(World world)
    {
        this.world = world;
        List<Server> servers;
        lock (world.Gate)
            servers = [.. world.Servers];
        foreach (var server in servers)
            events.AddRange(History(server));
    }

    /// <summary>Every event, newest first.</summary>
    public IReadOnlyList<EventRecord> All()
    {
        lock (gate)
            return [.. events.OrderByDescending(e => e.AddedAt).ThenBy(e => e.Id, StringComparer.Ordinal)];
    }

    public EventRecord? Find(string id)
    {
        lock (gate)
            return events.Find(e => e.Id == id);
    }

    /// <summary>Records something that happened now on <paramref name="server"/>.</summary>
    public EventRecord Record(Server server, string reporter, string record, string description, JsonObject? data = null)
    {
        var e = new EventRecord(Ids.New(), server, reporter, record, description, world.Now, Data: data);
        lock (gate)
            events.Add(e);
        return e;
    }

    private static IEnumerable<EventRecord> History(Server server)
    {
        var random = new Random(int.Parse(Ids.For("events", server.Name)[..8], NumberStyles.HexNumber, CultureInfo.InvariantCulture) & 0x7fffffff);
        var n = 0;
        EventRecord E(DateTimeOffset at, string reporter, string record, string description) =>
            new(Ids.For("event", $"{server.Name}/{n++}"), server, reporter, record, description, at);
        var redHat = server.PlatformLike.Contains("rhel", StringComparison.Ordinal) || server.Platform is "amzn";
        var boot = server.BootTime;

        yield return E(server.AddedAt, "alpacon", "registered", $"Server {server.Name} registered ({server.OsLabel})");
        yield return E(boot.AddMinutes(-2), "alpamon", "reboot", "System reboot requested by root (kernel update)");
        yield return E(boot.AddSeconds(40), "alpamon", "started", "Alpamon 2.3.1 started");
        var packages = redHat ? Rpms : Debs;
        var manager = redHat ? "dnf" : "apt";
        for (var i = 0; i < 3; i++)
        {
            var (name, from, to) = packages[random.Next(packages.Length)];
            yield return E(boot.AddDays(1 + i * 6).AddHours(2 + random.Next(3)), manager, "package_upgraded", $"{name} upgraded {from} → {to}");
        }
        for (var i = 0; i < 3; i++)
        {
            var user = Logins[random.Next(Logins.Length)];
            var via = random.Next(3) == 0 ? "webftp" : "websh";
            yield return E(boot.AddDays(2 + i * 5).AddHours(9 + random.Next(8)).AddMinutes(random.Next(60)), "alpacon", "login", $"{user} opened a {via} session as {(user == "deploy-bot" ? "deploy" : user)} from 198.51.100.{10 + random.Next(200)}");
        }
        switch (server.Profile)
        {
            case HostProfile.CpuSpike:
                yield return E(boot.AddDays(20).AddHours(3), "alpacon", "alert", "CPU usage above 90% for 10 minutes (94.2%)");
                yield return E(boot.AddDays(20).AddHours(4), "alpacon", "alert_resolved", "CPU usage back below 90% (41.7%)");
                yield return E(boot.AddDays(24).AddHours(14), "alpacon", "alert", "CPU usage above 90% for 10 minutes (97.8%)");
                break;
            case HostProfile.DiskNearlyFull:
                yield return E(boot.AddDays(18).AddHours(1), "alpacon", "alert", "Disk usage of / above 85% (86.1%)");
                yield return E(boot.AddDays(25).AddHours(6), "alpacon", "alert", "Disk usage of / above 90% (93.4%)");
                break;
        }
        if (!server.IsConnected)
            yield return E(boot.AddDays(26).AddHours(23).AddMinutes(random.Next(60)), "alpacon", "disconnected", "Agent disconnected: no heartbeat for 5 minutes");
    }
}
