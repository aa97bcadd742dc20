using System.Diagnostics;
using Futures.Internal;
using Futures.ProcessPool.Protocol;

namespace Futures.ProcessPool;

/*
LOCK-LEVELING SCHEME (the process pool)
  CallDispatcher._lock is the pool's one lock for call state; nothing is held while taking it.
  Under it a thread may take, as leaves that call nothing back into the pool: a future's lock
  (Pending -> Running in PendingCall.TryStart, which runs no callback), the inbox's lock
  (ManagerInbox.Post and Wakeup), a queue-slot semaphore's lock (Release; an async waiter's
  continuation runs asynchronously). Under it a small frame is written to a worker's pipe (which
  never blocks, see WorkerProcess.Send), a process may be signalled, a call's activity started and
  metrics recorded (their listeners must not block, as everywhere in the library).
  Never under it: completing or cancelling a future (done-callbacks are user code), starting a
  process, waiting. Futures are completed by the thread that took their call out of the state
  here, after it has released the lock.
*/

/// <summary>
/// The one owner of a process pool's call state: the waiting calls, the calls to send again, each
/// worker's calls, the worker list, the broken state and the shutdown record, all under one lock.
/// It hands calls to workers (<see cref="AddCallItemsToQueue_NeedsLock"/>), takes results back,
/// puts the calls of a lost worker back in line and breaks the pool.
/// </summary>
/// <remarks>
/// Whichever thread has something to do does it here, so that the hot path needs no thread hop:
/// Submit's thread hands its call to an idle worker, a worker's reader thread takes a result, hands
/// that worker its next call and completes the future. The manager thread (<see cref="ExecutorManagerThread"/>)
/// asks what to do next (<see cref="NextManagerStep"/>), starts workers, and reports exits, timeouts
/// and shutdown here. Files: this one (submit, dispatch, results), <c>CallDispatcher.Workers.cs</c>
/// (the worker list and each worker's calls), <c>CallDispatcher.Exits.cs</c> (exits, timeouts,
/// shutdown, breaking).
/// </remarks>
internal sealed partial class CallDispatcher
{
    /// <summary>
    /// Calls queued behind a busy worker, pool-wide (CPython's <c>EXTRA_QUEUED_CALLS</c>). One keeps a
    /// worker busy across the round trip of its next result; a larger number would make
    /// <c>Future.Cancel()</c> succeed less often, and strand more calls behind slow ones.
    /// </summary>
    /// <remarks>
    /// Unlike CPython's shared call queue, the extra call sits in one worker's pipe: if another
    /// worker frees up first, the extra call still waits for its own worker (head-of-line
    /// blocking of at most one call). It only goes to a busy worker when no worker is idle and
    /// no more can start.
    /// </remarks>
    private const int ExtraQueuedCalls = 1;

    // Immutable after construction.

    /// <summary>The pool: its settings, and the executor its metrics and traces are tagged with.</summary>
    private readonly ProcessPoolExecutor _executor;

    /// <summary>The manager's event queue: woken when a worker has to be started, a deadline changes, or shutdown may finish.</summary>
    private readonly ManagerInbox _inbox;

    /// <summary>Guards every field below that says so, and the <see cref="WorkerCalls"/> of every worker in <see cref="_workers"/>.</summary>
    private readonly object _lock = new();

    /// <summary>
    /// Free places in a bounded queue (one per call in <see cref="_pending"/>); null when unbounded.
    /// Taken by the front before <see cref="Submit"/>, released here when a call leaves <see cref="_pending"/>.
    /// </summary>
    public SemaphoreSlim? QueueSlots { get; }

    // Mutated under _lock.

    /// <summary>Calls submitted and not yet handed to a worker, oldest first; still Pending (Cancel works). Guarded by <see cref="_lock"/>.</summary>
    private readonly Queue<PendingCall> _pending = new();

    /// <summary>
    /// Calls already Running that must go to a worker again (their worker was killed for another call's
    /// timeout, or died in ReplaceWorker mode before starting them), front first; they go out before
    /// <see cref="_pending"/>. Guarded by <see cref="_lock"/>.
    /// </summary>
    private readonly LinkedList<PendingCall> _requeued = new();

    /// <summary>Numbers calls on the wire. Guarded by <see cref="_lock"/>.</summary>
    private long _lastCallId;

    /// <summary>Whether a call was ever accepted: then the manager thread runs, and Shutdown waits for it. Guarded by <see cref="_lock"/>.</summary>
    private bool _accepted;

    // Published for the gauges and ToString, read without the lock (written under it).

    /// <summary><see cref="_pending"/>'s count.</summary>
    private volatile int _queued;

    /// <summary>Worker processes alive.</summary>
    private volatile int _liveWorkers;

    /// <summary>Worker processes holding a call.</summary>
    private volatile int _busyWorkers;

    /// <summary>Whether <see cref="_broken"/> is set.</summary>
    private volatile bool _brokenFlag;

    /// <summary>Makes the dispatcher of <paramref name="executor"/>, whose manager takes events from <paramref name="inbox"/>.</summary>
    public CallDispatcher(ProcessPoolExecutor executor, ManagerInbox inbox, int? maxQueueSize)
    {
        _executor = executor;
        _inbox = inbox;
        QueueSlots = maxQueueSize is { } size ? new SemaphoreSlim(size, size) : null;
    }

    /// <summary>Calls waiting for a worker (read without the lock).</summary>
    public int QueueDepth => _queued;

    /// <summary>Workers alive (read without the lock).</summary>
    public int LiveWorkers => _liveWorkers;

    /// <summary>Workers holding a call (read without the lock).</summary>
    public int BusyWorkers => _busyWorkers;

    /// <summary>Whether the pool is broken (read without the lock).</summary>
    public bool IsBroken => _brokenFlag;

    /// <summary>
    /// Queues <paramref name="call"/> (its queue slot taken) and hands waiting calls to idle workers
    /// from this thread; wakes the manager when a worker has to be started for them.
    /// </summary>
    /// <exception cref="BrokenProcessPoolException">The pool is broken (the slot and the call's pooled buffers are given back).</exception>
    /// <exception cref="InvalidOperationException">The pool is shut down (the slot and the call's pooled buffers are given back).</exception>
    public void Submit(PendingCall call)
    {
        bool wake;
        lock (_lock)
        {
            AssertInvariants();
            if (_broken is not null || _shutdown)
            {
                QueueSlots?.Release();
                call.Blobs?.Release();
                if (_broken is { } broken) throw NewBrokenException(broken.Message, broken.Inner);
                ThrowHelper.ThrowShutdown();
            }
            _pending.Enqueue(call);
            _queued = _pending.Count;
            _accepted = true;
            wake = AddCallItemsToQueue_NeedsLock(out _, mayTakeForSpawn: false);
            PublishWorkerCounts_NeedsLock();
        }
        if (wake) _inbox.Wakeup();
    }

    /// <summary>
    /// A worker's reader thread read <paramref name="result"/>: takes its call off the worker, hands
    /// the worker its next call, then (outside the lock, on this thread) completes the future.
    /// </summary>
    public void OnResult(WorkerProcess process, ResultItem result)
    {
        PendingCall? call = null;
        bool wake;
        lock (_lock)
        {
            AssertInvariants();
            // Not found: its exit was handled already (the reader outlived the exit grace); the calls went elsewhere.
            if (Find_NeedsLock(process) is { } worker) call = TakeAnswered_NeedsLock(worker, result.CallId);
            // The worker's next call goes out before this future completes: the worker is busy again sooner.
            wake = AddCallItemsToQueue_NeedsLock(out _, mayTakeForSpawn: false);
            // The manager waits for the last result of a shutdown; no other result concerns it.
            wake |= _shutdown;
            PublishWorkerCounts_NeedsLock();
        }
        if (wake) _inbox.Wakeup();
        // Null: given up (timed out, pool broken) while its result was on the way; already failed.
        call?.Complete(result, _executor);
    }

    /// <summary>
    /// Hands calls to idle workers, plus <see cref="ExtraQueuedCalls"/>. Mirrors <c>add_call_item_to_queue</c>.
    /// When a call needs a worker that is not started yet, returns <c>true</c>: with
    /// <paramref name="mayTakeForSpawn"/> (the manager thread) that call is taken as
    /// <paramref name="forSpawn"/>, for the manager to start a worker with; otherwise it stays waiting
    /// and the caller wakes the manager.
    /// </summary>
    private bool AddCallItemsToQueue_NeedsLock(out PendingCall? forSpawn, bool mayTakeForSpawn)
    {
        Debug.Assert(Monitor.IsEntered(_lock));
        forSpawn = null;
        if (_broken is not null || _forceSignal != 0) return false;
        while (true)
        {
            WorkerCalls? target = IdleWorker_NeedsLock();
            bool spawn = target is null && CountedWorkers_NeedsLock() + _spawning < _executor.MaxWorkers;
            if (target is null && !spawn && QueuedBehindBusy_NeedsLock() < ExtraQueuedCalls) target = LongestRunning_NeedsLock();
            if (target is null && !spawn) return false;
            if (spawn && !mayTakeForSpawn) return _requeued.Count > 0 || _pending.Count > 0;
            if (TakeNextCall_NeedsLock() is not { } call) return false;
            if (target is null)
            {
                forSpawn = call;
                _spawning++;
                return true;
            }
            Send_NeedsLock(target, call);
        }
    }

    /// <summary>The next call to hand out, now Running: a call to send again first, else a waiting one that is not cancelled.</summary>
    private PendingCall? TakeNextCall_NeedsLock()
    {
        Debug.Assert(Monitor.IsEntered(_lock));
        if (_requeued.First is { } first)
        {
            _requeued.RemoveFirst();
            return first.Value;
        }
        while (_pending.TryDequeue(out PendingCall? call))
        {
            _queued = _pending.Count;
            QueueSlots?.Release();
            // From here the call counts as running: Cancel() returns false. A cancelled one is dropped (and counted).
            if (call.TryStart(_executor)) return call;
        }
        return null;
    }

    /// <summary>Takes every waiting call out of the queue and frees their slots (shutdown with cancelFutures, or a break).</summary>
    private List<PendingCall> DrainPending_NeedsLock()
    {
        Debug.Assert(Monitor.IsEntered(_lock));
        var drained = new List<PendingCall>(_pending);
        _pending.Clear();
        _queued = 0;
        if (drained.Count > 0) QueueSlots?.Release(drained.Count);
        return drained;
    }

    /// <summary>Publishes live and busy workers for the gauges: wherever calls are handed out or taken back, so they are never more than one event behind.</summary>
    private void PublishWorkerCounts_NeedsLock()
    {
        Debug.Assert(Monitor.IsEntered(_lock));
        int busy = 0;
        foreach (WorkerCalls w in _workers) if (w.Calls.Count > 0) busy++;
        _liveWorkers = _workers.Count;
        _busyWorkers = busy;
    }

    /// <summary>A new <see cref="BrokenProcessPoolException"/> for one future or one Submit (each gets its own, so that rethrowing never mixes stacks).</summary>
    private static BrokenProcessPoolException NewBrokenException(string message, Exception? inner) =>
        inner is null ? new BrokenProcessPoolException(message) : new BrokenProcessPoolException(message, inner);

    [Conditional("DEBUG")]
    private void AssertInvariants()
    {
        Debug.Assert(Monitor.IsEntered(_lock));
        Debug.Assert(_queued == _pending.Count, "The published queue depth is the number of waiting calls.");
        Debug.Assert(_brokenFlag == (_broken is not null), "The broken flag mirrors the broken state.");
        Debug.Assert(_broken is null || (_pending.Count == 0 && _requeued.Count == 0), "A broken pool holds no calls waiting for a worker.");
        Debug.Assert(_broken is null || _workers.TrueForAll(w => w.Calls.Count == 0), "A broken pool's workers hold no calls: they were failed.");
        Debug.Assert(_spawning >= 0, "Workers being started cannot be negative.");
        Debug.Assert(_workers.TrueForAll(w => w.Calls.Count <= 1 + ExtraQueuedCalls), "A worker holds at most its call and the extra one.");
        Debug.Assert(_workers.Sum(w => Math.Max(0, w.Calls.Count - 1)) <= ExtraQueuedCalls, "At most ExtraQueuedCalls calls wait behind busy workers, pool-wide.");
        Debug.Assert(_accepted || (_pending.Count == 0 && _workers.Count == 0), "Nothing runs before the first call.");
    }
}
