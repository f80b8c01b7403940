using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Alpacon.Api.Configuration;
using Alpacon.Api.Http;
using Microsoft.Extensions.Logging;

namespace Alpacon.Api.Events;

/// <summary>What the event stream said about one command.</summary>
public enum CommandSignalKind
{
    /// <summary>A piece of output (<c>command_output</c>), with its sequence number.</summary>
    Output,

    /// <summary>The command ended (<c>command_fin</c>): fetch its final state now.</summary>
    Finished,

    /// <summary>The stream closed: from now on only polling notices changes.</summary>
    StreamLost,
}

public readonly record struct CommandSignal(CommandSignalKind Kind, int Seq = -1, string? Content = null);

/// <summary>
/// Live command events for one tool call over the event WebSocket (alpacon-api.md §2.5, §5.3): one event session,
/// <c>command_fin</c> subscribed per server before anything is submitted, <c>command_output</c> per command once its
/// id is known. Frames are routed to one channel per command, buffered if they arrive before the command is tracked.
/// The socket URL is a credential: it is never logged.
/// </summary>
public sealed class CommandEventFeed : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, Channel<CommandSignal>> commands = new(StringComparer.Ordinal);
    private readonly ClientWebSocket socket;
    private readonly EventsClient events;
    private readonly WorkspaceTarget ws;
    private readonly EventSession session;
    private readonly CancellationTokenSource stop = new();
    private readonly Task reader;
    private readonly ILogger log;

    private CommandEventFeed(ClientWebSocket socket, EventsClient events, WorkspaceTarget ws, EventSession session, ILogger log)
    {
        this.socket = socket;
        this.events = events;
        this.ws = ws;
        this.session = session;
        this.log = log;
        reader = ReadAsync();
    }

    /// <summary>True until the socket closes.</summary>
    public bool IsOpen => socket.State == WebSocketState.Open;

    /// <summary>
    /// Opens a session, subscribes <c>command_fin</c> for each server and connects, or returns null when any step fails
    /// (an older server without event streaming, a proxy that drops WebSockets): the caller then polls only.
    /// </summary>
    public static async Task<CommandEventFeed?> TryOpenAsync(EventsClient events, AlpaconApiOptions options, WorkspaceTarget ws, IEnumerable<string> serverIds, ILogger log, CancellationToken cancellationToken)
    {
        ClientWebSocket? socket = null;
        try
        {
            var session = await events.CreateSessionAsync(ws, cancellationToken).ConfigureAwait(false);
            await Task.WhenAll(serverIds.Distinct().Select(id => events.SubscribeAsync(ws, session.ChannelId, "command_fin", id, cancellationToken))).ConfigureAwait(false);
            socket = new ClientWebSocket();
            socket.Options.SetRequestHeader("User-Agent", options.UserAgent);
            socket.Options.KeepAliveInterval = TimeSpan.FromSeconds(20);
            using var connect = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            connect.CancelAfter(options.ConnectTimeout);
            await socket.ConnectAsync(Rebase(session.WebSocketUrl, ws.BaseUrl), connect.Token).ConfigureAwait(false);
            return new CommandEventFeed(socket, events, ws, session, log);
        }
        catch (Exception e) when (e is AlpaconApiException or WebSocketException or HttpRequestException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            socket?.Dispose();
            // The message of a socket failure may carry the URL: log the kind of failure only.
            log.LogDebug("Event stream unavailable ({Kind}); waiting by polling only.", e is AlpaconApiException api ? api.Message : e.GetType().Name);
            return null;
        }
    }

    /// <summary>
    /// The signals of one command: subscribes its <c>command_output</c> (best effort: output missed before this is
    /// fetched from <c>/chunks/</c>) and returns the channel, which may already hold a <c>command_fin</c>.
    /// </summary>
    public async Task<ChannelReader<CommandSignal>> TrackAsync(string commandId, CancellationToken cancellationToken)
    {
        var channel = For(commandId);
        try
        {
            await events.SubscribeAsync(ws, session.ChannelId, "command_output", commandId, cancellationToken).ConfigureAwait(false);
        }
        catch (AlpaconApiException e)
        {
            log.LogDebug("Output subscription refused: {Message}", e.Message);
        }
        if (!IsOpen)
            channel.Writer.TryWrite(new CommandSignal(CommandSignalKind.StreamLost));
        return channel.Reader;
    }

    /// <summary>
    /// Points the socket at the configured host: the API builds the URL from its own idea of its address, but every
    /// request must go where the configuration says (a pinned URL, the emulator). Keeps the path and query.
    /// </summary>
    public static Uri Rebase(Uri socketUrl, Uri baseUrl)
    {
        var builder = new UriBuilder(baseUrl)
        {
            Scheme = baseUrl.Scheme == Uri.UriSchemeHttps ? "wss" : "ws",
            Path = socketUrl.AbsolutePath,
            Query = socketUrl.Query.TrimStart('?'),
        };
        builder.Port = baseUrl.IsDefaultPort ? -1 : baseUrl.Port;
        return builder.Uri;
    }

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync().ConfigureAwait(false);
        if (socket.State == WebSocketState.Open)
        {
            try
            {
                using var close = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, close.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is WebSocketException or OperationCanceledException or ObjectDisposedException)
            {
            }
        }
        try
        {
            await reader.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
        socket.Dispose();
        stop.Dispose();
    }

    private Channel<CommandSignal> For(string commandId) =>
        commands.GetOrAdd(commandId, _ => Channel.CreateUnbounded<CommandSignal>(new UnboundedChannelOptions { SingleReader = true }));

    private async Task ReadAsync()
    {
        var buffer = new byte[16 * 1024];
        using var message = new MemoryStream();
        try
        {
            while (!stop.IsCancellationRequested)
            {
                var received = await socket.ReceiveAsync(buffer, stop.Token).ConfigureAwait(false);
                if (received.MessageType == WebSocketMessageType.Close)
                    break;
                message.Write(buffer, 0, received.Count);
                if (!received.EndOfMessage)
                    continue;
                Dispatch(Encoding.UTF8.GetString(message.GetBuffer(), 0, (int)message.Length));
                message.SetLength(0);
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
        }
        foreach (var channel in commands.Values)
            channel.Writer.TryWrite(new CommandSignal(CommandSignalKind.StreamLost));
    }

    private void Dispatch(string text)
    {
        JsonNode? frame;
        try
        {
            frame = JsonNode.Parse(text);
        }
        catch (JsonException)
        {
            return;
        }
        if (frame?["payload"] is not JsonObject payload)
            return;
        var type = frame["event_type"]?.ToString();
        if (type == "command_output" && payload["command_id"]?.ToString() is { } commandId && payload["seq"] is JsonValue seq && seq.TryGetValue<int>(out var n))
            For(commandId).Writer.TryWrite(new CommandSignal(CommandSignalKind.Output, n, payload["content"]?.ToString() ?? ""));
        else if (type == "command_fin" && payload["id"]?.ToString() is { } finished)
            For(finished).Writer.TryWrite(new CommandSignal(CommandSignalKind.Finished));
    }
}
