using System.Collections.Concurrent;
using Alpacon.Emulator.Core;

namespace Alpacon.Emulator.Shell;

/// <summary>
/// The simulated hosts of a <see cref="World"/>, one per server, built on first use: most runs touch only a
/// few of the 24 servers, and a host's files cost a few hundred KB.
/// </summary>
public sealed class SimulatedHosts(World world)
{
    private readonly ConcurrentDictionary<string, Lazy<SimulatedHost>> hosts = new(StringComparer.Ordinal);

    /// <summary>The host of the server with this id, or null when there is no such server.</summary>
    public SimulatedHost? Find(string? serverId)
    {
        Server? server;
        lock (world.Gate)
            server = world.FindServer(serverId);
        return server is null ? null : Get(server);
    }

    public SimulatedHost Get(Server server) =>
        hosts.GetOrAdd(server.Id, _ => new Lazy<SimulatedHost>(() => Create(server))).Value;

    private SimulatedHost Create(Server server)
    {
        List<HostSeed.Member> members;
        lock (world.Gate)
            members = [.. world.Users.Where(u => u.IsActive).Select(u => new HostSeed.Member(u.Username, u.Uid, u.FullName))];
        return new SimulatedHost(server, members, world.Time);
    }
}
