using System.Net;
using System.Text.Json.Nodes;
using Alpacon.Api.Configuration;
using Alpacon.Api.Events;
using Alpacon.Api.Http;
using Microsoft.Extensions.Logging;

namespace Alpacon.Api.Commands;

/// <summary>One command of an execution: what was asked, what the API answered, and how it ended.</summary>
public sealed class CommandRun(CommandRequest request)
{
    public CommandRequest Request { get; } = request;

    /// <summary>The created command (the POST's answer); null when the submission failed.</summary>
    public JsonObject? Submitted { get; set; }

    public string? CommandId => Submitted?["id"]?.ToString();

    public CommandWaitResult? Result { get; set; }

    /// <summary>Why the submission or the wait failed.</summary>
    public Exception? Error { get; set; }

    /// <summary>Set when the caller cancelled while the command was still in progress: what the upstream cancel achieved.</summary>
    public CancelOutcome? Cancellation { get; set; }

    /// <summary>
    /// True when the submission failed without saying whether the command was created (no answer, a 5xx, or an
    /// unreadable success): it may exist and run. It is never resubmitted; the caller is told to look for it.
    /// </summary>
    public bool SubmissionUncertain => Submitted is null && Error is AlpaconApiException { OutcomeUnknown: true };
}

/// <param name="Cancelled">True when the DELETE stopped it before delivery (it never ran).</param>
/// <param name="Message">What happened, for the user.</param>
public sealed record CancelOutcome(bool Cancelled, string Message);

/// <summary>
/// Runs commands through the Command API and waits for them: opens the event stream first (so no <c>command_fin</c>
/// is missed), submits each command exactly once, then waits with <see cref="CommandWaiter"/>. When the caller
/// cancels, every command still in progress is cancelled upstream (DELETE) if it was not delivered yet, including one
/// whose POST was in flight: the POST is not aborted, so its answer names the command to cancel.
/// </summary>
public sealed class CommandExecutor(CommandsClient commands, EventsClient events, CommandWaiter waiter, AlpaconApiOptions options, ILogger<CommandExecutor> log)
{
    /// <summary>How much longer than one request's timeout a submission may take before it is given up.</summary>
    private static readonly TimeSpan SubmitMargin = TimeSpan.FromSeconds(5);

    /// <summary>The bound when requests have no timeout of their own.</summary>
    private static readonly TimeSpan DefaultSubmitBound = TimeSpan.FromMinutes(2);

    /// <summary>
    /// Runs <paramref name="requests"/> and returns one run each, in order. With <paramref name="parallel"/> all are
    /// submitted and waited on at once; otherwise one after the other, each waited for before the next starts.
    /// </summary>
    public async Task<IReadOnlyList<CommandRun>> RunAsync(WorkspaceTarget ws, IReadOnlyList<CommandRequest> requests, bool parallel, CommandWaitOptions wait, Action<CommandRun, CommandUpdate>? onUpdate, CancellationToken cancellationToken)
    {
        var runs = requests.Select(r => new CommandRun(r)).ToList();
        await using var feed = await CommandEventFeed.TryOpenAsync(events, options, ws, requests.Select(r => r.ServerId), log, cancellationToken).ConfigureAwait(false);
        try
        {
            if (parallel)
            {
                await Task.WhenAll(runs.Select(run => RunOneAsync(ws, run, feed, wait, onUpdate, cancellationToken))).ConfigureAwait(false);
            }
            else
            {
                foreach (var run in runs)
                    await RunOneAsync(ws, run, feed, wait, onUpdate, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await Task.WhenAll(runs.Where(r => r.CommandId is not null && r.Result is null).Select(r => CancelUpstreamAsync(ws, r))).ConfigureAwait(false);
        }
        return runs;
    }

    private async Task RunOneAsync(WorkspaceTarget ws, CommandRun run, CommandEventFeed? feed, CommandWaitOptions wait, Action<CommandRun, CommandUpdate>? onUpdate, CancellationToken cancellationToken)
    {
        // Cancelled before anything was sent: there is nothing upstream to cancel.
        cancellationToken.ThrowIfCancellationRequested();
        try
        {
            run.Submitted = await SubmitAsync(ws, run.Request).ConfigureAwait(false);
            // Cancelled while the POST was in flight: the command exists now, and RunAsync cancels it upstream.
            cancellationToken.ThrowIfCancellationRequested();
            var id = run.CommandId!;
            var signals = feed is null ? null : await feed.TrackAsync(id, cancellationToken).ConfigureAwait(false);
            run.Result = await waiter.WaitAsync(new Source(commands, ws, id), run.Submitted, signals, wait, u => onUpdate?.Invoke(run, u), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            run.Error = e;
        }
        // One end per run, however it ended, so that progress can count every run as finished.
        if (!cancellationToken.IsCancellationRequested)
            onUpdate?.Invoke(run, new CommandUpdate(EndStatus(run), null, Ended: true));
    }

    /// <summary>
    /// Submits with a token of its own, bounded but not the caller's: a POST aborted when the caller cancels may still
    /// have created the command, which would then run with no id to cancel it by. The resilience handler ends the one
    /// attempt at <see cref="AlpaconApiOptions.RequestTimeout"/>; this bound only backs that up.
    /// </summary>
    private async Task<JsonObject> SubmitAsync(WorkspaceTarget ws, CommandRequest request)
    {
        var bound = options.RequestTimeout > TimeSpan.Zero ? options.RequestTimeout + SubmitMargin : DefaultSubmitBound;
        using var submit = new CancellationTokenSource(bound);
        try
        {
            return await commands.SubmitAsync(ws, request, submit.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException e) when (submit.IsCancellationRequested)
        {
            throw new AlpaconApiException($"POST /api/events/commands/ got no answer within {bound.TotalSeconds:0} s.", inner: e) { IsTimeout = true };
        }
    }

    private static string EndStatus(CommandRun run) => run switch
    {
        { Error: not null } => "error",
        { Result.End: CommandWaitEnd.TimedOut } => "timed out",
        { Result: { } result } => CommandsClient.Status(result.Command),
        _ => "ended",
    };

    /// <summary>The caller gave up: a command not yet delivered is cancelled; a delivered one runs on and the caller is told so.</summary>
    private async Task CancelUpstreamAsync(WorkspaceTarget ws, CommandRun run)
    {
        // The caller's token is cancelled: the DELETE gets its own, bounded one.
        using var timeout = new CancellationTokenSource(options.RequestTimeout);
        try
        {
            await commands.CancelAsync(ws, run.CommandId!, timeout.Token).ConfigureAwait(false);
            run.Cancellation = new CancelOutcome(true, "Cancelled upstream before delivery: the command never ran.");
        }
        catch (AlpaconApiException e) when (e.StatusCode == HttpStatusCode.BadRequest)
        {
            run.Cancellation = new CancelOutcome(false, "The command had already been delivered to the agent and cannot be cancelled: it runs to completion. Follow it with get_command_status.");
        }
        catch (Exception e) when (e is AlpaconApiException or OperationCanceledException)
        {
            run.Cancellation = new CancelOutcome(false, $"Cancelling upstream failed ({e.Message}); the command may still run. Check it with get_command_status.");
        }
        log.LogInformation("Command {CommandId} cancelled by the client: {Outcome}", run.CommandId, run.Cancellation.Message);
    }

    private sealed class Source(CommandsClient commands, WorkspaceTarget ws, string id) : ICommandSource
    {
        public Task<JsonObject> GetAsync(CancellationToken cancellationToken) => commands.GetAsync(ws, id, cancellationToken);

        public Task<IReadOnlyList<(int Seq, string Content)>> ChunksAsync(int fromSeq, int? toSeq, CancellationToken cancellationToken) =>
            commands.ChunksAsync(ws, id, fromSeq, toSeq, cancellationToken);

        public Task<string> OutputAsync(JsonObject command, CancellationToken cancellationToken) => commands.OutputAsync(ws, command, cancellationToken);
    }
}
