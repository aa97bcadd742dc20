using System.Diagnostics;
using Futures.ProcessPool;
using Futures.ProcessPool.Protocol;

namespace Futures;

// The executor's side of the manager thread: what ExecutorManagerThread reads and changes here.
public sealed partial class ProcessPoolExecutor
{
    /// <summary>The initializer each worker runs first.</summary>
    internal CallItem? Initializer => _initializer;

    /// <summary>Calls per worker before it is replaced; null for no limit.</summary>
    internal int? MaxTasksPerChild => _maxTasksPerChild;

    /// <summary>How long a call may run; null for no limit.</summary>
    internal TimeSpan? TaskTimeout => _taskTimeout;

    /// <summary>What a worker's unexpected death does.</summary>
    internal WorkerCrashMode CrashMode => _workerCrashMode;

    /// <summary>Whether Shutdown has been called (read without the lock).</summary>
    internal bool ShutdownRequested => _shutdownRequested;

    /// <summary>How this pool starts workers; null for <see cref="WorkerLauncher.Default"/>. For tests (a launcher that cannot start a worker).</summary>
    internal WorkerLauncher? Launcher { get; set; }

    /// <summary>The signal of TerminateWorkers/KillWorkers, or 0.</summary>
    internal int ForceSignal => _forceSignal;

    /// <summary>Whether calls are waiting for a worker.</summary>
    internal bool HasPending
    {
        get { lock (_lock) return _pending.Count > 0; }
    }

    /// <summary>Takes the oldest waiting call and frees its queue slot. Mirrors the dequeue in <c>add_call_item_to_queue</c>.</summary>
    internal bool TryTakePending(out PendingCall call)
    {
        lock (_lock)
        {
            AssertInvariants();
            if (!_pending.TryDequeue(out call!)) return false;
            _queued = _pending.Count;
        }
        _queueSlots?.Release();
        return true;
    }

    /// <summary>Marks the pool broken (later Submit throws) and hands back the calls that were waiting.</summary>
    internal List<PendingCall> MarkBroken(string message, Exception? inner)
    {
        lock (_lock)
        {
            AssertInvariants();
            _broken ??= (message, inner);
            _brokenFlag = true;
            return DrainPending_NeedsLock();
        }
    }

    /// <summary>A new <see cref="BrokenProcessPoolException"/> for one future (each gets its own, so that rethrowing never mixes stacks).</summary>
    internal static BrokenProcessPoolException NewBrokenException(string message, Exception? inner) => NewBroken(message, inner);

    /// <summary>Publishes the manager's worker counts for the gauges and <see cref="ToString"/>. Under the manager's lock.</summary>
    internal void PublishWorkerCounts(int live, int busy)
    {
        _liveWorkers = live;
        _busyWorkers = busy;
    }

    /// <summary>Records a started worker, for TerminateWorkers/KillWorkers.</summary>
    internal void AddWorker(WorkerProcess worker)
    {
        lock (_lock) _workers.Add(worker);
    }

    /// <summary>Forgets a worker that has exited.</summary>
    internal void RemoveWorker(WorkerProcess worker)
    {
        lock (_lock) _workers.Remove(worker);
    }

    /// <summary>The pids of the live workers (tests use this to check that none outlives the pool).</summary>
    internal int[] WorkerPids()
    {
        lock (_lock) return _workers.Select(w => w.Pid).ToArray();
    }

    /// <summary>Most pids and start times kept for tests and measurements; a long-lived pool that replaces workers forgets the oldest.</summary>
    private const int MaxRecorded = 1024;

    /// <summary>The pids this pool started (the last <see cref="MaxRecorded"/>), e.g. <c>[4711, 4712]</c>; tests check that all are gone. Guarded by itself.</summary>
    internal List<int> StartedPids { get; } = new();

    /// <summary>How long each worker took from start to Ready (the last <see cref="MaxRecorded"/>), for measurements. Guarded by itself.</summary>
    internal List<TimeSpan> StartTimes { get; } = new();

    /// <summary>Appends to a bounded record list.</summary>
    internal static void Record<T>(List<T> list, T value)
    {
        lock (list)
        {
            if (list.Count == MaxRecorded) list.RemoveAt(0);
            list.Add(value);
        }
    }

    [Conditional("DEBUG")]
    private void AssertInvariants()
    {
        Debug.Assert(Monitor.IsEntered(_lock));
        Debug.Assert(_broken is null || _pending.Count == 0, "A broken pool holds no waiting calls.");
        Debug.Assert(_queued == _pending.Count, "The published queue depth is the number of waiting calls.");
        Debug.Assert(_brokenFlag == (_broken is not null), "The broken flag mirrors the broken state.");
    }
}
