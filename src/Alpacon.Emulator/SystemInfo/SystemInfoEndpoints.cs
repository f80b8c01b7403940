using System.Text.Json.Nodes;
using Alpacon.Emulator.Core;

namespace Alpacon.Emulator.SystemInfo;

/// <summary>
/// <c>/api/proc/*</c>: the inventory agents sync, one paginated collection per kind, filtered by <c>server</c>
/// (all servers without it, as DRF does). <c>info</c>, <c>os</c> and <c>time</c> hold the latest sync per server.
/// </summary>
public static class SystemInfoEndpoints
{
    public static RouteGroupBuilder MapSystemInfo(this RouteGroupBuilder api)
    {
        api.MapGet("/proc/info/", ListInfo);
        api.MapGet("/proc/os/", ListOs);
        api.MapGet("/proc/time/", ListTime);
        api.MapGet("/proc/users/", ListUsers);
        api.MapGet("/proc/groups/", ListGroups);
        api.MapGet("/proc/packages/", ListPackages);
        api.MapGet("/proc/interfaces/", ListInterfaces);
        api.MapGet("/proc/addresses/", ListAddresses);
        api.MapGet("/proc/disks/", ListDisks);
        api.MapGet("/proc/partitions/", ListPartitions);
        return api;
    }

    private static Task ListInfo(HttpContext ctx) => PerServer(ctx, (s, now) => [HostInventory.InfoJson(s, HostInventory.LastReport(s, now))]);

    private static Task ListOs(HttpContext ctx) => PerServer(ctx, (s, now) => [HostInventory.OsJson(s, HostInventory.LastReport(s, now))]);

    private static Task ListTime(HttpContext ctx) => PerServer(ctx, (s, now) => [HostInventory.TimeJson(s, HostInventory.LastReport(s, now))]);

    private static Task ListInterfaces(HttpContext ctx) => PerServer(ctx, (s, _) => HostInventory.InterfaceJson(s));

    private static Task ListDisks(HttpContext ctx) => PerServer(ctx, (s, _) => HostInventory.DiskJson(s));

    private static Task ListPartitions(HttpContext ctx) => PerServer(ctx, (s, _) => HostInventory.PartitionJson(s));

    private static Task ListAddresses(HttpContext ctx) => PerServer(ctx, (s, _) => HostInventory.InterfaceJson(s)
        .SelectMany(i => i["addresses"]!.AsArray().OfType<JsonObject>().Select(a =>
        {
            var copy = (JsonObject)a.DeepClone();
            copy["interface_name"] = i["name"]!.DeepClone();
            return copy;
        })));

    /// <summary>Local accounts. <c>login_enabled</c> is deliberately not implemented: the real filter is unverified, so clients must not rely on it.</summary>
    private static Task ListUsers(HttpContext ctx)
    {
        var search = Api.Query(ctx, "search");
        var iam = IamUsers(ctx);
        return PerServer(ctx, (s, _) => HostInventory.Users(s, iam)
            .Where(u => Api.Matches(search, u.Username, u.Description))
            .Select(u => new JsonObject
            {
                ["id"] = Ids.For("proc-user", $"{s.Id}/{u.Username}"),
                ["uid"] = u.Uid,
                ["gid"] = u.Gid,
                ["username"] = u.Username,
                ["description"] = u.Description,
                ["directory"] = u.Directory,
                ["shell"] = u.Shell,
                ["group"] = u.Group,
                ["iam_user"] = u.IamUser,
                ["iam_group"] = null,
            }));
    }

    private static Task ListGroups(HttpContext ctx)
    {
        var search = Api.Query(ctx, "search");
        var iam = IamUsers(ctx);
        return PerServer(ctx, (s, _) => HostInventory.Groups(s, iam)
            .Where(g => Api.Matches(search, g.Name))
            .Select(g => new JsonObject
            {
                ["id"] = Ids.For("proc-group", $"{s.Id}/{g.Name}"),
                ["gid"] = g.Gid,
                ["groupname"] = g.Name,
                ["iam_group"] = g.IamGroup ? Ids.For("group", g.Name) : null,
            }));
    }

    private static Task ListPackages(HttpContext ctx)
    {
        var search = Api.Query(ctx, "search");
        var name = Api.Query(ctx, "name");
        var arch = Api.Query(ctx, "arch");
        return PerServer(ctx, (s, _) => HostInventory.Packages(s)
            .Where(p => Api.Matches(search, p.Name) && (name is null || p.Name == name) && (arch is null || p.Arch == arch))
            .Select(p => HostInventory.PackageJson(s, p)));
    }

    private static List<User> IamUsers(HttpContext ctx)
    {
        var world = ctx.RequestServices.GetRequiredService<World>();
        lock (world.Gate)
            return [.. world.Users];
    }

    /// <summary>One page of the items of the servers the <c>server</c> filter selects.</summary>
    private static async Task PerServer(HttpContext ctx, Func<Server, DateTimeOffset, IEnumerable<JsonObject>> items)
    {
        if (await ServerFilter.ResolveAsync(ctx, required: false) is not { } servers)
            return;
        var now = ctx.RequestServices.GetRequiredService<World>().Now;
        await Api.Page(ctx, [.. servers.OrderBy(s => s.Name, StringComparer.Ordinal).SelectMany(s => items(s, now))]);
    }
}
