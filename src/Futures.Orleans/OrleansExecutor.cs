using System.Diagnostics;
using Futures.Diagnostics;
using Futures.Internal;
using Futures.Orleans.Client;
using Futures.ProcessPool;
using Orleans;

namespace Futures.Orleans;

/*
Data flow (the process pool's, with grains where the pipes were):

|=================== Client process =====================|====== Worker nodes (silos) =======|

+----------+     +-----------+   MaxInFlight   +------------+  Start    +-------------------+
| Submit() | ==> | _waiting  | ==============> | RemoteCall | ========> | TaskGrain (one    |
|  Map()   |     | (local,   |  (dispatch:     | (async,    |  Poll*    | activation per    |
+----------+     | cancel-   |   Future is     |  per task) | <=======> | task) -> WorkerNode|
     |           |  lable)   |   Running)      |            |  Release  |  executor threads |
     v           +-----------+                 +------------+           +-------------------+
  Future <------- SetResult/SetException ---------'    ^
                                       NodeWatcher ----+ (membership: a dead silo loses its tasks)

Submit() (any thread): checks the delegate and serializes the call exactly as the process pool
  does (PendingCall: the same CallItem on the wire), queues it in _waiting and dispatches.
Dispatch: while fewer than MaxInFlight calls are on the cluster, takes the oldest waiting call,
  marks its future Running (a cancelled one is skipped) and starts its RemoteCall.
RemoteCall (async, no thread held): Start on a fresh task grain (returns at once, naming the node),
  then long-polls, each poll bounded, until the outcome; uploads the code if the node lacks it; a
  lost node ends the attempt (see RemoteCall).
Worker node: the grain queues the call on the node's executor (never Orleans' scheduler), where
  WorkerLoop.Execute runs it as a process-pool worker would.

LOCK-LEVELING SCHEME
  _lock guards the fields below it. It is never held while completing, cancelling or marking a
  future, nor while calling the cluster. NodeWatcher's and the futures' locks are leaves.
*/

/// <summary>An executor that runs calls on the worker nodes of a Microsoft Orleans cluster.</summary>
/// <remarks>
/// What can cross and how exceptions come back are exactly as for <see cref="ProcessPoolExecutor"/>:
/// a static method or a lambda that captures nothing, arguments and results serialized by Submit's
/// type arguments, exceptions rebuilt with a <see cref="RemoteException"/> inner exception. Nodes are
/// silos with <see cref="FuturesSiloBuilderExtensions.AddFuturesWorker"/>.
/// </remarks>
public sealed class OrleansExecutor : Executor, IObservableExecutor
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

    /// <summary>Calls on the cluster by future, for tests that must know what the executor has seen.</summary>
    private readonly System.Collections.Concurrent.ConcurrentDictionary<Future, RemoteCall> _onCluster = new(ReferenceEqualityComparer.Instance);

    /// <summary>Whether the executor has heard from its node that <paramref name="future"/>'s task runs. For tests.</summary>
    internal bool ObservedRunning(Future future) => _onCluster.TryGetValue(future, out RemoteCall? call) && call.ObservedRunning;

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
        var remote = new RemoteCall(this, call);
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
            if (!next.Future.SetRunningOrNotifyCancel())
            {
                FuturesMetrics.RecordCompleted(this, TaskOutcome.Cancelled);
                Release();
                continue;
            }
            _onCluster[next.Future] = next;
            ThreadPool.UnsafeQueueUserWorkItem(static c => _ = c.RunAsync(), next, preferLocal: false);
        }
    }

    /// <summary>Completes a call's future (outside any lock) and frees its place on the cluster.</summary>
    internal void Complete(RemoteCall call, Action complete, string outcome)
    {
        Debug.Assert(!Monitor.IsEntered(_lock));
        _onCluster.TryRemove(call.Future, out _);
        complete();
        FuturesMetrics.RecordCompleted(this, outcome);
        Release();
        Dispatch();
    }

    /// <summary>Fails a running call with the reason the executor broke.</summary>
    internal void FailBroken(RemoteCall call)
    {
        Exception broken;
        lock (_lock) broken = _broken!;
        Complete(call, () => call.Future.SetException(Rethrowable(broken)), TaskOutcome.Broken);
    }

    /// <summary>Breaks the executor: waiting calls fail now, running ones as they notice, later Submit throws. Only the first reason counts.</summary>
    /// <remarks>Mirrors <c>terminate_broken</c>.</remarks>
    internal void Break(Exception reason)
    {
        List<RemoteCall> waiting;
        lock (_lock)
        {
            if (_broken is not null) return;
            _broken = reason;
            waiting = [.. _waiting];
            _waiting.Clear();
        }
        foreach (RemoteCall call in waiting)
        {
            if (call.Future.SetRunningOrNotifyCancel()) call.Future.SetException(Rethrowable(reason));
            FuturesMetrics.RecordCompleted(this, TaskOutcome.Broken);
        }
        _brokenSignal.TrySetResult();
        CheckDrained();
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
        if (drained && _drained.TrySetResult()) FuturesMetrics.Unregister(this);
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
