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
/// The part of a <see cref="ThreadPoolExecutor"/> that its workers hold: the work queue, the worker
/// threads, the idle count and the broken state.
/// </summary>
/// <remarks>
/// CPython's workers hold the executor weakly and the work queue strongly, so that an executor
/// that nobody references is collected and its idle workers end. Here the workers, and the exit
/// hook, hold this core; only the user holds the <see cref="ThreadPoolExecutor"/> in front of it,
/// whose finalizer completes the queue. Nothing here refers back to that front.
/// </remarks>
internal sealed class ThreadPoolCore : IObservableExecutor, IShutdownAtExit
{
    // *** Immutable after construction.
    private readonly Channel<WorkItem> _queue;
    private readonly QueueFullMode _queueFullMode;
    private readonly string _threadNamePrefix;

    // *** Mutated during execution.

    /// <summary>Every worker started, in start order (never removed: the count names the next one). Guarded by <see cref="_shutdownLock"/>.</summary>
    private readonly List<WorkerThread> _threads = [];

    /// <summary>Guards <see cref="_threads"/> and the transitions to shut down and to broken.</summary>
    private readonly object _shutdownLock = new();

    /// <summary>
    /// Workers that found the queue empty and have not been claimed by a submitter since
    /// (CPython's <c>_idle_semaphore</c>). A submitter that takes one does not start a thread.
    /// Interlocked; may over-count briefly, which only means a thread is started a little later.
    /// </summary>
    private int _idleWorkers;

    /// <summary>Worker threads that have not exited yet. Interlocked.</summary>
    private int _liveWorkers;

    /// <summary>Set once the pool takes no more work: shut down, left unreferenced, or shut down by the exit hook. Written under <see cref="_shutdownLock"/>.</summary>
    private volatile bool _closed;

    /// <summary>Set (once) when an initializer fails; later Submits throw it. Written under <see cref="_shutdownLock"/>.</summary>
    private volatile BrokenThreadPoolException? _broken;

    /// <summary>Completed when the pool is closed and the last worker has exited, for DisposeAsync.</summary>
    private readonly TaskCompletionSource _workersExited = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public ThreadPoolCore(int maxWorkers, string threadNamePrefix, string name, Action? initializer,
        int? maxQueueSize, QueueFullMode queueFullMode)
    {
        MaxWorkers = maxWorkers;
        _threadNamePrefix = threadNamePrefix;
        Name = name;
        Initializer = initializer;
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

    public int MaxWorkers { get; }

    public string Name { get; }

    /// <summary>Runs at the start of each worker thread.</summary>
    public Action? Initializer { get; }

    /// <summary>Where the workers take their calls from.</summary>
    public ChannelReader<WorkItem> Queue => _queue.Reader;

    /// <summary>The queue's writer, for tests that play Submit's lock-free half.</summary>
    internal ChannelWriter<WorkItem> QueueWriter => _queue.Writer;

    /// <summary>Calls queued and not yet taken by a worker.</summary>
    public int QueueDepth => _queue.Reader.Count;

    public int ThreadCount { get { lock (_shutdownLock) return _threads.Count; } }

    public Thread[] Threads { get { lock (_shutdownLock) return [.. _threads.Select(static w => w.Thread)]; } }

    string IObservableExecutor.Kind => ExecutorKind.Thread;

    int IObservableExecutor.LiveWorkers => Volatile.Read(ref _liveWorkers);

    int IObservableExecutor.BusyWorkers
    {
        get
        {
            lock (_shutdownLock) return _threads.Count(static w => w.IsBusy);
        }
    }

    public void Schedule(WorkItem item)
    {
        if (!_queue.Writer.TryWrite(item)) WriteWhenFull(item);
        AdjustThreadCount();
    }

    public ValueTask ScheduleAsync(WorkItem item, CancellationToken cancellationToken)
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
        if (_closed || _broken is not null) ThrowClosed();
        return WriteWhenRoomAsync(item, cancellationToken);
    }

    /// <summary>TryWrite failed: the queue is full, or the channel was completed by Shutdown or a broken initializer.</summary>
    private void WriteWhenFull(WorkItem item)
    {
        if (_closed || _broken is not null) ThrowClosed();
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
        // The full pool's check first, here: StartWorker's own would cost a call on every Submit of a busy pool.
        if (TryClaimIdleWorker() || Volatile.Read(ref _liveWorkers) >= MaxWorkers) return;
        StartWorker();
    }

    /// <summary>Counts a worker idle (CPython's <c>_idle_semaphore.release()</c>).</summary>
    public void DeclareIdle() => Interlocked.Increment(ref _idleWorkers);

    /// <summary>Takes one idle worker off <see cref="_idleWorkers"/> (CPython's <c>_idle_semaphore.acquire(timeout=0)</c>).</summary>
    /// <returns><c>false</c> if none was counted idle.</returns>
    public bool TryClaimIdleWorker()
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
    public void StartWorker()
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

    /// <summary>Throws why the pool no longer takes work: broken first, as in Python, else shut down.</summary>
    public void ThrowClosed()
    {
        if (_broken is { } broken) throw new BrokenThreadPoolException(broken.Message, broken.InnerException!);
        ThrowHelper.ThrowShutdown();
    }

    /// <summary>Takes no more work; lets the workers drain the queue (cancelling what is queued with <paramref name="cancelFutures"/>) and end.</summary>
    public void Shutdown(bool wait, bool cancelFutures)
    {
        lock (_shutdownLock)
        {
            _closed = true;
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
        if (wait) JoinWorkers(atExit: false);
    }

    /// <summary>The front is gone: nobody can submit any more, so the idle workers may end once the calls accepted have run.</summary>
    public void Release() => Shutdown(wait: false, cancelFutures: false);

    /// <summary>
    /// For the exit hook: takes no more work and waits for the calls accepted, but not for a worker
    /// that is itself exiting the process (see <see cref="ExecutorExitHook.JoinAtExit"/>).
    /// </summary>
    public void ShutdownAtExit()
    {
        Shutdown(wait: false, cancelFutures: false);
        JoinWorkers(atExit: true);
    }

    /// <summary>Joins every worker, including any started by a Submit that raced with Shutdown.</summary>
    private void JoinWorkers(bool atExit)
    {
        int joined = 0;
        while (true)
        {
            WorkerThread[] workers;
            lock (_shutdownLock)
            {
                if (_threads.Count == joined) return;
                workers = [.. _threads];
            }
            for (int i = joined; i < workers.Length; i++)
            {
                WorkerThread worker = workers[i];
                // A worker that shuts its own pool down cannot wait for itself.
                if (worker.Thread == Thread.CurrentThread) continue;
                if (atExit) ExecutorExitHook.JoinAtExit(worker.Thread, () => worker.InUserCode);
                else worker.Thread.Join();
            }
            joined = workers.Length;
        }
    }

    /// <summary>Shuts down without waiting; completes when the last worker has exited.</summary>
    public Task ShutdownAsync()
    {
        Shutdown(wait: false, cancelFutures: false);
        return _workersExited.Task;
    }

    /// <summary>A worker's initializer threw: break the pool and fail everything queued (CPython's <c>_initializer_failed</c>).</summary>
    public void OnInitializerFailed(Exception exception)
    {
        lock (_shutdownLock)
        {
            _broken ??= new BrokenThreadPoolException(Messages.ThreadInitializerFailed, exception);
            _queue.Writer.TryComplete();
        }
        // Outside the lock: failing a future runs its callbacks.
        while (_queue.Reader.TryRead(out WorkItem? item))
        {
            if (item.Future.TryStartQueued())
            {
                FuturesMetrics.RecordCompleted(this, TaskOutcome.Broken);
                item.Future.SetException(new BrokenThreadPoolException(_broken.Message, exception));
            }
        }
    }

    public void OnWorkerExited()
    {
        if (Interlocked.Decrement(ref _liveWorkers) == 0 && (_closed || _broken is not null)) OnAllWorkersExited();
    }

    /// <summary>
    /// Closed (or broken) and no worker left. Only now does the exit hook let go of the pool:
    /// after <c>Shutdown(wait: false)</c> the work already submitted must still run before the
    /// process exits, as in Python (gh-83386), so the hook still joins those workers.
    /// </summary>
    private void OnAllWorkersExited()
    {
        ExecutorExitHook.Unregister(this);
        _workersExited.TrySetResult();
    }

    /// <summary>The inside of the executor's ToString: name, workers and queue depth, shut down or broken.</summary>
    public string Describe()
    {
        string state = _broken is not null ? ", broken" : _closed ? ", shut down" : "";
        return $"name={Name}, threads={Volatile.Read(ref _liveWorkers)}/{MaxWorkers}, queued={QueueDepth}{state}";
    }
}
