using System.Diagnostics;

namespace Futures.Internal;

/// <summary>
/// A point in time after which a wait gives up, from the contract's <c>TimeSpan? timeout</c>:
/// <c>null</c> and <see cref="Timeout.InfiniteTimeSpan"/> wait forever, zero and every other
/// negative value do not wait at all.
/// </summary>
/// <remarks>
/// Every public wait that takes a timeout (Result, Exception, Wait, AsCompleted and their async
/// forms, Map and MapUnordered) turns it into a deadline here, so this is the one place that
/// decides what a timeout means.
/// </remarks>
internal readonly struct Deadline
{
    /// <summary>Stopwatch ticks at which the wait ends; <see cref="long.MaxValue"/> for never.</summary>
    private readonly long _endTicks;

    private Deadline(long endTicks) => _endTicks = endTicks;

    public static Deadline Never => new(long.MaxValue);

    public static Deadline From(TimeSpan? timeout)
    {
        // −1 ms is how .NET spells "forever" (Timeout.InfiniteTimeSpan); every .NET user reads it so,
        // though Python's rule (negative = don't wait) would make it "now" (contract v2).
        if (timeout is not { } t || t == Timeout.InfiniteTimeSpan) return Never;
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
