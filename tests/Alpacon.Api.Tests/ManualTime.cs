namespace Alpacon.Api.Tests;

/// <summary>A clock that moves only when told to, with timers that fire when it passes their due time.</summary>
public sealed class ManualTime : TimeProvider
{
    private readonly Lock gate = new();
    private readonly List<Timer> timers = [];
    private DateTimeOffset now = new(2026, 5, 1, 9, 0, 0, TimeSpan.Zero);

    public override DateTimeOffset GetUtcNow()
    {
        lock (gate)
            return now;
    }

    public int PendingTimers
    {
        get
        {
            lock (gate)
                return timers.Count(t => t.DueAt is not null);
        }
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new Timer(this, callback, state);
        timer.Change(dueTime, period);
        return timer;
    }

    /// <summary>Moves to the earliest pending timer's due time and fires it.</summary>
    public void AdvanceToNextTimer()
    {
        Timer? next;
        lock (gate)
        {
            next = timers.Where(t => t.DueAt is not null).MinBy(t => t.DueAt);
            if (next is null)
                return;
            if (next.DueAt > now)
                now = next.DueAt!.Value;
            next.DueAt = null;
        }
        next.Fire();
    }

    private sealed class Timer(ManualTime time, TimerCallback callback, object? state) : ITimer
    {
        public DateTimeOffset? DueAt { get; set; }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            lock (time.gate)
            {
                if (!time.timers.Contains(this))
                    time.timers.Add(this);
                DueAt = dueTime == Timeout.InfiniteTimeSpan ? null : time.now + dueTime;
            }
            return true;
        }

        public void Fire() => callback(state);

        public void Dispose()
        {
            lock (time.gate)
                time.timers.Remove(this);
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
