using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Alpacon.Emulator.Core;

namespace Alpacon.Emulator.Events;

/// <summary>
/// Event streaming: sessions (<c>POST /api/events/sessions/</c>) each own a channel, subscriptions pick event types
/// and targets, and every socket connected to a channel receives the matching frames
/// <c>{"event_type":…,"payload":…}</c> in the order they were published.
/// </summary>
public sealed class EventHub
{
    private readonly Lock gate = new();
    private readonly Dictionary<string, EventChannel> channels = new(StringComparer.Ordinal);
    private int unavailable;

    /// <summary>False while an <see cref="Unavailable"/> handle is held: event sessions cannot be created.</summary>
    public bool IsAvailable => Volatile.Read(ref unavailable) == 0;

    /// <summary>
    /// Until the returned handle is disposed, <c>POST /api/events/sessions/</c> answers 404, as on a server without
    /// event streaming; clients then fall back to polling alone. Tests use it for the poll-only path.
    /// </summary>
    public IDisposable Unavailable()
    {
        Interlocked.Increment(ref unavailable);
        return new Restore(this);
    }

    private sealed class Restore(EventHub hub) : IDisposable
    {
        private int disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref disposed, 1) == 0)
                Interlocked.Decrement(ref hub.unavailable);
        }
    }

    private sealed class EventChannel(string id, string sessionId, string key, User user)
    {
        public string Id { get; } = id;
        public string SessionId { get; } = sessionId;
        public string Key { get; } = key;
        public User User { get; } = user;
        public HashSet<(string Type, string Target)> Subscriptions { get; } = [];
        public List<Channel<string>> Sockets { get; } = [];
    }

    /// <summary>A new session for <paramref name="user"/>: its id, channel id and the secret key of its socket URL.</summary>
    public (string SessionId, string ChannelId, string Key) CreateSession(User user)
    {
        var channel = new EventChannel(Ids.New(), Ids.New(), Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16)), user);
        lock (gate)
            channels[channel.Id] = channel;
        return (channel.SessionId, channel.Id, channel.Key);
    }

    /// <summary>Adds a subscription to a channel of <paramref name="user"/>; false when there is no such channel of theirs.</summary>
    public bool Subscribe(string channelId, User user, string eventType, string targetId)
    {
        lock (gate)
        {
            if (!channels.TryGetValue(channelId, out var channel) || channel.User.Id != user.Id)
                return false;
            channel.Subscriptions.Add((eventType, targetId));
            return true;
        }
    }

    /// <summary>Sends a frame to every channel subscribed to <paramref name="eventType"/> for one of <paramref name="targets"/>.</summary>
    public void Publish(string eventType, IReadOnlyCollection<string> targets, JsonObject payload)
    {
        var frame = new JsonObject { ["event_type"] = eventType, ["payload"] = payload }.ToJsonString();
        lock (gate)
        {
            foreach (var channel in channels.Values.Where(c => targets.Any(t => c.Subscriptions.Contains((eventType, t)))))
            {
                foreach (var socket in channel.Sockets)
                    socket.Writer.TryWrite(frame);
            }
        }
    }

    /// <summary>Serves one socket of a channel until either side closes it; false when the channel or key is unknown.</summary>
    public async Task<bool> ServeAsync(HttpContext ctx, string channelId, string key)
    {
        EventChannel? channel;
        lock (gate)
            channel = channels.GetValueOrDefault(channelId);
        if (channel is null || !System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(channel.Key), Encoding.UTF8.GetBytes(key)))
            return false;
        using var socket = await ctx.WebSockets.AcceptWebSocketAsync();
        var outbox = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true });
        lock (gate)
            channel.Sockets.Add(outbox);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ctx.RequestAborted);
        var writer = WriteAsync(socket, outbox.Reader, stop.Token);
        try
        {
            var buffer = new byte[1024];
            while (socket.State == WebSocketState.Open)
            {
                var received = await socket.ReceiveAsync(buffer, stop.Token);
                if (received.MessageType == WebSocketMessageType.Close)
                    break;
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException)
        {
        }
        finally
        {
            lock (gate)
                channel.Sockets.Remove(outbox);
            outbox.Writer.TryComplete();
            await stop.CancelAsync();
            await writer;
            if (socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
            {
                try
                {
                    await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
                }
                catch (WebSocketException)
                {
                }
            }
        }
        return true;
    }

    private static async Task WriteAsync(WebSocket socket, ChannelReader<string> outbox, CancellationToken ct)
    {
        try
        {
            await foreach (var frame in outbox.ReadAllAsync(ct))
                await socket.SendAsync(Encoding.UTF8.GetBytes(frame), WebSocketMessageType.Text, true, ct);
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException)
        {
        }
    }
}
