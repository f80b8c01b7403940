using System.Security.Cryptography;
using System.Text;
using Alpacon.Emulator.Core;
using Alpacon.Emulator.Workspaces;

namespace Alpacon.Emulator.Websh;

/// <summary>
/// Websh state: sessions, user channels and their terminals. Reads and writes happen under <see cref="Gate"/>;
/// socket I/O never does. Tests use <see cref="DropChannel"/>, <see cref="StallChannel"/> and
/// <see cref="CloseSessionAsync"/> to make the server drop a connection, stop answering on it, or end a session.
/// </summary>
public sealed class WebshStore(World world, WorkspacePreferences preferences, EmulatorOptions options)
{
    private readonly Dictionary<string, WebshSession> sessions = new(StringComparer.Ordinal);
    private readonly Dictionary<string, WebshUserChannel> channels = new(StringComparer.Ordinal);

    public Lock Gate { get; } = new();

    internal World World => world;

    internal EmulatorOptions Options => options;

    /// <summary>Every session, newest first.</summary>
    public IReadOnlyList<WebshSession> Sessions
    {
        get
        {
            lock (Gate)
                return [.. sessions.Values.OrderByDescending(s => s.AddedAt).ThenByDescending(s => s.Id, StringComparer.Ordinal)];
        }
    }

    public WebshSession? FindSession(string id)
    {
        lock (Gate)
            return sessions.GetValueOrDefault(id);
    }

    public IReadOnlyList<WebshUserChannel> ChannelsOf(string sessionId)
    {
        lock (Gate)
            return [.. channels.Values.Where(c => c.Session.Id == sessionId)];
    }

    /// <summary>The channel a WebSocket URL names, if its token matches and its session is open.</summary>
    internal WebshUserChannel? FindChannel(string id, string token)
    {
        lock (Gate)
        {
            if (!channels.TryGetValue(id, out var channel) || channel.Session.ClosedAt is not null)
                return null;
            return CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(channel.Token), Encoding.UTF8.GetBytes(token)) ? channel : null;
        }
    }

    internal (WebshSession Session, WebshUserChannel Channel) CreateSession(Server server, User owner, string username, string groupname, int rows, int cols, string remoteIp)
    {
        var now = world.Now;
        var session = new WebshSession
        {
            Id = Ids.New(),
            Server = server,
            Owner = owner,
            Username = username,
            Groupname = groupname,
            Rows = rows,
            Cols = cols,
            RemoteIp = remoteIp,
            AddedAt = now,
            UpdatedAt = now,
        };
        session.Terminal = new WebshTerminal(this, session, IdleTimeout());
        lock (Gate)
        {
            sessions[session.Id] = session;
            return (session, AddChannel(session, isMaster: true, readOnly: false));
        }
    }

    /// <summary>A new user channel of an open session, as <c>POST /api/websh/user-channels/</c> makes; null if there is none.</summary>
    public WebshUserChannel? AddUserChannel(string sessionId, bool isMaster, bool readOnly)
    {
        lock (Gate)
            return sessions.GetValueOrDefault(sessionId) is { ClosedAt: null } session ? AddChannel(session, isMaster, readOnly) : null;
    }

    internal WebshUserChannel CreateChannel(WebshSession session, bool isMaster, bool readOnly)
    {
        lock (Gate)
            return AddChannel(session, isMaster, readOnly);
    }

    /// <summary>
    /// Ends a session as <c>/close/</c>, <c>exit</c> or the idle timeout do: <c>closed_at</c> is set, every channel is
    /// closed with <paramref name="code"/> (4000, "session ended") and its URLs stop working. False if it was closed.
    /// </summary>
    public async Task<bool> CloseSessionAsync(string sessionId, int code = 4000, string reason = "session ended")
    {
        WebshSession? session;
        lock (Gate)
        {
            session = sessions.GetValueOrDefault(sessionId);
            if (session is null || session.ClosedAt is not null)
                return false;
            session.ClosedAt = world.Now;
            session.UpdatedAt = world.Now;
        }
        await session.Terminal.CloseAsync(code, reason).ConfigureAwait(false);
        return true;
    }

    /// <summary>
    /// Fault injection: drops every connection of a channel without a close frame, as a network failure would.
    /// The session and its shell stay alive. Returns how many connections were (or will be) dropped.
    /// </summary>
    /// <param name="beforeNextMessage">
    /// Drop each connection at its next message either way instead of now, so that output already seen in
    /// <see cref="WebshSession.RecentOutput"/> is delivered while the shell is quiet (a command that sleeps). A drop now
    /// resets the connection, and a reset discards the frames still in flight.
    /// </param>
    public int DropChannel(string channelId, bool beforeNextMessage = false)
    {
        WebshSession? session;
        lock (Gate)
            session = channels.GetValueOrDefault(channelId)?.Session;
        return session?.Terminal.Drop(channelId, beforeNextMessage) ?? 0;
    }

    /// <summary>
    /// Fault injection: each connection of a channel stops reading after the next message it receives (keys typed
    /// by the client), as a hung peer would: it goes on sending output, but no longer answers WebSocket pings, so
    /// only the client's ping timeout can tell. The connection ends when the client gives up on it; the session and
    /// its shell stay alive. Returns how many connections will stall.
    /// </summary>
    public int StallChannel(string channelId)
    {
        WebshSession? session;
        lock (Gate)
            session = channels.GetValueOrDefault(channelId)?.Session;
        return session?.Terminal.Stall(channelId) ?? 0;
    }

    internal IWebshShell CreateShell(WebshSession session)
    {
        var host = world.Hosts.Get(session.Server);
        if (options.WebshShellFactory is { } factory)
            return factory(new WebshShellRequest(session.Server, host, session.Username, session.Rows, session.Cols));
        var shell = host.OpenSession(session.Username, interactive: true);
        var banner = $"Welcome to {session.Server.OsLabel} (GNU/Linux x86_64)\r\n\r\n"
            + " * Documentation:  https://help.ubuntu.com\r\n\r\n"
            + $"Last login: {world.Now.ToUniversalTime():ddd MMM d HH:mm:ss yyyy} from {session.RemoteIp}\r\n";
        return new VirtualShell(shell, session.Server.Platform == "ubuntu" ? banner : $"Last login: {world.Now.ToUniversalTime():ddd MMM d HH:mm:ss yyyy} from {session.RemoteIp}\r\n");
    }

    private WebshUserChannel AddChannel(WebshSession session, bool isMaster, bool readOnly)
    {
        var channel = new WebshUserChannel
        {
            Id = Ids.New(),
            Token = Base64Url(RandomNumberGenerator.GetBytes(24)),
            Session = session,
            IsMaster = isMaster,
            ReadOnly = readOnly,
        };
        channels[channel.Id] = channel;
        return channel;
    }

    /// <summary>The emulator option if set, else the workspace preference <c>websh_session_timeout</c> (seconds; 0 = none).</summary>
    private TimeSpan? IdleTimeout()
    {
        if (options.WebshIdleTimeout is { } fixedTimeout)
            return fixedTimeout > TimeSpan.Zero ? fixedTimeout : null;
        lock (preferences.Gate)
        {
            var seconds = preferences.Values["websh_session_timeout"] is System.Text.Json.Nodes.JsonValue v && v.TryGetValue<int>(out var n) ? n : 0;
            return seconds > 0 ? TimeSpan.FromSeconds(seconds) : null;
        }
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
