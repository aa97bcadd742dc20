using System.Diagnostics;
using Futures.ProcessPool.Protocol;

namespace Futures.ProcessPool;

/// <summary>What wakes the manager thread.</summary>
internal enum ManagerEventKind
{
    /// <summary>Something changed in the pool (a worker to start, a deadline, a shutdown, a forced termination): look again.</summary>
    Wakeup,

    /// <summary>A worker sent <see cref="ManagerEvent.Frame"/>.</summary>
    Message,

    /// <summary>A worker process exited and every frame it sent has been posted before this.</summary>
    Exited,
}

/// <summary>One event for the manager thread.</summary>
internal readonly record struct ManagerEvent(ManagerEventKind Kind, WorkerProcess? Worker = null, Frame Frame = default);

/// <summary>
/// The manager thread's single queue: worker reader threads (an initializer failure, a protocol
/// error), process-exit handlers, and the dispatcher and Shutdown (wakeups) post here, and the
/// manager takes one event at a time (CPython's manager waits on the result queue's reader, the
/// process sentinels and a wakeup pipe at once; this is that, as a queue). Results do not come
/// here: the reader threads hand them to the dispatcher.
/// </summary>
/// <remarks>The lock is a leaf: it is taken for a few instructions, also under the dispatcher's lock, and nothing is called under it.</remarks>
internal sealed class ManagerInbox
{
    /// <summary>Events in arrival order, e.g. <c>[Message(w1, InitFailed), Exited(w2), Wakeup]</c>. Guarded by <see cref="_lock"/>.</summary>
    private readonly Queue<ManagerEvent> _events = new();

    /// <summary>Whether a <see cref="ManagerEventKind.Wakeup"/> is queued already (wakeups coalesce). Guarded by <see cref="_lock"/>.</summary>
    private bool _wakeupQueued;

    private readonly object _lock = new();

    /// <summary>Queues <paramref name="e"/> and wakes the manager.</summary>
    public void Post(ManagerEvent e)
    {
        lock (_lock)
        {
            _events.Enqueue(e);
            Monitor.Pulse(_lock);
        }
    }

    /// <summary>Asks the manager to look at the executor's state again (one pending wakeup at most).</summary>
    public void Wakeup()
    {
        lock (_lock)
        {
            if (_wakeupQueued) return;
            _wakeupQueued = true;
            _events.Enqueue(new ManagerEvent(ManagerEventKind.Wakeup));
            Monitor.Pulse(_lock);
        }
    }

    /// <summary>Takes the next event, waiting at most <paramref name="timeout"/> (infinite: <see cref="Timeout.InfiniteTimeSpan"/>).</summary>
    /// <returns><c>false</c> if the time ran out first.</returns>
    public bool TryTake(TimeSpan timeout, out ManagerEvent e)
    {
        long start = Stopwatch.GetTimestamp();
        lock (_lock)
        {
            while (_events.Count == 0)
            {
                TimeSpan left = timeout == Timeout.InfiniteTimeSpan ? timeout : timeout - Stopwatch.GetElapsedTime(start);
                if (left != Timeout.InfiniteTimeSpan && left <= TimeSpan.Zero) { e = default; return false; }
                Monitor.Wait(_lock, left);
            }
            e = _events.Dequeue();
            if (e.Kind == ManagerEventKind.Wakeup) _wakeupQueued = false;
            return true;
        }
    }
}
