using System.Diagnostics;
using Futures.Diagnostics;
using Futures.Internal;
using Futures.ProcessPool;
using Futures.ProcessPool.Protocol;

namespace Futures;

/*
Data flow (CPython's process.py, redrawn for one pipe pair per worker): one box per file of Process/.
A call walks down the left column and its result comes back up; the manager works beside it.

  +--------------------------------+
  | ProcessPoolExecutor.cs         |  Submit() Map() Shutdown() TerminateWorkers() KillWorkers(),
  +--------------------------------+  gauges, ToString
          | WorkItem
          v
  +--------------------------------+
  | PendingCall.cs                 |  checks the delegate, encodes the values (Codec/); a value
  +--------------------------------+  whose encoding throws fails its future here
          | PendingCall, its queue slot taken
          v
  +--------------------------------+  NextManagerStep, AddWorker,     +--------------------------+
  | CallDispatcher.cs (+ .Workers, | <------------------------------ | ExecutorManagerThread.cs |
  |  .Exits): ONE lock over        |  HandleExit, CheckTaskTimeouts,  |  starts workers; exits,  |
  |  _pending   waiting (Pending)  |  TerminateBroken                 |  timeouts, shutdown;     |
  |  _requeued  Running, to resend |  futures to fail (TakeFailures)  |  fails those futures     |
  |  per worker: its call + extra  | ------------------------------> |  outside the lock        |
  |  _workers, _broken, _shutdown  |                                  +--------------------------+
  +--------------------------------+                                               ^ events
          | Send: a Call frame   ^ OnResult: next call out, then      +--------------------------+
          |                      | the future completes, unlocked     | ManagerInbox.cs          |
          v                      |                                    +--------------------------+
  +--------------------------------+  exits, InitFailed, protocol errors    ^     ^ wakeups from
  | WorkerProcess.cs (per worker)  | ---------------------------------------+     | the dispatcher
  |  call pipe ===>   reader <===  |                                                | and Shutdown
  +--------------------------------+
 =========|======================^======== process boundary ======================================
          v                      |
  +--------------------------------+
  | WorkerHost/WorkerLoop.cs       |  reads a call; CallInvocation.cs runs it; writes the ResultItem
  +--------------------------------+

Where a future completes: a result (or a result that cannot be decoded) on the worker's reader
thread; a break, a timeout or a lost worker on the manager thread; a value that cannot be encoded
on the submitting thread; Shutdown(cancelFutures) cancels the waiting calls on its own thread.
Never under the dispatcher's lock.

Submit() (ProcessPoolExecutor, any thread):
  PendingCall.Create checks the delegate (a static method, a lambda that captures nothing, or an
  instance method whose object crosses as a copy) and encodes the values by their declared types (a
  value whose encoding throws fails its own future here). Then it takes a queue slot (bounded queue)
  and hands the call to CallDispatcher.Submit. Schedule and ScheduleAsync share this one path.

CallDispatcher (under its one lock, on whichever thread gets there: Submit's, a reader's, the manager's):
  owns the waiting calls (_pending, still Pending: Cancel() works), the calls to send again (_requeued:
  Running calls whose worker was killed or lost before starting them; they go first), each worker's
  calls (the running one plus at most one extra, pool-wide), the one worker list, the broken state and
  the shutdown record. Dispatch (add_call_item_to_queue) gives each idle worker a call, plus one extra
  behind the busy worker that has run longest; a call handed out is Running. A result takes its call
  off its worker, the worker gets its next call, and the future completes on the reader thread,
  outside the lock. Breaks, timeouts and lost workers decide failures under the lock; the manager
  thread completes those futures.

Reader thread (WorkerProcess, one per worker): reads the worker's frames; results, Ready and Started
  go to the dispatcher, anything else (InitFailed, a protocol error) to the manager's inbox.

Manager thread (ExecutorManagerThread, one per pool, started by the first Submit): the only thread
  that starts workers (so that the Linux parent-death signal, tied to the starting thread, lives as
  long as the pool). It asks the dispatcher for its next step, starts workers on demand up to
  MaxWorkers, takes events from its inbox (a worker's exit or InitFailed, a wakeup), reports exits
  and overdue calls (taskTimeout) to the dispatcher, which breaks the pool or replaces the worker,
  and at shutdown tells idle workers to exit and waits until they are gone.

Worker process #1..n (WorkerHost/; Futures.dll's Main started with `dotnet exec` on the app's own
  runtimeconfig and deps.json): runs the initializer, then reads a call, loads the method's
  assembly, decodes the arguments by their declared types, invokes, encodes the result (or the
  exception) and writes it back, one call at a time, until told to exit. It dies with the parent:
  PR_SET_PDEATHSIG, a getppid() watch, and end of file on the call pipe.

Observability (Diagnostics/): the gauges read volatile counts the dispatcher publishes under its lock,
  never a lock. Counters and histograms are recorded where each outcome is decided. When the Futures
  ActivitySource has listeners at Submit, the call carries the submitter's trace context (CallTrace);
  the dispatcher starts the call's futures.task activity when it hands the call out and sends that
  activity's traceparent in the CallItem; the worker runs the call inside a futures.task.invoke
  activity with that parent, so Activity.Current in user code carries the trace across processes.

Locks: the dispatcher's lock is the only one for call state (its LOCK-LEVELING SCHEME is in
CallDispatcher.cs); this class has none.
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
public sealed class ProcessPoolExecutor : Executor, IObservableExecutor
{
    /// <summary>Numbers pools for default names, from 0.</summary>
    private static int s_poolCount = -1;

    // Immutable after construction.

    private readonly QueueFullMode _queueFullMode;

    /// <summary>The owner of the call state: queues, workers, broken state, shutdown record.</summary>
    private readonly CallDispatcher _dispatcher;

    /// <summary>The manager thread, started by the first Submit (or a Shutdown racing with it).</summary>
    private readonly ExecutorManagerThread _manager;

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
        Initializer = initializer is null ? null : PendingCall.DescribeInitializer(initializer);
        MaxTasksPerChild = maxTasksPerChild;
        _queueFullMode = queueFullMode;
        TaskTimeout = taskTimeout;
        CrashMode = workerCrashMode;
        Name = name ?? $"ProcessPoolExecutor-{Interlocked.Increment(ref s_poolCount)}";
        var inbox = new ManagerInbox();
        _dispatcher = new CallDispatcher(this, inbox, maxQueueSize);
        _manager = new ExecutorManagerThread(this, _dispatcher, inbox);
        FuturesMetrics.Register(this);
    }

    /// <summary>The most worker processes at once.</summary>
    public int MaxWorkers { get; }

    /// <summary>Identifies the pool in metrics, traces and <see cref="ToString"/>.</summary>
    public string Name { get; }

    /// <summary>The initializer each worker runs first; null for none.</summary>
    internal CallItem? Initializer { get; }

    /// <summary>Calls per worker before it is replaced; null for no limit.</summary>
    internal int? MaxTasksPerChild { get; }

    /// <summary>How long a call may run before its worker is killed; null for no limit.</summary>
    internal TimeSpan? TaskTimeout { get; }

    /// <summary>What a worker's unexpected death does.</summary>
    internal WorkerCrashMode CrashMode { get; }

    string IObservableExecutor.Kind => ExecutorKind.Process;

    int IObservableExecutor.QueueDepth => _dispatcher.QueueDepth;

    int IObservableExecutor.BusyWorkers => _dispatcher.BusyWorkers;

    int IObservableExecutor.LiveWorkers => _dispatcher.LiveWorkers;

    /// <summary>Describes the pool: name, workers busy/live/max, calls waiting for a worker, shut down or broken.</summary>
    /// <returns>For example <c>ProcessPoolExecutor(name=ProcessPoolExecutor-0, workers=2/2/2, queued=12)</c>.</returns>
    /// <remarks>Reads volatile counts only, never the pool's lock, so that a debugger can always show it.</remarks>
    public override string ToString()
    {
        string state = _dispatcher.IsBroken ? ", broken" : IsShutdown ? ", shut down" : "";
        return $"ProcessPoolExecutor(name={Name}, workers={_dispatcher.BusyWorkers}/{_dispatcher.LiveWorkers}/{MaxWorkers}, queued={_dispatcher.QueueDepth}{state})";
    }

    /// <inheritdoc/>
    private protected override bool BatchesMapCalls => true;

    /// <inheritdoc/>
    protected override void Schedule(WorkItem item)
    {
        ValueTask queued = Enqueue(item, mayBlock: true, CancellationToken.None);
        Debug.Assert(queued.IsCompletedSuccessfully, "A blocking enqueue is done when it returns.");
    }

    /// <inheritdoc/>
    protected override ValueTask ScheduleAsync(WorkItem item, CancellationToken cancellationToken) =>
        Enqueue(item, mayBlock: false, cancellationToken);

    /// <summary>
    /// The one path of Schedule and ScheduleAsync: encodes the call on this thread, takes a queue slot
    /// (blocking where <paramref name="mayBlock"/>, else awaiting), and hands the call to the dispatcher.
    /// </summary>
    private ValueTask Enqueue(WorkItem item, bool mayBlock, CancellationToken cancellationToken)
    {
        if (PendingCall.Create(item, this, blobs: true) is not { } call) return default; // its arguments failed to encode: its future says why
        if (_dispatcher.QueueSlots is { } slots && !slots.Wait(0))
        {
            if (_queueFullMode == QueueFullMode.Throw)
            {
                call.Blobs?.Release();
                ThrowHelper.ThrowQueueFull();
            }
            if (!mayBlock) return EnqueueWhenRoomAsync(slots, call, cancellationToken);
            slots.Wait();
        }
        Submit(call);
        return default;
    }

    private async ValueTask EnqueueWhenRoomAsync(SemaphoreSlim slots, PendingCall call, CancellationToken cancellationToken)
    {
        try
        {
            await slots.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            call.Blobs?.Release(); // refused: the call never reaches a worker
            throw;
        }
        Submit(call);
    }

    /// <summary>Hands <paramref name="call"/> (its slot taken) to the dispatcher and makes sure the manager runs.</summary>
    private void Submit(PendingCall call)
    {
        _dispatcher.Submit(call);
        _manager.EnsureStarted();
    }

    /// <inheritdoc/>
    public override void Shutdown(bool wait = true, bool cancelFutures = false)
    {
        base.Shutdown(wait, cancelFutures);
        bool managerRuns = _dispatcher.FlagShuttingDown(cancelFutures, out List<PendingCall>? cancelled);
        // Outside the lock: Cancel runs the futures' done-callbacks.
        if (cancelled is not null)
        {
            foreach (PendingCall call in cancelled) call.Cancel(this);
        }
        if (!managerRuns)
        {
            // Nothing was ever accepted: nothing left to report. Otherwise the manager unregisters
            // when it ends, so that the gauges show the workers draining.
            FuturesMetrics.Unregister(this);
            return;
        }
        _manager.EnsureStarted(); // a Submit racing with this may not have started it yet
        _dispatcher.WakeManager();
        if (wait) _manager.Join();
    }

    /// <summary>Shutdown for the ProcessExit hook: lets the submitted work finish, but never waits for a manager thread that is itself exiting the process.</summary>
    internal override void ShutdownAtExit()
    {
        Shutdown(wait: false);
        if (_manager.IsStarted) _manager.JoinAtExit();
    }

    /// <summary>Shuts down with <c>cancelFutures: true</c> and sends SIGTERM to every worker now (Python 3.14's <c>terminate_workers</c>).</summary>
    /// <remarks>Futures not yet running are cancelled; running ones fail with <see cref="BrokenProcessPoolException"/>. Does not wait: <see cref="Executor.Shutdown"/> does.</remarks>
    public void TerminateWorkers() => ForceShutdown(Native.SIGTERM);

    /// <summary>Shuts down with <c>cancelFutures: true</c> and sends SIGKILL to every worker now (Python 3.14's <c>kill_workers</c>).</summary>
    /// <remarks>Futures not yet running are cancelled; running ones fail with <see cref="BrokenProcessPoolException"/>. Does not wait: <see cref="Executor.Shutdown"/> does.</remarks>
    public void KillWorkers() => ForceShutdown(Native.SIGKILL);

    private void ForceShutdown(int signal)
    {
        // The signal first: from then on no call goes out, so the cancel below leaves nothing behind.
        _dispatcher.Force(signal);
        Shutdown(wait: false, cancelFutures: true);
    }

    // The following members are for the pool's own classes and tests.

    /// <summary>How this pool starts workers; null for <see cref="WorkerLauncher.Default"/>. For tests (a launcher that cannot start a worker).</summary>
    internal WorkerLauncher? Launcher { get; set; }

    /// <summary>The pids of the live workers (tests use this to check that none outlives the pool).</summary>
    internal int[] WorkerPids() => _dispatcher.WorkerPids();

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
}
