using System.Diagnostics;
using Futures.Diagnostics;
using Futures.Internal;
using Futures.Orleans.Client;
using Futures.ProcessPool;
using Orleans;

namespace Futures.Orleans;

/*
Data flow (the process pool's, with a link per node where the pipes were):

|===================== Client process ======================|====== Worker nodes (silos) =========|

+----------+     +-----------+  MaxInFlight  +------------+  Submit(batch)  +--------------------+
| Submit() | ==> | _waiting  | ============> | NodeLink   | ==============> | NodeGrain (one per |
|  Map()   |     | (local,   |  (Route: the  | (one per   | <============== | link) -> session   |
+----------+     | cancel-   |   least busy  |  node: send|  updates, in    | -> WorkerNode's    |
     |           |  lable)   |   node)       |  and poll) |  batches        |   executor threads |
     v           +-----------+               +------------+                 +--------------------+
  Future <------- Finish / OnLinkLost -----------'    ^
                                       NodeWatcher ---+ (membership: a dead silo loses its link)

Submit() (any thread): checks the delegate and serializes the call exactly as the process pool
  does (PendingCall: the same CallItem on the wire), queues it in _waiting and dispatches.
Dispatch: while fewer than MaxInFlight calls are on the cluster, takes the oldest waiting call,
  marks its future Running (a cancelled one is skipped) and routes it.
Route: the watcher picks the node with the fewest of this executor's calls; the call joins that
  node's NodeLink, which sends what has gathered since its last batch as one Submit and completes
  calls from the updates that come back (see NodeLink).
Worker node: the link's session queues each call on the node's executor (never Orleans' scheduler),
  where WorkerLoop.Execute runs it as a process-pool worker would, and numbers its updates.
A lost node (declared dead, cut off, or answering for another session) hands its link's calls back:
  OnLinkLost resubmits those that had not started, and fails or retries those that had.

LOCK-LEVELING SCHEME
  _lock guards the fields below it. It is never held while completing, cancelling or marking a
  future, nor while calling a link or the cluster. The links', NodeWatcher's and the futures'
  locks are leaves.
*/

/// <summary>An executor that runs calls on the worker nodes of a Microsoft Orleans cluster.</summary>
/// <remarks>
/// What can cross and how exceptions come back are exactly as for <see cref="ProcessPoolExecutor"/>:
/// a static method or a lambda that captures nothing, arguments and results serialized by Submit's
/// type arguments, exceptions rebuilt with a <see cref="RemoteException"/> inner exception. Nodes are
/// silos with <see cref="FuturesSiloBuilderExtensions.AddFuturesWorker"/>.
/// </remarks>
public sealed partial class OrleansExecutor : Executor, IObservableExecutor
{
    /// <summary>Numbers executors for default names, from 0.</summary>
    private static int s_count = -1;

    // Immutable after construction.

    private readonly int _maxInFlight;

    /// <summary>Completes when the executor breaks, so that running calls stop waiting on the cluster.</summary>
    private readonly TaskCompletionSource _brokenSignal = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes when the executor is shut down and every call has ended.</summary>
    private readonly TaskCompletionSource _drained = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Guards the fields below.</summary>
    private readonly object _lock = new();

    // Mutated under _lock.

    /// <summary>Calls submitted and not yet on the cluster, oldest first. Guarded by <see cref="_lock"/>.</summary>
    private readonly Queue<RemoteCall> _waiting = new();

    /// <summary>Calls on the cluster now (at most MaxInFlight). Guarded by <see cref="_lock"/>.</summary>
    private int _inFlight;

    /// <summary>Why the executor is broken; null while it is usable. Guarded by <see cref="_lock"/>.</summary>
    private Exception? _broken;

    /// <summary>Creates an executor that sends calls to the cluster <paramref name="client"/> is connected to.</summary>
    /// <param name="client">A started Orleans client of a cluster whose silos run <see cref="FuturesSiloBuilderExtensions.AddFuturesWorker"/>.</param>
    /// <param name="options">Options; null for the defaults.</param>
    /// <exception cref="ArgumentNullException"><paramref name="client"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><see cref="OrleansExecutorOptions.MaxInFlight"/> or <see cref="OrleansExecutorOptions.TaskTimeout"/> is not positive, or <see cref="OrleansExecutorOptions.RetriesOnNodeLoss"/> is negative.</exception>
    public OrleansExecutor(IClusterClient client, OrleansExecutorOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        options ??= new OrleansExecutorOptions();
        if (options.MaxInFlight <= 0) throw new ArgumentOutOfRangeException(nameof(options), options.MaxInFlight, "MaxInFlight must be greater than 0");
        if (options.TaskTimeout <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(options), options.TaskTimeout, "TaskTimeout must be positive");
        if (options.RetriesOnNodeLoss < 0) throw new ArgumentOutOfRangeException(nameof(options), options.RetriesOnNodeLoss, "RetriesOnNodeLoss must be >= 0");
        if (!Enum.IsDefined(options.WorkerCrashMode)) throw new ArgumentOutOfRangeException(nameof(options), options.WorkerCrashMode, "Unknown WorkerCrashMode");
        Client = client;
        _maxInFlight = options.MaxInFlight;
        TaskTimeout = options.TaskTimeout;
        RetriesOnNodeLoss = options.RetriesOnNodeLoss;
        WorkerCrashMode = options.WorkerCrashMode;
        Name = options.Name ?? $"OrleansExecutor-{Interlocked.Increment(ref s_count)}";
        Watcher = new NodeWatcher(client);
        FuturesMetrics.Register(this);
    }

    /// <summary>Identifies the executor in metrics, traces and <see cref="ToString"/>.</summary>
    public string Name { get; }

    /// <inheritdoc/>
    public override string ToString() => $"OrleansExecutor(name={Name}, maxInFlight={_maxInFlight})";

    internal IClusterClient Client { get; }

    internal TimeSpan? TaskTimeout { get; }

    internal int RetriesOnNodeLoss { get; }

    internal WorkerCrashMode WorkerCrashMode { get; }

    internal NodeWatcher Watcher { get; }

    internal AssemblyUploader Uploader { get; } = new();

    internal Task BrokenSignal => _brokenSignal.Task;

    string IObservableExecutor.Kind => ExecutorKind.Orleans;

    int IObservableExecutor.QueueDepth
    {
        get { lock (_lock) return _waiting.Count; }
    }

    /// <summary>Tasks on the cluster (sent, and not yet answered): their futures are running.</summary>
    int IObservableExecutor.BusyWorkers => Volatile.Read(ref _inFlight);

    /// <summary>Worker nodes known to this executor: the active silos of its last membership read (an idle executor reads again when asked).</summary>
    int IObservableExecutor.LiveWorkers => Watcher.LiveNodes;

    /// <inheritdoc/>
    private protected override bool BatchesMapCalls => true;

    /// <inheritdoc/>
    protected override void Schedule(WorkItem item)
    {
        if (PendingCall.Create(item) is not { } call) return; // its arguments failed to serialize: its future says why
        var remote = new RemoteCall(call);
        lock (_lock)
        {
            if (_broken is { } broken) throw Rethrowable(broken);
            if (IsShutdown) ThrowHelper.ThrowShutdown();
            _waiting.Enqueue(remote);
        }
        Dispatch();
    }

    /// <inheritdoc/>
    private protected override void ThrowClosed()
    {
        Exception? broken;
        lock (_lock) broken = _broken;
        if (broken is not null) throw Rethrowable(broken);
        base.ThrowClosed();
    }

    /// <summary>Starts waiting calls while there is room on the cluster (Python's <c>_adjust_thread_count</c>, for in-flight calls).</summary>
    private void Dispatch()
    {
        while (true)
        {
            RemoteCall? next;
            lock (_lock)
            {
                if (_broken is not null || _inFlight >= _maxInFlight || !_waiting.TryDequeue(out next)) return;
                _inFlight++;
            }
            // Outside the lock: marking the future wakes its waiters when it was cancelled.
            if (!next.Future.TryStartQueued())
            {
                if (next.Future.Cancelled()) FuturesMetrics.RecordCompleted(this, TaskOutcome.Cancelled);
                Release();
                continue;
            }
            next.RetriesLeft = RetriesOnNodeLoss;
            _onCluster[next.Future] = next;
            Route(next);
        }
    }

    private void Release()
    {
        lock (_lock) _inFlight--;
        CheckDrained();
    }

    private void CheckDrained()
    {
        bool drained;
        lock (_lock) drained = IsShutdown && _inFlight == 0 && _waiting.Count == 0;
        if (!drained || !_drained.TrySetResult()) return;
        FuturesMetrics.Unregister(this);
        CloseLinks();
    }

    /// <summary>A fresh exception of the broken reason's type and message for each future, so that stack traces don't pile up on one object.</summary>
    private static Exception Rethrowable(Exception reason) => reason switch
    {
        WorkerLostException => new WorkerLostException(reason.Message, reason),
        BrokenExecutorException => new BrokenExecutorException(reason.Message, reason.InnerException ?? reason),
        _ => reason,
    };

    /// <inheritdoc/>
    public override void Shutdown(bool wait = true, bool cancelFutures = false)
    {
        List<RemoteCall>? cancelled = null;
        lock (_lock)
        {
            base.Shutdown(wait, cancelFutures);
            if (cancelFutures)
            {
                cancelled = [.. _waiting];
                _waiting.Clear();
            }
        }
        // Outside the lock: Cancel runs the futures' done-callbacks.
        if (cancelled is not null)
        {
            foreach (RemoteCall call in cancelled)
            {
                if (call.Future.Cancel()) FuturesMetrics.RecordCompleted(this, TaskOutcome.Cancelled);
            }
        }
        CheckDrained();
        if (wait) _drained.Task.GetAwaiter().GetResult();
    }

    /// <inheritdoc/>
    private protected override ValueTask ShutdownAsync()
    {
        Shutdown(wait: false);
        return new ValueTask(_drained.Task);
    }
}
