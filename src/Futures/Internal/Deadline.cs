using System.Diagnostics;

namespace Futures.Internal;

/// <summary>
/// A point in time after which a wait gives up, from the contract's <c>TimeSpan? timeout</c>:
/// <c>null</c> waits forever, zero or negative does not wait at all.
/// </summary>
internal readonly struct Deadline
{
    /// <summary>Stopwatch ticks at which the wait ends; <see cref="long.MaxValue"/> for never.</summary>
    private readonly long _endTicks;

    private Deadline(long endTicks) => _endTicks = endTicks;

    public static Deadline Never => new(long.MaxValue);

    public static Deadline From(TimeSpan? timeout)
    {
        if (timeout is not { } t) return Never;
        if (t <= TimeSpan.Zero) return new(Stopwatch.GetTimestamp());
        double ticks = t.TotalSeconds * Stopwatch.Frequency;
        long now = Stopwatch.GetTimestamp();
        return ticks >= long.MaxValue - now ? Never : new(now + (long)ticks);
    }

    public bool IsInfinite => _endTicks == long.MaxValue;

    public bool HasExpired => !IsInfinite && Stopwatch.GetTimestamp() >= _endTicks;

    /// <summary>Milliseconds left, for Monitor.Wait and friends: -1 (infinite) when there is no deadline, 0 once passed.</summary>
    public int RemainingMilliseconds
    {
        get
        {
            if (IsInfinite) return Timeout.Infinite;
            long left = _endTicks - Stopwatch.GetTimestamp();
            if (left <= 0) return 0;
            double ms = Math.Ceiling(left * 1000.0 / Stopwatch.Frequency);
            return ms >= int.MaxValue ? int.MaxValue - 1 : (int)ms;
        }
    }

    /// <summary>Time left, for Task.WaitAsync and timers: <see cref="Timeout.InfiniteTimeSpan"/> when there is no deadline.</summary>
    public TimeSpan Remaining
    {
        get
        {
            int ms = RemainingMilliseconds;
            return ms == Timeout.Infinite ? Timeout.InfiniteTimeSpan : TimeSpan.FromMilliseconds(ms);
        }
    }
}
