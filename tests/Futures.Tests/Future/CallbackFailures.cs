namespace Futures.Tests;

/// <summary>
/// Records <see cref="Future.CallbackFailed"/> reports about the given futures only: the event is
/// static and other tests run in parallel, so reports about their futures are ignored.
/// </summary>
internal sealed class CallbackFailures : IDisposable
{
    private readonly Future[] _futures;
    private readonly List<(FutureCallbackFailedEventArgs Args, object? Sender, Thread Thread)> _reports = [];

    public CallbackFailures(params Future[] futures)
    {
        _futures = futures;
        Future.CallbackFailed += OnCallbackFailed;
    }

    /// <summary>The reports so far, in the order raised.</summary>
    public IReadOnlyList<(FutureCallbackFailedEventArgs Args, object? Sender, Thread Thread)> Reports
    {
        get { lock (_reports) return [.. _reports]; }
    }

    private void OnCallbackFailed(object? sender, FutureCallbackFailedEventArgs e)
    {
        if (!_futures.Contains(e.Future)) return;
        lock (_reports)
        {
            _reports.Add((e, sender, Thread.CurrentThread));
            Monitor.PulseAll(_reports);
        }
    }

    /// <summary>Waits until <paramref name="count"/> reports have come (some are raised on another thread); false after <paramref name="timeout"/>.</summary>
    public bool WaitFor(int count, TimeSpan timeout)
    {
        long deadline = Environment.TickCount64 + (long)timeout.TotalMilliseconds;
        lock (_reports)
        {
            while (_reports.Count < count)
            {
                long left = deadline - Environment.TickCount64;
                if (left <= 0 || !Monitor.Wait(_reports, TimeSpan.FromMilliseconds(left))) return _reports.Count >= count;
            }
            return true;
        }
    }

    public void Dispose() => Future.CallbackFailed -= OnCallbackFailed;
}
