using System.Text.Json.Nodes;
using System.Threading.Channels;
using Alpacon.Api.Commands;
using Alpacon.Api.Events;
using Alpacon.Api.Http;

namespace Alpacon.Api.Tests;

public sealed class CommandWaiterTests
{
    private readonly ManualTime time = new();
    private readonly List<DateTimeOffset> reads = [];

    private static JsonObject Command(string status, bool handled = false) => new()
    {
        ["id"] = "c0ffee00-0000-4000-8000-000000000001",
        ["status"] = status,
        ["result"] = handled ? "done\n" : "",
        ["handled_at"] = handled ? "2026-05-01T09:00:05Z" : null,
        ["exit_code"] = handled ? 0 : null,
    };

    private Source Reading(Func<int, JsonObject> state) => new(this, state);

    /// <summary>Lets the waiter run until it sleeps on a timer (or ends), then moves the clock to that timer.</summary>
    private async Task<T> DriveAsync<T>(Task<T> wait, Action<int>? onStep = null)
    {
        for (var step = 0; step < 500 && !wait.IsCompleted; step++)
        {
            for (var spin = 0; spin < 2000 && !wait.IsCompleted && time.PendingTimers == 0; spin++)
                await Task.Delay(1);
            if (wait.IsCompleted)
                break;
            time.AdvanceToNextTimer();
            onStep?.Invoke(step);
        }
        return await wait.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task WaitAsync_FinFrame_ReadsAtOnce_WithoutWaitingForAPoll()
    {
        var signals = Channel.CreateUnbounded<CommandSignal>();
        signals.Writer.TryWrite(new CommandSignal(CommandSignalKind.Finished));
        var waiter = new CommandWaiter(time);

        var result = await waiter.WaitAsync(Reading(_ => Command("success", handled: true)), Command("queued"), signals.Reader, new(TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(15)), null, CancellationToken.None);

        Assert.Equal(CommandWaitEnd.Completed, result.End);
        Assert.Equal("event_stream", result.NoticedVia);
        Assert.Equal("done\n", result.Output);
        Assert.Equal(TimeSpan.Zero, result.Waited);
        Assert.Single(reads);
    }

    [Fact]
    public async Task WaitAsync_WithoutAStream_PollsFastThenWidens()
    {
        var waiter = new CommandWaiter(time);
        var start = time.GetUtcNow();
        var result = await DriveAsync(waiter.WaitAsync(Reading(n => n < 8 ? Command("running") : Command("success", handled: true)), Command("queued"), null, new(TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(15)), null, CancellationToken.None));

        Assert.Equal(CommandWaitEnd.Completed, result.End);
        Assert.Equal("poll", result.NoticedVia);
        var gaps = reads.Select((t, i) => (t - (i == 0 ? start : reads[i - 1])).TotalMilliseconds).ToList();
        Assert.Equal([100, 200, 400, 800, 1000, 1000, 1000, 1000], gaps);
    }

    [Fact]
    public void PollInterval_FollowsTheCliStepsAfterTheFirstSecond()
    {
        Assert.Equal(TimeSpan.FromMilliseconds(100), CommandWaiter.PollInterval(0, TimeSpan.Zero));
        Assert.Equal(TimeSpan.FromSeconds(1), CommandWaiter.PollInterval(9, TimeSpan.FromSeconds(9)));
        Assert.Equal(TimeSpan.FromSeconds(5), CommandWaiter.PollInterval(20, TimeSpan.FromSeconds(30)));
        Assert.Equal(TimeSpan.FromSeconds(10), CommandWaiter.PollInterval(40, TimeSpan.FromMinutes(3)));
    }

    [Theory]
    [InlineData("awaiting_approval", CommandWaitEnd.AwaitingApproval)]
    [InlineData("denied", CommandWaitEnd.Failed)]
    [InlineData("cancelled", CommandWaitEnd.Failed)]
    public async Task WaitAsync_SubmittedInAFinalOrPendingState_ReturnsWithoutReading(string status, CommandWaitEnd end)
    {
        var result = await new CommandWaiter(time).WaitAsync(Reading(_ => throw new InvalidOperationException()), Command(status), null, new(TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(15)), null, CancellationToken.None);

        Assert.Equal(end, result.End);
        Assert.Empty(reads);
    }

    [Theory]
    [InlineData("stuck")]
    [InlineData("rejected")]
    [InlineData("error")]
    public async Task WaitAsync_FailsFast_OnTheFirstReadOfAFailedState(string status)
    {
        var result = await DriveAsync(new CommandWaiter(time).WaitAsync(Reading(_ => Command(status)), Command("queued"), null, new(TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(15)), null, CancellationToken.None));

        Assert.Equal(CommandWaitEnd.Failed, result.End);
        Assert.Single(reads);
    }

    [Fact]
    public async Task WaitAsync_NoProgress_TimesOutAtTheTimeout()
    {
        var result = await DriveAsync(new CommandWaiter(time).WaitAsync(Reading(_ => Command("running")), Command("running"), null, new(TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(9)), null, CancellationToken.None));

        Assert.Equal(CommandWaitEnd.TimedOut, result.End);
        Assert.Equal(TimeSpan.FromSeconds(3), result.Waited);
    }

    [Fact]
    public async Task WaitAsync_ProgressRestartsTheDeadline_UnderTheHardCap()
    {
        var signals = Channel.CreateUnbounded<CommandSignal>();
        var seq = 0;
        var last = time.GetUtcNow();
        var updates = new List<string>();
        var wait = new CommandWaiter(time).WaitAsync(Reading(_ => Command("running")), Command("running"), signals.Reader, new(TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(5)), u => { if (u.Output is { } o) updates.Add(o); }, CancellationToken.None);
        // A line of output every 1.5 s: always within the 2 s timeout, so only the 5 s cap ends the wait.
        var result = await DriveAsync(wait, _ =>
        {
            if (time.GetUtcNow() - last >= TimeSpan.FromSeconds(1.5))
            {
                last = time.GetUtcNow();
                signals.Writer.TryWrite(new CommandSignal(CommandSignalKind.Output, seq, $"line {seq}\n"));
                seq++;
            }
        });

        Assert.Equal(CommandWaitEnd.TimedOut, result.End);
        Assert.Equal(TimeSpan.FromSeconds(5), result.Waited);
        Assert.True(updates.Count >= 2);
        Assert.Equal("line 0\n", updates[0]);
    }

    [Fact]
    public async Task WaitAsync_OutputMissedBeforeTheSubscription_IsFetchedFromChunks_AndPassedOnInOrder()
    {
        var signals = Channel.CreateUnbounded<CommandSignal>();
        signals.Writer.TryWrite(new CommandSignal(CommandSignalKind.Output, 2, "c"));
        signals.Writer.TryWrite(new CommandSignal(CommandSignalKind.Finished));
        var outputs = new List<string>();
        var source = Reading(_ => Command("success", handled: true));
        source.Chunks = [(0, "a"), (1, "b")];

        var result = await new CommandWaiter(time).WaitAsync(source, Command("running"), signals.Reader, new(TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(15)), u => { if (u.Output is { } o) outputs.Add(o); }, CancellationToken.None);

        Assert.Equal(CommandWaitEnd.Completed, result.End);
        Assert.Equal(["abc"], outputs);
        Assert.Equal((0, (int?)1), source.ChunkRequests.Single());
    }

    [Fact]
    public async Task WaitAsync_WithoutAStream_ReadsNewChunksWhileRunning_AndOutputRestartsTheDeadline()
    {
        var outputs = new List<string>();
        Source source = null!;
        // The status stays 'running' for 12 reads (about 7.5 s, well past the 2 s timeout), but each read finds a new line.
        source = Reading(n =>
        {
            source.Chunks.Add((n - 1, $"line {n - 1}\n"));
            return n < 12 ? Command("running") : Command("success", handled: true);
        });

        var result = await DriveAsync(new CommandWaiter(time).WaitAsync(source, Command("running"), null, new(TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(30)), u => { if (u.Output is { } o) outputs.Add(o); }, CancellationToken.None));

        Assert.Equal(CommandWaitEnd.Completed, result.End);
        Assert.Equal("poll", result.NoticedVia);
        Assert.Equal([.. Enumerable.Range(0, 11).Select(i => $"line {i}\n")], outputs);
        // Each read asks only for what it has not seen yet.
        Assert.Equal([.. Enumerable.Range(0, 11).Select(i => (i, (int?)null))], source.ChunkRequests);
    }

    [Fact]
    public async Task WaitAsync_WithoutAStream_TimesOutOnceTheOutputStops()
    {
        Source source = null!;
        source = Reading(n =>
        {
            if (n <= 3)
                source.Chunks.Add((n - 1, $"line {n - 1}\n"));
            return Command("running");
        });

        var result = await DriveAsync(new CommandWaiter(time).WaitAsync(source, Command("running"), null, new(TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(30)), null, CancellationToken.None));

        // The last line was seen by the third read (at 0.7 s): the 2 s timeout runs from there.
        Assert.Equal(CommandWaitEnd.TimedOut, result.End);
        Assert.Equal(TimeSpan.FromSeconds(2.7), result.Waited);
    }

    [Fact]
    public async Task WaitAsync_WithAStream_LeavesChunksToTheFrames()
    {
        var signals = Channel.CreateUnbounded<CommandSignal>();
        var source = Reading(n => n < 4 ? Command("running") : Command("success", handled: true));

        var result = await DriveAsync(new CommandWaiter(time).WaitAsync(source, Command("running"), signals.Reader, new(TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(15)), null, CancellationToken.None));

        Assert.Equal(CommandWaitEnd.Completed, result.End);
        Assert.Empty(source.ChunkRequests);
    }

    [Fact]
    public async Task WaitAsync_ReadFailsWithA4xx_EndsWithThatError()
    {
        var wait = new CommandWaiter(time).WaitAsync(Reading(_ => throw new AlpaconApiException("GET failed: 404", System.Net.HttpStatusCode.NotFound)), Command("queued"), null, new(TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(15)), null, CancellationToken.None);

        await Assert.ThrowsAsync<AlpaconApiException>(() => DriveAsync(wait));
    }

    private sealed class Source(CommandWaiterTests test, Func<int, JsonObject> state) : ICommandSource
    {
        public List<(int, string)> Chunks { get; set; } = [];

        public List<(int From, int? To)> ChunkRequests { get; } = [];

        public Task<JsonObject> GetAsync(CancellationToken cancellationToken)
        {
            test.reads.Add(test.time.GetUtcNow());
            return Task.FromResult(state(test.reads.Count));
        }

        public Task<IReadOnlyList<(int Seq, string Content)>> ChunksAsync(int fromSeq, int? toSeq, CancellationToken cancellationToken)
        {
            ChunkRequests.Add((fromSeq, toSeq));
            return Task.FromResult<IReadOnlyList<(int, string)>>([.. Chunks.Where(c => c.Item1 >= fromSeq && c.Item1 <= (toSeq ?? int.MaxValue))]);
        }

        public Task<string> OutputAsync(JsonObject command, CancellationToken cancellationToken) => Task.FromResult(command["result"]?.ToString() ?? "");
    }
}
