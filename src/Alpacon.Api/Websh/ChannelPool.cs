using System.Collections.Concurrent;
using Alpacon.Api.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Alpacon.Api.Websh;

/// <summary>
/// The open Websh channels of this server process, keyed by channel id. Thread-safe; no network I/O happens under
/// a lock, except the per-session lock of <see cref="ForSessionAsync"/> and <see cref="ReplaceForSessionAsync"/>,
/// which exists to make finding or opening a session's channel one step. A channel that died (server close, drop,
/// unanswered ping) is reported once by <see cref="ListAsync"/> or the lookup that finds it, then removed; idle channels
/// are closed by a timer; everything is closed on shutdown. URLs are never logged: only channel ids and masked URLs.
/// </summary>
public sealed class ChannelPool : IAsyncDisposable, IDisposable
{
    private readonly ConcurrentDictionary<string, WebshChannel> channels = new(StringComparer.Ordinal);
    private readonly Dictionary<string, SessionGate> sessionGates = new(StringComparer.Ordinal);
    private readonly AlpaconApiOptions api;
    private readonly ILogger log;
    private readonly ITimer sweeper;
    private int disposed;

    /// <summary>A pool whose idle sweep runs on <paramref name="time"/>'s timer (tests stop it and sweep themselves).</summary>
    public ChannelPool(AlpaconApiOptions api, WebshOptions? options = null, ILogger<ChannelPool>? log = null, TimeProvider? time = null)
    {
        this.api = api;
        Options = options ?? new WebshOptions();
        this.log = (ILogger?)log ?? NullLogger.Instance;
        var period = TimeSpan.FromTicks(Math.Clamp(Options.IdleTimeout.Ticks / 4, TimeSpan.FromSeconds(1).Ticks, TimeSpan.FromMinutes(1).Ticks));
        sweeper = (time ?? TimeProvider.System).CreateTimer(_ => _ = SweepQuietlyAsync(), null, period, period);
    }

    public WebshOptions Options { get; }

    public int Count => channels.Count;

    /// <summary>
    /// The pooled channel <paramref name="channelId"/>, or a new connection to <paramref name="url"/> added to the pool.
    /// A pooled channel that has died is replaced.
    /// </summary>
    public async Task<(WebshChannel Channel, bool Reused)> ConnectAsync(string channelId, Uri url, WorkspaceTarget workspace, string? sessionId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(url);
        ArgumentNullException.ThrowIfNull(workspace);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref disposed) != 0, this);
        if (channels.TryGetValue(channelId, out var existing))
        {
            if (existing.IsOpen)
                return (existing, true);
            await RemoveAsync(existing, "replaced").ConfigureAwait(false);
        }
        var info = new WebshChannelInfo(channelId, sessionId, workspace.Region, workspace.Workspace, WebshUrls.Mask(url), DateTimeOffset.UtcNow);
        var channel = await WebshChannel.ConnectAsync(url, info, WebshUrls.Origin(workspace.BaseUrl), api.UserAgent, Options, cancellationToken).ConfigureAwait(false);
        if (!channels.TryAdd(channelId, channel))
        {
            // Another call connected the same channel first: keep theirs.
            await channel.DisposeAsync().ConfigureAwait(false);
            if (channels.TryGetValue(channelId, out var winner))
                return (winner, true);
            throw new WebshException($"Websh channel {channelId} was closed while connecting.");
        }
        log.LogInformation("Websh channel {Channel} of session {Session} connected ({Url})", channelId, sessionId, info.MaskedUrl);
        return (channel, false);
    }

    /// <summary>The pooled channel, open or dead (the caller reports a dead one and calls <see cref="RemoveAsync"/>).</summary>
    public WebshChannel? Find(string channelId) => channels.GetValueOrDefault(channelId);

    /// <summary>An open channel of <paramref name="sessionId"/> in this workspace; dead ones met on the way are removed.</summary>
    public async Task<WebshChannel?> FindOpenForSessionAsync(WorkspaceTarget workspace, string sessionId)
    {
        ArgumentNullException.ThrowIfNull(workspace);
        foreach (var channel in ForSession(workspace, sessionId))
        {
            if (channel.IsOpen)
                return channel;
            await RemoveAsync(channel, "found dead").ConfigureAwait(false);
        }
        return null;
    }

    /// <summary>
    /// The session's open pooled channel, or a new one from <paramref name="open"/> (its id and URL), connected and
    /// pooled. One caller at a time per session: callers that race on a session without a channel share the one the
    /// first opens, so that its commands queue on it. Two channels would type into the same terminal at once, and
    /// their commands' input and output would interleave.
    /// </summary>
    public async Task<WebshChannel> ForSessionAsync(WorkspaceTarget workspace, string sessionId, Func<CancellationToken, Task<(string ChannelId, Uri Url)>> open, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(open);
        return await InSessionAsync(workspace, sessionId, async () =>
        {
            if (await FindOpenForSessionAsync(workspace, sessionId).ConfigureAwait(false) is { } pooled)
                return pooled;
            var (channelId, url) = await open(cancellationToken).ConfigureAwait(false);
            return (await ConnectAsync(channelId, url, workspace, sessionId, cancellationToken).ConfigureAwait(false)).Channel;
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Connects the channel of the session that <paramref name="open"/> names (a pooled open one of that id is reused)
    /// and then closes and removes the session's other pooled channels, under the same per-session lock as
    /// <see cref="ForSessionAsync"/>, so that the session keeps one channel. If the channel cannot be opened, the
    /// previous ones are left as they are.
    /// </summary>
    /// <returns>
    /// The channel, whether it was pooled already, and each channel it replaced with how that one had ended (null: it
    /// was open).
    /// </returns>
    public async Task<(WebshChannel Channel, bool Reused, IReadOnlyList<(string ChannelId, WebshClosure? Ended)> Replaced)> ReplaceForSessionAsync(
        WorkspaceTarget workspace, string sessionId, Func<CancellationToken, Task<(string ChannelId, Uri Url)>> open, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(open);
        return await InSessionAsync(workspace, sessionId, async () =>
        {
            var (channelId, url) = await open(cancellationToken).ConfigureAwait(false);
            var (channel, reused) = await ConnectAsync(channelId, url, workspace, sessionId, cancellationToken).ConfigureAwait(false);
            var replaced = new List<(string, WebshClosure?)>();
            foreach (var previous in ForSession(workspace, sessionId).Where(c => c != channel))
            {
                replaced.Add((previous.Id, previous.Closed));
                await RemoveAsync(previous, "replaced by a new channel of its session").ConfigureAwait(false);
            }
            return (channel, reused, (IReadOnlyList<(string ChannelId, WebshClosure? Ended)>)replaced);
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The pooled channels of a session, open or not.</summary>
    public IReadOnlyList<WebshChannel> ForSession(WorkspaceTarget workspace, string sessionId)
    {
        ArgumentNullException.ThrowIfNull(workspace);
        return [.. channels.Values.Where(c => c.Info.SessionId == sessionId && c.Info.Region == workspace.Region && c.Info.Workspace == workspace.Workspace)
            .OrderBy(c => c.Info.ConnectedAt)];
    }

    /// <summary>
    /// Every pooled channel as it is now. Dead channels are included once, with why they ended, and removed.
    /// </summary>
    public async Task<IReadOnlyList<(WebshChannel Channel, bool Open)>> ListAsync()
    {
        var result = new List<(WebshChannel, bool)>();
        foreach (var channel in channels.Values.OrderBy(c => c.Info.ConnectedAt))
        {
            var open = channel.IsOpen;
            result.Add((channel, open));
            if (!open)
                await RemoveAsync(channel, "reported dead").ConfigureAwait(false);
        }
        return result;
    }

    /// <summary>Closes a channel and removes it from the pool; false when it was not pooled.</summary>
    public async Task<bool> DisconnectAsync(string channelId)
    {
        if (!channels.TryRemove(channelId, out var channel))
            return false;
        await channel.DisposeAsync().ConfigureAwait(false);
        log.LogInformation("Websh channel {Channel} disconnected", channelId);
        return true;
    }

    /// <summary>Removes <paramref name="channel"/> (only if it is still the pooled one) and disposes it.</summary>
    public async Task RemoveAsync(WebshChannel channel, string why)
    {
        ArgumentNullException.ThrowIfNull(channel);
        if (channels.TryRemove(new KeyValuePair<string, WebshChannel>(channel.Id, channel)))
        {
            log.LogInformation("Websh channel {Channel} removed from the pool ({Why}: {State})", channel.Id, why, channel.Closed?.ToString() ?? "open");
            await channel.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Closes channels idle for longer than <see cref="WebshOptions.IdleTimeout"/> and removes dead ones.</summary>
    public async Task<int> SweepAsync()
    {
        var removed = 0;
        foreach (var channel in channels.Values)
        {
            if (channel.IsOpen && channel.IdleFor < Options.IdleTimeout)
                continue;
            await RemoveAsync(channel, channel.IsOpen ? "idle" : "dead").ConfigureAwait(false);
            removed++;
        }
        return removed;
    }

    /// <summary>Runs <paramref name="work"/> holding the session's lock; the lock's entry lives only while someone holds or waits for it.</summary>
    private async Task<T> InSessionAsync<T>(WorkspaceTarget workspace, string sessionId, Func<Task<T>> work, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(workspace);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref disposed) != 0, this);
        var key = $"{workspace.Region}/{workspace.Workspace}/{sessionId}";
        SessionGate? gate;
        lock (sessionGates)
        {
            if (!sessionGates.TryGetValue(key, out gate))
                sessionGates[key] = gate = new SessionGate();
            gate.Users++;
        }
        try
        {
            await gate.Lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            Leave(key, gate);
            throw;
        }
        try
        {
            return await work().ConfigureAwait(false);
        }
        finally
        {
            gate.Lock.Release();
            Leave(key, gate);
        }
    }

    private void Leave(string key, SessionGate gate)
    {
        lock (sessionGates)
        {
            if (--gate.Users == 0)
                sessionGates.Remove(key);
        }
    }

    private async Task SweepQuietlyAsync()
    {
        try
        {
            await SweepAsync().ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            log.LogWarning(e, "Closing idle Websh channels failed");
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref disposed, 1) != 0)
            return;
        await sweeper.DisposeAsync().ConfigureAwait(false);
        var all = channels.Values.ToList();
        channels.Clear();
        await Task.WhenAll(all.Select(c => c.DisposeAsync().AsTask())).ConfigureAwait(false);
    }

    /// <summary>For hosts disposed synchronously: sockets are aborted rather than closed with a handshake.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref disposed, 1) != 0)
            return;
        sweeper.Dispose();
        foreach (var channel in channels.Values)
            channel.Abort();
        channels.Clear();
    }
}

/// <summary>A session's lock and how many callers hold or wait for it (the entry is removed at zero).</summary>
internal sealed class SessionGate
{
    public SemaphoreSlim Lock { get; } = new(1, 1);

    public int Users { get; set; }
}
