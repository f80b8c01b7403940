using System.Net;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Alpacon.Api.Events;
using Alpacon.Api.Http;

namespace Alpacon.Api.Commands;

/// <summary>Reads one command's state; the waiter's only way to the API, so it can be tested without one.</summary>
public interface ICommandSource
{
    Task<JsonObject> GetAsync(CancellationToken cancellationToken);

    Task<IReadOnlyList<(int Seq, string Content)>> ChunksAsync(int fromSeq, int? toSeq, CancellationToken cancellationToken);

    /// <summary>The final output: <c>result</c>, or the chunks when it is empty.</summary>
    Task<string> OutputAsync(JsonObject command, CancellationToken cancellationToken);
}

/// <param name="Timeout">How long to wait without progress; any status change or new output restarts it.</param>
/// <param name="HardCap">How long to wait at most, progress or not.</param>
public sealed record CommandWaitOptions(TimeSpan Timeout, TimeSpan HardCap);

public enum CommandWaitEnd
{
    /// <summary>The command ended with an outcome (<c>handled_at</c> set): success or failed, with output and exit code.</summary>
    Completed,

    /// <summary><c>awaiting_approval</c>: a human must approve it; it will run by itself afterwards (never resubmit).</summary>
    AwaitingApproval,

    /// <summary>Ended without running: stuck, denied, rejected, cancelled or error.</summary>
    Failed,

    /// <summary>Still in progress when the wait ran out.</summary>
    TimedOut,
}

/// <summary>
/// How the wait ended: the last state read, the output (when completed), what noticed the end (<c>event_stream</c>
/// when a <c>command_fin</c> frame triggered the final read, <c>poll</c> otherwise) and how long it took.
/// </summary>
public sealed record CommandWaitResult(CommandWaitEnd End, JsonObject Command, string Output, string NoticedVia, TimeSpan Waited);

/// <summary>
/// Something the caller may show while waiting: a new status, or output (in order). <paramref name="Ended"/> marks the
/// one update <see cref="CommandExecutor"/> sends when a run is over, however it ended (completed, failed, timed out or
/// an error), with a word for how in <paramref name="Status"/>.
/// </summary>
public readonly record struct CommandUpdate(string? Status, string? Output, bool Ended = false);

/// <summary>
/// Waits for a command to end (alpacon-api.md §5.3). The event stream's <c>command_fin</c> triggers the final read at
/// once and <c>command_output</c> frames are passed on as they come; a poll that starts fast and widens (100 ms
/// doubling to 1 s, then the CLI's 1 s / 5 s / 10 s steps of §1.6) is the safety net when frames are missed or the
/// stream is unavailable. Without the stream, each poll of a running command also reads its new <c>/chunks/</c>, so
/// output is still passed on. The deadline restarts on every status change or new output, under a hard cap.
/// <c>awaiting_approval</c> returns at once; stuck, denied, rejected, cancelled and error return at once as failures.
/// Failed reads back off (×2 up to 60 s, honouring Retry-After); a 4xx other than 408/429 ends the wait with that error.
/// </summary>
public sealed class CommandWaiter(TimeProvider time)
{
    /// <summary>How soon to read again after a fin frame that the API does not reflect yet.</summary>
    private static readonly TimeSpan FinRecheck = TimeSpan.FromMilliseconds(50);

    /// <summary>The safety-net poll interval after <paramref name="polls"/> reads, <paramref name="elapsed"/> into the wait.</summary>
    public static TimeSpan PollInterval(int polls, TimeSpan elapsed)
    {
        if (elapsed >= TimeSpan.FromSeconds(60))
            return TimeSpan.FromSeconds(10);
        if (elapsed >= TimeSpan.FromSeconds(10))
            return TimeSpan.FromSeconds(5);
        return TimeSpan.FromMilliseconds(Math.Min(1000, 100 * Math.Pow(2, Math.Min(polls, 10))));
    }

    public async Task<CommandWaitResult> WaitAsync(ICommandSource source, JsonObject submitted, ChannelReader<CommandSignal>? signals, CommandWaitOptions options, Action<CommandUpdate>? onUpdate, CancellationToken cancellationToken)
    {
        var started = time.GetUtcNow();
        var cap = started + options.HardCap;
        var deadline = Min(started + options.Timeout, cap);
        var command = submitted;
        var status = CommandsClient.Status(command);
        onUpdate?.Invoke(new CommandUpdate(status, null));
        if (Settled(command) is { } early)
            return await EndAsync(early, command, "poll").ConfigureAwait(false);

        var polls = 0;
        var failures = 0;
        var nextRead = started + PollInterval(0, TimeSpan.Zero);
        var nextSeq = 0;
        var pending = new SortedDictionary<int, string>();
        var streaming = signals is not null;
        Task<bool>? signalWait = null; // one outstanding wait on the channel, kept across wake-ups

        while (true)
        {
            var now = time.GetUtcNow();
            var wake = Min(nextRead, deadline);
            var via = "poll";
            var read = false;
            if (wake > now)
            {
                using var sleep = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                var delay = Task.Delay(wake - now, time, sleep.Token);
                if (streaming && signalWait is null)
                    signalWait = signals!.WaitToReadAsync(cancellationToken).AsTask();
                if (signalWait is null)
                    await delay.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                else
                    await Task.WhenAny(delay, signalWait).ConfigureAwait(false);
                await sleep.CancelAsync().ConfigureAwait(false);
                cancellationToken.ThrowIfCancellationRequested();
                if (signalWait is { IsCompleted: true })
                {
                    if (!signalWait.IsCompletedSuccessfully || !signalWait.Result)
                        streaming = false;
                    signalWait = null;
                }
            }

            // Drain what the stream said.
            while (streaming && signals!.TryRead(out var s))
            {
                switch (s.Kind)
                {
                    case CommandSignalKind.Finished:
                        read = true;
                        via = "event_stream";
                        break;
                    case CommandSignalKind.StreamLost:
                        streaming = false;
                        break;
                    case CommandSignalKind.Output when s.Seq >= nextSeq:
                        pending[s.Seq] = s.Content ?? "";
                        if (s.Seq > nextSeq)
                            await FillGapAsync(source, pending, nextSeq, s.Seq - 1, cancellationToken).ConfigureAwait(false);
                        PassOnOutput();
                        break;
                }
            }

            now = time.GetUtcNow();
            if (now >= nextRead || now >= deadline)
                read = true; // a poll is due, or one last look before giving up
            if (!read)
                continue;

            try
            {
                command = await source.GetAsync(cancellationToken).ConfigureAwait(false);
                failures = 0;
            }
            catch (AlpaconApiException e) when (IsTransient(e))
            {
                failures++;
                var backoff = e.RetryAfter ?? TimeSpan.FromSeconds(Math.Min(60, Math.Pow(2, failures)));
                nextRead = time.GetUtcNow() + backoff;
                if (nextRead >= cap || time.GetUtcNow() >= deadline)
                    throw;
                continue;
            }
            polls++;
            now = time.GetUtcNow();
            nextRead = now + PollInterval(polls, now - started);
            var current = CommandsClient.Status(command);
            if (current != status)
            {
                status = current;
                onUpdate?.Invoke(new CommandUpdate(status, null));
                deadline = Min(now + options.Timeout, cap);
            }
            if (Settled(command) is { } end)
                return await EndAsync(end, command, via).ConfigureAwait(false);
            // Without the stream, output is seen only in /chunks/; a command that keeps printing makes progress even
            // though its status stays 'running', so new chunks restart the deadline (under the cap) as frames would.
            if (!streaming && current is "running" or "acked")
            {
                await FillGapAsync(source, pending, nextSeq, null, cancellationToken).ConfigureAwait(false);
                PassOnOutput();
                now = time.GetUtcNow();
            }
            if (via == "event_stream")
                nextRead = Min(nextRead, now + FinRecheck); // the fin frame came before the API shows it: look again soon
            if (now >= deadline)
                return await EndAsync(CommandWaitEnd.TimedOut, command, via).ConfigureAwait(false);
        }

        // Passes on the output that is contiguous from nextSeq, and counts it as progress.
        void PassOnOutput()
        {
            var text = new System.Text.StringBuilder();
            while (pending.Remove(nextSeq, out var piece))
            {
                text.Append(piece);
                nextSeq++;
            }
            if (text.Length > 0)
            {
                onUpdate?.Invoke(new CommandUpdate(null, text.ToString()));
                deadline = Min(time.GetUtcNow() + options.Timeout, cap);
            }
        }

        async Task<CommandWaitResult> EndAsync(CommandWaitEnd end, JsonObject final, string noticedVia)
        {
            var output = end == CommandWaitEnd.Completed ? await source.OutputAsync(final, cancellationToken).ConfigureAwait(false) : "";
            return new CommandWaitResult(end, final, output, noticedVia, time.GetUtcNow() - started);
        }
    }

    /// <summary>How a command's state ends the wait, or null while it is still in progress.</summary>
    public static CommandWaitEnd? Settled(JsonObject command)
    {
        if (CommandsClient.IsHandled(command))
            return CommandWaitEnd.Completed;
        var status = CommandsClient.Status(command);
        if (status == "awaiting_approval")
            return CommandWaitEnd.AwaitingApproval;
        return CommandsClient.FailedEarly.Contains(status) ? CommandWaitEnd.Failed : null;
    }

    private static bool IsTransient(AlpaconApiException e) =>
        e.StatusCode is null || ResilienceHandler.IsTransient(e.StatusCode.Value) || e.StatusCode == HttpStatusCode.RequestTimeout;

    /// <summary>
    /// Output not seen as frames (sent before the subscription, dropped, or no stream at all) is read from
    /// <c>/chunks/</c>, from <paramref name="from"/> to <paramref name="to"/> (null: all there is); best effort.
    /// </summary>
    private static async Task FillGapAsync(ICommandSource source, SortedDictionary<int, string> pending, int from, int? to, CancellationToken cancellationToken)
    {
        try
        {
            foreach (var (seq, content) in await source.ChunksAsync(from, to, cancellationToken).ConfigureAwait(false))
                pending.TryAdd(seq, content);
        }
        catch (AlpaconApiException)
        {
            // The final output is rebuilt from /chunks/ anyway; only the live view misses these.
        }
    }

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;
}
