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
}

/// <param name="Cancelled">True when the DELETE stopped it before delivery (it never ran).</param>
/// <param name="Message">What happened, for the user.</param>
public sealed record CancelOutcome(bool Cancelled, string Message);

/// <summary>
/// Runs commands through the Command API and waits for them: opens the event stream first (so no <c>command_fin</c>
/// is missed), submits each command exactly once, then waits with <see cref="CommandWaiter"/>. When the caller
/// cancels, every command still in progress is cancelled upstream (DELETE) if it was not delivered yet.
/// </summary>
public sealed class CommandExecutor(CommandsClient commands, EventsClient events, CommandWaiter waiter, AlpaconApiOptions options, ILogger<CommandExecutor> log)
{
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
        try
        {
            run.Submitted = await commands.SubmitAsync(ws, run.Request, cancellationToken).ConfigureAwait(false);
            var id = run.CommandId!;
            var signals = feed is null ? null : await feed.TrackAsync(id, cancellationToken).ConfigureAwait(false);
            run.Result = await waiter.WaitAsync(new Source(commands, ws, id), run.Submitted, signals, wait, u => onUpdate?.Invoke(run, u), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            run.Error = e;
        }
    }

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
