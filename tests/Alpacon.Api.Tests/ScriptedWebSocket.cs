using System.Net.WebSockets;
using System.Text;
using System.Threading.Channels;

namespace Alpacon.Api.Tests;

/// <summary>
/// A WebSocket whose every step the test decides: the frames each receive returns, a close frame or a failure, the
/// state the socket reports in between, and when the answer to a close frame goes out. It lets a test cut terminal
/// output into frames of any size, or stop a channel exactly between two steps that a real socket takes a moment apart.
/// </summary>
internal sealed class ScriptedWebSocket : WebSocket
{
    private readonly Lock gate = new();
    private readonly Channel<Step> steps = Channel.CreateUnbounded<Step>();
    private WebSocketState state = WebSocketState.Open;
    private WebSocketCloseStatus? closeStatus;
    private string? closeDescription;

    private abstract record Step;

    private sealed record Data(byte[] Bytes) : Step;

    private sealed record CloseFrame(int Code, string Description) : Step;

    private sealed record Failure(Exception Error) : Step;

    /// <summary>Called with the text of every frame the channel sends (its keystrokes).</summary>
    public Action<string>? OnSend { get; set; }

    /// <summary>Completes when the channel starts answering a close frame.</summary>
    public TaskCompletionSource ClosingOutput { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completed by the test to let the answer to a close frame go out.</summary>
    public TaskCompletionSource ReleaseCloseOutput { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public override WebSocketCloseStatus? CloseStatus => closeStatus;

    public override string? CloseStatusDescription => closeDescription;

    public override string? SubProtocol => null;

    public override WebSocketState State
    {
        get
        {
            lock (gate)
                return state;
        }
    }

    /// <summary>Sets the state a real socket reports before its pending receive completes (Aborted on a drop).</summary>
    public void SetState(WebSocketState value)
    {
        lock (gate)
            state = value;
    }

    /// <summary>Terminal output, cut into binary frames of <paramref name="frameBytes"/> bytes (inside characters too).</summary>
    public void Output(string text, int frameBytes)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        for (var i = 0; i < bytes.Length; i += frameBytes)
            steps.Writer.TryWrite(new Data(bytes[i..Math.Min(bytes.Length, i + frameBytes)]));
    }

    /// <summary>The next receive fails, as it does when the connection is dropped.</summary>
    public void FailReceive(Exception failure) => steps.Writer.TryWrite(new Failure(failure));

    /// <summary>The next receive returns a close frame with <paramref name="code"/>.</summary>
    public void ReceiveClose(int code, string description) => steps.Writer.TryWrite(new CloseFrame(code, description));

    public override async ValueTask<ValueWebSocketReceiveResult> ReceiveAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        Step step;
        try
        {
            step = await steps.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (ChannelClosedException)
        {
            throw new OperationCanceledException("aborted");
        }
        switch (step)
        {
            case Data data:
                data.Bytes.CopyTo(buffer);
                return new ValueWebSocketReceiveResult(data.Bytes.Length, WebSocketMessageType.Binary, true);
            case CloseFrame close:
                lock (gate)
                {
                    state = state == WebSocketState.CloseSent ? WebSocketState.Closed : WebSocketState.CloseReceived;
                    closeStatus = (WebSocketCloseStatus)close.Code;
                    closeDescription = close.Description;
                }
                return new ValueWebSocketReceiveResult(0, WebSocketMessageType.Close, true);
            default:
                SetState(WebSocketState.Aborted);
                throw ((Failure)step).Error;
        }
    }

    public override Task<WebSocketReceiveResult> ReceiveAsync(ArraySegment<byte> buffer, CancellationToken cancellationToken) =>
        throw new NotSupportedException();

    public override Task SendAsync(ArraySegment<byte> buffer, WebSocketMessageType messageType, bool endOfMessage, CancellationToken cancellationToken)
    {
        if (State != WebSocketState.Open)
            throw new WebSocketException(WebSocketError.InvalidState);
        OnSend?.Invoke(Encoding.UTF8.GetString(buffer.AsSpan()));
        return Task.CompletedTask;
    }

    public override async Task CloseOutputAsync(WebSocketCloseStatus closeStatus, string? statusDescription, CancellationToken cancellationToken)
    {
        if (State == WebSocketState.Open)
        {
            // The channel closes first: the server answers at once.
            SetState(WebSocketState.CloseSent);
            steps.Writer.TryWrite(new CloseFrame((int)closeStatus, ""));
            return;
        }
        ClosingOutput.TrySetResult();
        await ReleaseCloseOutput.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        SetState(WebSocketState.Closed);
    }

    public override Task CloseAsync(WebSocketCloseStatus closeStatus, string? statusDescription, CancellationToken cancellationToken) =>
        CloseOutputAsync(closeStatus, statusDescription, cancellationToken);

    public override void Abort()
    {
        SetState(WebSocketState.Aborted);
        steps.Writer.TryComplete();
        ReleaseCloseOutput.TrySetResult();
    }

    public override void Dispose() => Abort();
}
