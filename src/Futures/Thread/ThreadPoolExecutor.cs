using System.Diagnostics;
using System.Threading.Channels;
using Futures.Diagnostics;
using Futures.Internal;

namespace Futures;

// LOCK-LEVELING SCHEME
//   _shutdownLock guards the set of worker threads and the broken state. It may be held while
//   taking a Future's lock (Cancel), never the reverse, and no user code (work, callbacks) runs
//   under it: futures failed by a broken pool are completed after it is released.
//   The Submit fast path takes no lock at all: the channel is the gate (a completed channel
//   refuses writes), and the idle-worker count is an interlocked counter.

/// <summary>
/// An executor that runs calls on dedicated worker threads (Python's <c>ThreadPoolExecutor</c>),
/// for I/O-bound work and blocking calls that would starve the .NET thread pool.
/// </summary>
/// <remarks>
/// Work goes into a <see cref="Channel{T}"/>: unbounded by default, as in Python, or bounded by
/// <c>maxQueueSize</c> with the chosen <see cref="QueueFullMode"/>. Worker threads are started
/// lazily, only when no idle worker can take new work, up to <see cref="MaxWorkers"/>, and named
/// <c>{prefix}_{n}</c>. They are background threads, yet work already submitted still runs before
/// the process exits normally (see <see cref="ExecutorExitHook"/>).
/// </remarks>
[DebuggerDisplay("{ToString(),nq}")]
public sealed class ThreadPoolExecutor : Executor, IObservableExecutor
{
    /// <summary>Numbers the default names, <c>ThreadPoolExecutor-{k}</c>, as CPython's counter does.</summary>
    private static int s_counter = -1;

    // *** Immutable after construction.
    private readonly Channel<WorkItem> _queue;
    private readonly Action? _initializer;
    private readonly QueueFullMode _queueFullMode;
    private readonly string _threadNamePrefix;

    // *** Mutated during execution.

    /// <summary>Every worker started, in start order (never removed: the count names the next one). Guarded by <see cref="_shutdownLock"/>.</summary>
    private readonly List<WorkerThread> _threads = [];

    /// <summary>Guards <see cref="_threads"/> and the transition to broken.</summary>
    private readonly object _shutdownLock = new();

    /// <summary>
    /// Workers that found the queue empty and have not been claimed by a submitter since
    /// (CPython's <c>_idle_semaphore</c>). A submitter that takes one does not start a thread.
    /// Interlocked; may over-count briefly, which only means a thread is started a little later.
    /// </summary>
    private int _idleWorkers;

    /// <summary>Worker threads that have not exited yet. Interlocked.</summary>
    private int _liveWorkers;

    /// <summary>Set (once) when an initializer fails; later Submits throw it. Written under <see cref="_shutdownLock"/>.</summary>
    private volatile BrokenThreadPoolException? _broken;

    /// <summary>Completed when the executor is shut down and the last worker has exited, for DisposeAsync.</summary>
    private readonly TaskCompletionSource _workersExited = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Creates a thread pool executor.</summary>
    /// <param name="maxWorkers">The most threads that run calls at once; default <see cref="DefaultMaxWorkers"/>.</param>
    /// <param name="threadNamePrefix">Worker threads are named <c>{prefix}_{n}</c>; default <c>ThreadPoolExecutor-{k}</c>.</param>
    /// <param name="initializer">Runs at the start of each worker thread; if it throws, the pool is broken.</param>
    /// <param name="maxQueueSize">The most calls waiting to start; <c>null</c> for no limit.</param>
    /// <param name="queueFullMode">What Submit does when the bounded queue is full.</param>
    /// <param name="name">Identifies the executor in metrics, traces and <see cref="ToString"/>; default the thread-name prefix.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxWorkers"/> or <paramref name="maxQueueSize"/> is zero or negative.</exception>
    public ThreadPoolExecutor(int? maxWorkers = null, string? threadNamePrefix = null,
        Action? initializer = null, int? maxQueueSize = null,
        QueueFullMode queueFullMode = QueueFullMode.Wait, string? name = null)
    {
        if (maxWorkers <= 0) throw new ArgumentOutOfRangeException(nameof(maxWorkers), maxWorkers, Messages.MaxWorkers);
        if (maxQueueSize <= 0) throw new ArgumentOutOfRangeException(nameof(maxQueueSize), maxQueueSize, Messages.MaxQueueSize);
        if (!Enum.IsDefined(queueFullMode)) throw new ArgumentOutOfRangeException(nameof(queueFullMode), queueFullMode, null);

        MaxWorkers = maxWorkers ?? DefaultMaxWorkers;
        _threadNamePrefix = threadNamePrefix ?? $"ThreadPoolExecutor-{Interlocked.Increment(ref s_counter)}";
        Name = name ?? _threadNamePrefix;
        _initializer = initializer;
        _queueFullMode = queueFullMode;
        // Synchronous continuations: the only continuations on this channel are ours (a worker's
        // wake-up, a blocked submitter's wake-up), and running them inline keeps idle workers
        // from depending on the .NET thread pool to be woken, which this pool exists to avoid.
        _queue = maxQueueSize is { } capacity
            ? Channel.CreateBounded<WorkItem>(new BoundedChannelOptions(capacity)
                { FullMode = BoundedChannelFullMode.Wait, AllowSynchronousContinuations = true })
            : Channel.CreateUnbounded<WorkItem>(new UnboundedChannelOptions { AllowSynchronousContinuations = true });
        FuturesMetrics.Register(this);
    }

    /// <summary>The most threads that run calls at once.</summary>
    public int MaxWorkers { get; }

    /// <summary>Identifies the executor in metrics, traces and <see cref="ToString"/>.</summary>
    public string Name { get; }

    /// <summary>The default <c>maxWorkers</c>: <c>Math.Min(32, Environment.ProcessorCount + 4)</c>, as in Python.</summary>
    public static int DefaultMaxWorkers => Math.Min(32, Environment.ProcessorCount + 4);

    /// <summary>Calls queued and not yet taken by a worker.</summary>
    internal int QueueDepth => _queue.Reader.Count;

    /// <summary>Worker threads started so far.</summary>
    internal int ThreadCount { get { lock (_shutdownLock) return _threads.Count; } }

    /// <summary>The worker threads started so far, for tests.</summary>
    internal Thread[] Threads { get { lock (_shutdownLock) return [.. _threads.Select(static w => w.Thread)]; } }

    string IObservableExecutor.Kind => ExecutorKind.Thread;

    int IObservableExecutor.QueueDepth => QueueDepth;

    int IObservableExecutor.LiveWorkers => Volatile.Read(ref _liveWorkers);

    int IObservableExecutor.BusyWorkers
    {
        get
        {
            lock (_shutdownLock) return _threads.Count(static w => w.IsBusy);
        }
    }

    /// <inheritdoc/>
    protected override void Schedule(WorkItem item)
    {
        if (!_queue.Writer.TryWrite(item)) WriteWhenFull(item);
        AdjustThreadCount();
    }

    /// <inheritdoc/>
    protected override ValueTask ScheduleAsync(WorkItem item, CancellationToken cancellationToken)
    {
        if (_queueFullMode != QueueFullMode.Wait)
        {
            Schedule(item);
            return default;
        }
        if (_queue.Writer.TryWrite(item))
        {
            AdjustThreadCount();
            return default;
        }
        if (IsShutdown || _broken is not null) ThrowClosed();
        return WriteWhenRoomAsync(item, cancellationToken);
    }

    /// <summary>TryWrite failed: the queue is full, or the channel was completed by Shutdown or a broken initializer.</summary>
    private void WriteWhenFull(WorkItem item)
    {
        if (IsShutdown || _broken is not null) ThrowClosed();
        switch (_queueFullMode)
        {
            case QueueFullMode.Throw:
                ThrowHelper.ThrowQueueFull();
                break;
            case QueueFullMode.CallerRuns:
                item.Run();
                break;
            default:
                do
                {
                    // Blocking on a full queue is the slow path; AsTask's allocation is fine here.
                    ValueTask<bool> room = _queue.Writer.WaitToWriteAsync();
                    if (!(room.IsCompleted ? room.Result : room.AsTask().GetAwaiter().GetResult())) ThrowClosed();
                }
                while (!_queue.Writer.TryWrite(item));
                break;
        }
    }

    private async ValueTask WriteWhenRoomAsync(WorkItem item, CancellationToken cancellationToken)
    {
        do
        {
            // ForceYielding: room is made by a worker taking an item, and with synchronous
            // continuations this code would otherwise resume, and then the caller's own
            // continuation would run, on that worker thread.
            if (!await _queue.Writer.WaitToWriteAsync(cancellationToken).AsTask()
                    .ConfigureAwait(ConfigureAwaitOptions.ForceYielding)) ThrowClosed();
        }
        while (!_queue.Writer.TryWrite(item));
        AdjustThreadCount();
    }

    /// <summary>Starts a worker unless an idle one will take the new work (CPython's <c>_adjust_thread_count</c>).</summary>
    private void AdjustThreadCount()
    {
        if (!TryClaimIdleWorker()) StartWorker();
    }

    /// <summary>Takes one idle worker off <see cref="_idleWorkers"/> (CPython's <c>_idle_semaphore.acquire(timeout=0)</c>).</summary>
    /// <returns><c>false</c> if none was counted idle.</returns>
    private bool TryClaimIdleWorker()
    {
        int idle = Volatile.Read(ref _idleWorkers);
        while (idle > 0)
        {
            int seen = Interlocked.CompareExchange(ref _idleWorkers, idle - 1, idle);
            if (seen == idle) return true;
            idle = seen;
        }
        return false;
    }

    /// <summary>Starts one more worker, unless there are <see cref="MaxWorkers"/> already or the pool is broken.</summary>
    private void StartWorker()
    {
        if (Volatile.Read(ref _liveWorkers) >= MaxWorkers) return;
        lock (_shutdownLock)
        {
            // Even after Shutdown has begun: the item was accepted before the channel closed, and
            // it must run. Not once broken: then the queue has been drained and failed.
            if (_threads.Count >= MaxWorkers || _broken is not null) return;
            var worker = new WorkerThread(this, $"{_threadNamePrefix}_{_threads.Count}");
            _threads.Add(worker);
            Interlocked.Increment(ref _liveWorkers);
            if (_threads.Count == 1) ExecutorExitHook.Register(this);
            // UnsafeStart: the worker must not inherit the ExecutionContext of the submitter that
            // happened to start it; each item runs in its own submitter's context (CallWorkItem),
            // and the initializer and flow-suppressed items in the default one, as with Task.Run.
            worker.Thread.UnsafeStart();
        }
        // Outside the lock: a metric listener is user code.
        FuturesMetrics.RecordWorkerStarted(this);
    }

    /// <summary>Throws why the executor no longer takes work: broken first, as in Python, else shut down.</summary>
    private protected override void ThrowClosed()
    {
        if (_broken is { } broken) throw new BrokenThreadPoolException(broken.Message, broken.InnerException!);
        base.ThrowClosed();
    }

    /// <inheritdoc/>
    public override void Shutdown(bool wait = true, bool cancelFutures = false)
    {
        lock (_shutdownLock)
        {
            base.Shutdown(wait, cancelFutures);
            // Complete first: a submitter blocked on a full queue must not slip in behind the drain.
            _queue.Writer.TryComplete();
        }
        if (cancelFutures)
        {
            while (_queue.Reader.TryRead(out WorkItem? item))
            {
                if (item.Future.Cancel()) FuturesMetrics.RecordCompleted(this, TaskOutcome.Cancelled);
            }
        }
        // Submit writes without a lock and starts a worker only afterwards, so a call may have been
        // accepted just before the channel closed with no worker yet to run it. Live workers drain
        // the queue before they exit; with none, start one here rather than rely on that submitter.
        if (Volatile.Read(ref _liveWorkers) == 0 && _queue.Reader.Count > 0) StartWorker();
        if (Volatile.Read(ref _liveWorkers) == 0) OnAllWorkersExited();
        FuturesMetrics.Unregister(this);
        if (wait) JoinWorkers();
    }

    /// <summary>Joins every worker, including any started by a Submit that raced with Shutdown.</summary>
    private void JoinWorkers()
    {
        int joined = 0;
        while (true)
        {
            Thread[] threads;
            lock (_shutdownLock)
            {
                if (_threads.Count == joined) return;
                threads = [.. _threads.Select(static w => w.Thread)];
            }
            for (int i = joined; i < threads.Length; i++)
            {
                // A worker that shuts its own pool down cannot wait for itself.
                if (threads[i] != Thread.CurrentThread) threads[i].Join();
            }
            joined = threads.Length;
        }
    }

    private protected override async ValueTask ShutdownAsync()
    {
        Shutdown(wait: false);
        await _workersExited.Task.ConfigureAwait(false);
    }

    /// <summary>A worker's initializer threw: break the pool and fail everything queued (CPython's <c>_initializer_failed</c>).</summary>
    private void OnInitializerFailed(Exception exception)
    {
        lock (_shutdownLock)
        {
            _broken ??= new BrokenThreadPoolException(Messages.ThreadInitializerFailed, exception);
            _queue.Writer.TryComplete();
        }
        // Outside the lock: failing a future runs its callbacks.
        while (_queue.Reader.TryRead(out WorkItem? item))
        {
            if (item.Future.SetRunningOrNotifyCancel())
            {
                FuturesMetrics.RecordCompleted(this, TaskOutcome.Broken);
                item.Future.SetException(new BrokenThreadPoolException(_broken.Message, exception));
            }
        }
    }

    private void OnWorkerExited()
    {
        if (Interlocked.Decrement(ref _liveWorkers) == 0 && (IsShutdown || _broken is not null)) OnAllWorkersExited();
    }

    /// <summary>
    /// Shut down (or broken) and no worker left. Only now does the exit hook let go of the pool:
    /// after <c>Shutdown(wait: false)</c> the work already submitted must still run before the
    /// process exits, as in Python (gh-83386), so the hook still joins those workers.
    /// </summary>
    private void OnAllWorkersExited()
    {
        ExecutorExitHook.Unregister(this);
        _workersExited.TrySetResult();
    }

    /// <summary>Describes the executor: kind, name, workers and queue depth, shut down or broken.</summary>
    /// <returns>For example <c>ThreadPoolExecutor(name=ThreadPoolExecutor-0, threads=4/4, queued=12)</c>.</returns>
    public override string ToString()
    {
        string state = _broken is not null ? ", broken" : IsShutdown ? ", shut down" : "";
        return $"ThreadPoolExecutor(name={Name}, threads={Volatile.Read(ref _liveWorkers)}/{MaxWorkers}, queued={QueueDepth}{state})";
    }

    /// <summary>
    /// One worker thread's loop (CPython's <c>_worker</c>): initialize, then take and run items
    /// until the channel is completed and empty.
    /// </summary>
    private sealed class WorkerThread : IWorkItemObserver
    {
        private readonly ThreadPoolExecutor _pool;

        /// <summary>Spin iterations before an idle worker blocks; more makes round trips faster and idle workers costlier.</summary>
        private const int IdleSpins = 50;

        /// <summary>Wakes this worker when the channel has data or completes. Used by this worker's thread only.</summary>
        private readonly ManualResetEventSlim _wake = new(false);

        /// <summary>Whether this worker has counted itself in <see cref="_idleWorkers"/> since it last took an item. Used by this worker's thread only.</summary>
        private bool _idleDeclared;

        /// <summary>When the running call started (Stopwatch ticks), 0 when the run-time histogram was off. Used by this worker's thread only.</summary>
        private long _startedTimestamp;

        /// <summary>Whether a call is running, for the busy-workers gauge. Written by this worker's thread, read by metric collection.</summary>
        private volatile bool _busy;

        public WorkerThread(ThreadPoolExecutor pool, string name)
        {
            _pool = pool;
            Thread = new Thread(Run) { IsBackground = true, Name = name };
        }

        public Thread Thread { get; }

        public bool IsBusy => _busy;

        public IObservableExecutor Executor => _pool;

        private void Run()
        {
            try
            {
                try
                {
                    _pool._initializer?.Invoke();
                }
                catch (Exception e)
                {
                    _pool.OnInitializerFailed(e);
                    return;
                }
                ChannelReader<WorkItem> reader = _pool._queue.Reader;
                Action wake = _wake.Set;
                while (true)
                {
                    while (reader.TryRead(out WorkItem? item))
                    {
                        _idleDeclared = false;
                        item.Run(this);
                    }
                    DeclareIdle();
                    if (!WaitToRead(reader, wake)) return;
                }
            }
            finally
            {
                _wake.Dispose();
                _pool.OnWorkerExited();
            }
        }

        /// <summary>Blocks this dedicated thread until the channel has data (true) or is completed and empty (false).</summary>
        private bool WaitToRead(ChannelReader<WorkItem> reader, Action wake)
        {
            // Spin briefly first, as the .NET thread pool's workers do: a submitter that waits on
            // each result (a round trip) usually sends the next call within microseconds, and a
            // blocked thread takes far longer than that to wake.
            // Count, never TryPeek: on the unbounded channel TryPeek marks the ConcurrentQueue segment
            // "preserved for observation", after which dequeues no longer clear their slots, so every
            // work item (its delegate, arguments, future and result) in that segment would stay
            // reachable long after it ran. Count has no such effect.
            var spinner = new SpinWait();
            for (int i = 0; i < IdleSpins; i++)
            {
                if (reader.Count > 0) return true;
                spinner.SpinOnce(sleep1Threshold: -1);
            }
            ValueTask<bool> ready = reader.WaitToReadAsync();
            if (!ready.IsCompleted)
            {
                _wake.Reset();
                ready.GetAwaiter().UnsafeOnCompleted(wake);
                _wake.Wait();
            }
            return ready.GetAwaiter().GetResult();
        }

        private void DeclareIdle()
        {
            if (_idleDeclared) return;
            _idleDeclared = true;
            Interlocked.Increment(ref _pool._idleWorkers);
        }

        public void OnStarted(WorkItem item)
        {
            _busy = true;
            _startedTimestamp = 0;
            if (!FuturesMetrics.QueueTime.Enabled && !FuturesMetrics.RunTime.Enabled) return;
            _startedTimestamp = Stopwatch.GetTimestamp();
            if (item.CreatedTimestamp != 0) FuturesMetrics.RecordQueueTime(_pool, item.CreatedTimestamp, _startedTimestamp);
        }

        public void OnRunningCallbacks(WorkItem item)
        {
            // OnFinishing counted this worker idle, but the callbacks may run for as long as they
            // like (and submit, and wait): take that back. If a submitter already claimed it, its
            // call waits in the queue for a worker that is not coming: start one, as CPython would
            // have (it counts a worker idle only after the callbacks).
            if (!_idleDeclared) return;
            _idleDeclared = false;
            if (!_pool.TryClaimIdleWorker()) _pool.StartWorker();
        }

        public void OnCancelled(WorkItem item) => FuturesMetrics.RecordCompleted(_pool, TaskOutcome.Cancelled);

        public void OnFinishing(WorkItem item, bool succeeded)
        {
            if (_startedTimestamp != 0) FuturesMetrics.RecordRunTime(_pool, _startedTimestamp, Stopwatch.GetTimestamp());
            FuturesMetrics.RecordCompleted(_pool, succeeded ? TaskOutcome.Result : TaskOutcome.Exception);
            _busy = false;
            // Count ourselves idle before the future completes, so that a caller who waits for this
            // result and submits again finds us instead of starting a thread (CPython releases its
            // idle semaphore only after set_result, which makes that reuse a matter of luck).
            if (_pool._queue.Reader.Count == 0) DeclareIdle(); // Count, not TryPeek: see WaitToRead
        }
    }
}
