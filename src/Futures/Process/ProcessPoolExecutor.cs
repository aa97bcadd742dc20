using System.Diagnostics;
using Futures.Diagnostics;
using Futures.Internal;
using Futures.ProcessPool;
using Futures.ProcessPool.Protocol;

namespace Futures;

/*
Data flow (CPython's process.py, redrawn for one pipe pair per worker):

|========================== In-process ===========================|==== Out-of-process ====|

+----------+     +------------+     +---------------+  call pipe   +---------------------+
|          |     |            |     | dispatch      | ===========> |                     |
| Submit() | ==> | _pending   | ==> | (manager's    |  (written by | worker #1 WorkerLoop|
|  Map()   |     | (queue of  |     |  lock; on the |  the sender; | reads CallItems,    |
|          |     | PendingCall|     |  Submit,      |  big frames: |  invokes, writes    |
+----------+     |  ; bounded |     |  reader or    |  writer thr.)|  ResultItems        |
     |           |  by slots) |     |  manager thr.)| <=========== +---------------------+
     |           +------------+     +---------------+ result pipe  | worker #2 ...       |
     v                                      ^         (reader      +---------------------+
  Future <-- SetResult ---- reader thread --+          thread)
         <-- SetException - manager thread: inbox <-- Process.Exited, InitFailed, wakeups

Submit() (any thread):
  checks the delegate (a static method or a lambda that captures nothing), serializes the
  arguments by their declared types into a PendingCall, takes a queue slot (bounded queue) and adds
  the call to _pending. The future stays Pending: Cancel() still works. Then, under the manager's
  lock, it hands waiting calls to idle workers itself (writing the frame to the pipe: no thread hop),
  or wakes the manager when a worker has to be started for them.

Dispatch (ExecutorManagerThread.cs, under its lock, on whichever thread gets there: Submit's, a
  reader's, the manager's): a call to each idle worker, plus at most one extra call queued behind a
  busy worker; a call handed out is Running.

Reader thread (one per worker): reads the worker's frames; on a Result it takes the call off the
  worker, hands the worker its next call, then completes the future (outside any lock).

Manager thread (one per pool, started by the first Submit; ExecutorManagerThread.cs):
  the only thread that starts workers (so that the Linux parent-death signal, tied to the starting
  thread, lives as long as the pool). It takes events from its inbox (a worker's exit or
  InitFailed, a wakeup), starts workers on demand up to MaxWorkers, replaces workers that retire
  (maxTasksPerChild) or overrun taskTimeout, breaks the pool (or replaces the worker) when one dies,
  and at shutdown tells the workers to exit and waits.

Worker process #1..n (WorkerHost/; Futures.dll's Main started with `dotnet exec` on the app's own
  runtimeconfig and deps.json): runs the initializer, then reads a call, loads the method's
  assembly, deserializes the arguments by their declared types, invokes, serializes the result (or
  the exception, as text) and writes it back, one call at a time, until told to exit. It dies with
  the parent: PR_SET_PDEATHSIG, a getppid() watch, and end of file on the call pipe.

Observability (Diagnostics/): the gauges read the volatile counts below (_queued here, live and busy
  published under the manager's lock), never a lock. Counters and histograms are recorded where each
  outcome is decided (dispatch, reader or manager thread). When the Futures ActivitySource has
  listeners at Submit, the call carries the submitter's trace context (CallTrace); dispatch starts the
  call's futures.task activity when it hands the call out and sends that activity's traceparent in the CallItem; the worker runs the call
  inside a futures.task.invoke activity with that parent, so Activity.Current in user code carries the
  trace across the process boundary.

LOCK-LEVELING SCHEME
  The manager's lock (ExecutorManagerThread._sync) comes first: it may be held while taking _lock.
  _lock (below) guards the executor's shared state. It is never held while completing or
  cancelling a future, while starting or signalling a process, or while waiting, nor while taking
  the manager's lock. The manager's inbox lock and each future's lock are leaves taken after _lock
  is released (or under it only for the inbox's Post, which calls nothing).
*/

/// <summary>
/// An executor that runs calls in child worker processes (Python's <c>concurrent.futures.ProcessPoolExecutor</c>).
/// </summary>
/// <remarks>
/// What can cross: a static method, or a lambda that captures nothing, and its arguments, which travel
/// serialized with System.Text.Json (public fields included) by Submit's type arguments; the result
/// travels back the same way. An exception thrown in a worker comes back as the same type and message
/// where that type is loaded here, with a <see cref="RemoteException"/> inner exception carrying the
/// worker's stack trace.
/// </remarks>
[DebuggerDisplay("{ToString(),nq}")]
public sealed partial class ProcessPoolExecutor : Executor, IObservableExecutor
{
    /// <summary>Numbers pools for default names, from 0.</summary>
    private static int s_poolCount = -1;

    // Immutable after construction.

    /// <summary>The initializer named for the workers; null for none.</summary>
    private readonly CallItem? _initializer;

    /// <summary>Calls a worker runs before it is replaced; null for no limit.</summary>
    private readonly int? _maxTasksPerChild;

    /// <summary>How long a call may run before its worker is killed; null for no limit.</summary>
    private readonly TimeSpan? _taskTimeout;

    private readonly WorkerCrashMode _workerCrashMode;

    private readonly QueueFullMode _queueFullMode;

    /// <summary>Free places in a bounded queue (one per call not yet handed to a worker); null when unbounded.</summary>
    private readonly SemaphoreSlim? _queueSlots;

    /// <summary>The manager's event queue; Submit and Shutdown post wakeups here.</summary>
    private readonly ManagerInbox _inbox = new();

    /// <summary>Guards the fields below.</summary>
    private readonly object _lock = new();

    // Mutated under _lock.

    /// <summary>Calls submitted and not yet handed to a worker, oldest first. Guarded by <see cref="_lock"/>.</summary>
    private readonly Queue<PendingCall> _pending = new();

    /// <summary>Live worker processes, for TerminateWorkers/KillWorkers (the manager adds and removes). Guarded by <see cref="_lock"/>.</summary>
    private readonly List<WorkerProcess> _workers = new();

    /// <summary>The manager thread, started by the first Submit. Guarded by <see cref="_lock"/>.</summary>
    private ExecutorManagerThread? _manager;

    /// <summary>Why the pool is broken (message and inner exception); null while it is usable. Guarded by <see cref="_lock"/>.</summary>
    private (string Message, Exception? Inner)? _broken;

    /// <summary>Set by Shutdown; volatile so that the manager reads it without the lock.</summary>
    private volatile bool _shutdownRequested;

    /// <summary>The signal TerminateWorkers/KillWorkers sent (0: none); the manager signals workers it starts later too.</summary>
    private volatile int _forceSignal;

    /// <summary><see cref="_pending"/>'s count, for the queue-depth gauge and <see cref="ToString"/> (read without the lock). Written under <see cref="_lock"/>.</summary>
    private volatile int _queued;

    /// <summary>Whether <see cref="_broken"/> is set, for <see cref="ToString"/> (read without the lock). Set under <see cref="_lock"/>.</summary>
    private volatile bool _brokenFlag;

    /// <summary>Worker processes alive, published by the manager thread for the gauges (read without a lock).</summary>
    private volatile int _liveWorkers;

    /// <summary>Worker processes holding a call, published by the manager thread for the gauges (read without a lock).</summary>
    private volatile int _busyWorkers;

    /// <summary>Creates a process pool.</summary>
    /// <param name="maxWorkers">The most worker processes at once; default <see cref="Environment.ProcessorCount"/>.</param>
    /// <param name="initializer">Runs first in every worker: a static method or a lambda that captures nothing. If it throws, the pool is broken.</param>
    /// <param name="maxTasksPerChild">Calls a worker runs before it exits and is replaced; null for no limit.</param>
    /// <param name="maxQueueSize">The most calls waiting for a worker; null for unbounded.</param>
    /// <param name="queueFullMode">What Submit does when the queue is full: <see cref="QueueFullMode.Wait"/> or <see cref="QueueFullMode.Throw"/>.</param>
    /// <param name="taskTimeout">A call that runs longer fails with <see cref="TimeoutException"/>; its worker is killed and replaced.</param>
    /// <param name="workerCrashMode">What a worker's unexpected death does: break the pool (Python) or fail only its call.</param>
    /// <param name="name">Identifies the pool; default <c>ProcessPoolExecutor-{k}</c>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxWorkers"/>, <paramref name="maxTasksPerChild"/>, <paramref name="maxQueueSize"/> or <paramref name="taskTimeout"/> is not positive.</exception>
    /// <exception cref="ArgumentException"><paramref name="queueFullMode"/> is <see cref="QueueFullMode.CallerRuns"/>, or <paramref name="initializer"/> captures state.</exception>
    public ProcessPoolExecutor(int? maxWorkers = null, Action? initializer = null,
        int? maxTasksPerChild = null, int? maxQueueSize = null,
        QueueFullMode queueFullMode = QueueFullMode.Wait,
        TimeSpan? taskTimeout = null,
        WorkerCrashMode workerCrashMode = WorkerCrashMode.BreakPool, string? name = null)
    {
        if (maxWorkers <= 0) throw new ArgumentOutOfRangeException(nameof(maxWorkers), maxWorkers, Messages.MaxWorkers);
        if (maxTasksPerChild <= 0) throw new ArgumentOutOfRangeException(nameof(maxTasksPerChild), maxTasksPerChild, "maxTasksPerChild must be >= 1");
        if (maxQueueSize <= 0) throw new ArgumentOutOfRangeException(nameof(maxQueueSize), maxQueueSize, Messages.MaxQueueSize);
        if (taskTimeout <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(taskTimeout), taskTimeout, "taskTimeout must be positive");
        if (queueFullMode == QueueFullMode.CallerRuns) throw new ArgumentException(Messages.CallerRunsInProcessPool, nameof(queueFullMode));
        if (!Enum.IsDefined(queueFullMode)) throw new ArgumentOutOfRangeException(nameof(queueFullMode));
        if (!Enum.IsDefined(workerCrashMode)) throw new ArgumentOutOfRangeException(nameof(workerCrashMode));
        MaxWorkers = maxWorkers ?? Environment.ProcessorCount;
        _initializer = initializer is null ? null : PendingCall.DescribeInitializer(initializer);
        _maxTasksPerChild = maxTasksPerChild;
        _queueFullMode = queueFullMode;
        _queueSlots = maxQueueSize is { } size ? new SemaphoreSlim(size, size) : null;
        _taskTimeout = taskTimeout;
        _workerCrashMode = workerCrashMode;
        Name = name ?? $"ProcessPoolExecutor-{Interlocked.Increment(ref s_poolCount)}";
        FuturesMetrics.Register(this);
    }

    /// <summary>The most worker processes at once.</summary>
    public int MaxWorkers { get; }

    /// <summary>Identifies the pool in metrics, traces and <see cref="ToString"/>.</summary>
    public string Name { get; }

    string IObservableExecutor.Kind => ExecutorKind.Process;

    int IObservableExecutor.QueueDepth => _queued;

    int IObservableExecutor.BusyWorkers => _busyWorkers;

    int IObservableExecutor.LiveWorkers => _liveWorkers;

    /// <summary>Describes the pool: name, workers busy/live/max, calls waiting for a worker, shut down or broken.</summary>
    /// <returns>For example <c>ProcessPoolExecutor(name=ProcessPoolExecutor-0, workers=2/2/2, queued=12)</c>.</returns>
    /// <remarks>Reads volatile counts only, never the pool's lock, so that a debugger can always show it.</remarks>
    public override string ToString()
    {
        string state = _brokenFlag ? ", broken" : IsShutdown ? ", shut down" : "";
        return $"ProcessPoolExecutor(name={Name}, workers={_busyWorkers}/{_liveWorkers}/{MaxWorkers}, queued={_queued}{state})";
    }

    /// <inheritdoc/>
    private protected override bool BatchesMapCalls => true;

    /// <inheritdoc/>
    protected override void Schedule(WorkItem item)
    {
        if (PendingCall.Create(item, this, blobs: true) is not { } call) return; // its arguments failed to serialize: its future says why
        if (_queueSlots is not null)
        {
            if (_queueFullMode == QueueFullMode.Throw)
            {
                if (!_queueSlots.Wait(0)) ThrowHelper.ThrowQueueFull();
            }
            else
            {
                _queueSlots.Wait();
            }
        }
        Enqueue(call);
    }

    /// <inheritdoc/>
    protected override async ValueTask ScheduleAsync(WorkItem item, CancellationToken cancellationToken)
    {
        if (PendingCall.Create(item, this, blobs: true) is not { } call) return;
        if (_queueSlots is not null)
        {
            if (_queueFullMode == QueueFullMode.Throw)
            {
                if (!_queueSlots.Wait(0)) ThrowHelper.ThrowQueueFull();
            }
            else
            {
                await _queueSlots.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        Enqueue(call);
    }

    /// <summary>Queues <paramref name="call"/> (its queue slot is taken) and hands it to an idle worker from this thread, if there is one.</summary>
    private void Enqueue(PendingCall call)
    {
        ExecutorManagerThread manager;
        lock (_lock)
        {
            AssertInvariants();
            if (_broken is not null || IsShutdown)
            {
                _queueSlots?.Release();
                if (_broken is not null) throw NewBroken(_broken.Value.Message, _broken.Value.Inner);
                ThrowHelper.ThrowShutdown();
            }
            _pending.Enqueue(call);
            _queued = _pending.Count;
            manager = _manager ??= ExecutorManagerThread.Start(this, _inbox);
        }
        // Outside _lock: dispatching takes the manager's lock, which is taken before ours.
        manager.Dispatch();
    }

    /// <inheritdoc/>
    public override void Shutdown(bool wait = true, bool cancelFutures = false)
    {
        List<PendingCall>? cancelled = null;
        ExecutorManagerThread? manager;
        lock (_lock)
        {
            AssertInvariants();
            base.Shutdown(wait, cancelFutures);
            _shutdownRequested = true;
            if (cancelFutures) cancelled = DrainPending_NeedsLock();
            manager = _manager;
        }
        // Outside the lock: Cancel runs the futures' done-callbacks.
        if (cancelled is not null)
        {
            foreach (PendingCall call in cancelled) call.Cancel(this);
        }
        // A pool that never started its manager has nothing left to report; otherwise the manager
        // unregisters when it ends, so that the gauges show the workers draining.
        if (manager is null) FuturesMetrics.Unregister(this);
        _inbox.Wakeup();
        if (wait) manager?.Join();
    }

    /// <summary>Shutdown for the ProcessExit hook: lets the submitted work finish, but never waits for a manager thread that is itself exiting the process.</summary>
    internal override void ShutdownAtExit()
    {
        Shutdown(wait: false);
        ExecutorManagerThread? manager;
        lock (_lock) manager = _manager;
        manager?.JoinAtExit();
    }

    /// <summary>Shuts down with <c>cancelFutures: true</c> and sends SIGTERM to every worker now (Python 3.14's <c>terminate_workers</c>).</summary>
    /// <remarks>Futures not yet running are cancelled; running ones fail with <see cref="BrokenProcessPoolException"/>. Does not wait: <see cref="Executor.Shutdown"/> does.</remarks>
    public void TerminateWorkers() => ForceShutdown(Native.SIGTERM);

    /// <summary>Shuts down with <c>cancelFutures: true</c> and sends SIGKILL to every worker now (Python 3.14's <c>kill_workers</c>).</summary>
    /// <remarks>Futures not yet running are cancelled; running ones fail with <see cref="BrokenProcessPoolException"/>. Does not wait: <see cref="Executor.Shutdown"/> does.</remarks>
    public void KillWorkers() => ForceShutdown(Native.SIGKILL);

    private void ForceShutdown(int signal)
    {
        _forceSignal = signal;
        Shutdown(wait: false, cancelFutures: true);
        WorkerProcess[] workers;
        lock (_lock) workers = _workers.ToArray();
        foreach (WorkerProcess worker in workers) worker.Signal(signal);
    }

    private static BrokenProcessPoolException NewBroken(string message, Exception? inner) =>
        inner is null ? new BrokenProcessPoolException(message) : new BrokenProcessPoolException(message, inner);

    private List<PendingCall> DrainPending_NeedsLock()
    {
        Debug.Assert(Monitor.IsEntered(_lock));
        var drained = new List<PendingCall>(_pending);
        _pending.Clear();
        _queued = 0;
        if (drained.Count > 0) _queueSlots?.Release(drained.Count);
        return drained;
    }
}
