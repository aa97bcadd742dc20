using System.Diagnostics;
using System.Threading.Channels;
using Futures.Diagnostics;

namespace Futures;

/// <summary>
/// One worker thread of a <see cref="ThreadPoolExecutor"/> and its loop (CPython's <c>_worker</c>):
/// initialize, then take and run items until the channel is completed and empty.
/// </summary>
/// <remarks>
/// It holds the pool's <see cref="ThreadPoolCore"/>, never the executor in front of it, so that an
/// executor nobody references can be collected while its worker waits here.
/// </remarks>
internal sealed class WorkerThread : IWorkItemObserver
{
    private readonly ThreadPoolCore _pool;

    /// <summary>Spin iterations before an idle worker blocks; more makes round trips faster and idle workers costlier.</summary>
    private const int IdleSpins = 50;

    /// <summary>Wakes this worker when the channel has data or completes. Used by this worker's thread only.</summary>
    private readonly ManualResetEventSlim _wake = new(false);

    /// <summary>Whether this worker has counted itself idle since it last took an item. Used by this worker's thread only.</summary>
    private bool _idleDeclared;

    /// <summary>When the running call started (Stopwatch ticks), 0 when the run-time histogram was off. Used by this worker's thread only.</summary>
    private long _startedTimestamp;

    /// <summary>Whether a call is running, for the busy-workers gauge. Written by this worker's thread, read by metric collection.</summary>
    private volatile bool _busy;

    /// <summary>
    /// Whether user code (the initializer, a call or its done-callbacks) is running on this thread,
    /// for the exit hook. Written by this worker's thread, read by the thread running ProcessExit.
    /// </summary>
    private volatile bool _inUserCode;

    public WorkerThread(ThreadPoolCore pool, string name)
    {
        _pool = pool;
        Thread = new Thread(Run) { IsBackground = true, Name = name };
    }

    public Thread Thread { get; }

    public bool IsBusy => _busy;

    /// <summary>Whether user code runs on this thread now, for <see cref="Internal.ExecutorExitHook.JoinAtExit"/>.</summary>
    public bool InUserCode => _inUserCode;

    public IObservableExecutor Executor => _pool;

    private void Run()
    {
        try
        {
            try
            {
                _inUserCode = true;
                _pool.Initializer?.Invoke();
            }
            catch (Exception e)
            {
                _pool.OnInitializerFailed(e);
                return;
            }
            finally
            {
                _inUserCode = false;
            }
            ChannelReader<WorkItem> reader = _pool.Queue;
            Action wake = _wake.Set;
            while (true)
            {
                while (reader.TryRead(out WorkItem? item))
                {
                    _idleDeclared = false;
                    _inUserCode = true;
                    item.Run(this); // never throws (CallWorkItem reports what escapes a call)
                    _inUserCode = false;
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
        _pool.DeclareIdle();
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
        if (_pool.QueueDepth == 0) DeclareIdle(); // Count, not TryPeek: see WaitToRead
    }
}
