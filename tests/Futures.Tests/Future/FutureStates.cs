namespace Futures.Tests;

/// <summary>
/// Fresh futures in each state, like CPython's <c>PENDING_FUTURE</c> … <c>SUCCESSFUL_FUTURE</c>,
/// reached through the public API only (CPython pokes <c>_state</c>).
/// </summary>
internal static class FutureStates
{
    public static Future<int> Pending() => new();

    public static Future<int> Running()
    {
        var f = new Future<int>();
        f.SetRunningOrNotifyCancel().Should().BeTrue();
        return f;
    }

    public static Future<int> Cancelled()
    {
        var f = new Future<int>();
        f.Cancel().Should().BeTrue();
        return f;
    }

    public static Future<int> CancelledAndNotified()
    {
        Future<int> f = Cancelled();
        f.SetRunningOrNotifyCancel().Should().BeFalse();
        return f;
    }

    public static Future<int> Failed(Exception? exception = null)
    {
        var f = new Future<int>();
        f.SetException(exception ?? new IOException());
        return f;
    }

    public static Future<int> Successful(int result = 42)
    {
        var f = new Future<int>();
        f.SetResult(result);
        return f;
    }

    /// <summary>A future in <paramref name="state"/>; a finished one has result 42.</summary>
    public static Future<int> In(FutureState state) => state switch
    {
        FutureState.Pending => Pending(),
        FutureState.Running => Running(),
        FutureState.Cancelled => Cancelled(),
        FutureState.CancelledAndNotified => CancelledAndNotified(),
        FutureState.Finished => Successful(),
        _ => throw new ArgumentOutOfRangeException(nameof(state)),
    };
}
