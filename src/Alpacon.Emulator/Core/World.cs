using Alpacon.Emulator.Shell;

namespace Alpacon.Emulator.Core;

/// <summary>
/// The emulated workspace: users, tokens, servers and notes, seeded deterministically. Every read and
/// write of this state happens under <see cref="Gate"/>; areas with state of their own keep it in their folder.
/// </summary>
public sealed class World
{
    public World(EmulatorOptions options)
    {
        Hosts = new SimulatedHosts(this);
        Seed.Populate(this);
        foreach (var grant in options.ExtraTokens)
            Tokens[grant.Key] = grant;
    }

    public Lock Gate { get; } = new();

    public TimeProvider Time { get; init; } = TimeProvider.System;

    public RequestJournal Journal { get; } = new();

    public List<User> Users { get; } = [];

    public Dictionary<string, TokenGrant> Tokens { get; } = new(StringComparer.Ordinal);

    public List<Server> Servers { get; } = [];

    public List<Note> Notes { get; } = [];

    /// <summary>The machines behind the servers (files, accounts, services, shell), built on first use; they keep their own locks.</summary>
    public SimulatedHosts Hosts { get; }

    public DateTimeOffset Now => Time.GetUtcNow();

    public Server? FindServer(string? id) => Servers.Find(s => s.Id == id);

    public User? FindUser(string? id) => Users.Find(u => u.Id == id);

    public User? FindUserByName(string username) => Users.Find(u => u.Username == username);
}
