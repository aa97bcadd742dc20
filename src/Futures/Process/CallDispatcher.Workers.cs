using System.Diagnostics;
using Futures.Diagnostics;
using Futures.ProcessPool.Protocol;

namespace Futures.ProcessPool;

// The worker list and each worker's calls: adding a started worker, choosing where a call goes,
// sending it, and taking it back when its result comes.
internal sealed partial class CallDispatcher
{
    /// <summary>
    /// The dispatcher's record of one worker: its process and the calls it holds. Every field is
    /// guarded by the dispatcher's lock; the process itself knows nothing of them.
    /// </summary>
    private sealed class WorkerCalls(WorkerProcess process)
    {
        /// <summary>The process: its pipes and its exit.</summary>
        public WorkerProcess Process { get; } = process;

        /// <summary>Calls sent and not yet answered, oldest first; the oldest is the one running. E.g. <c>[#7 (running), #9 (queued in the pipe)]</c>.</summary>
        public Queue<PendingCall> Calls { get; } = new();

        /// <summary>Calls ever sent to this worker, for maxTasksPerChild.</summary>
        public int TasksAssigned;

        /// <summary>When the oldest call in <see cref="Calls"/> started running (Stopwatch ticks), for taskTimeout and for choosing where the extra call goes.</summary>
        public long RunningSince;

        /// <summary>Whether the worker announced that the oldest call in <see cref="Calls"/> has started (only when it reports starts).</summary>
        public bool HeadStarted;

        /// <summary>Whether the worker said Ready (its initializer ran).</summary>
        public bool IsReady;

        /// <summary>Whether we told it to exit (Shutdown sent) or killed it on purpose: its exit is then expected, and it no longer counts against MaxWorkers.</summary>
        public bool IsLeaving;

        /// <summary>Whether TerminateWorkers/KillWorkers has signalled it.</summary>
        public bool ForceSignalled;
    }

    // Mutated under _lock.

    /// <summary>Live workers (started, exit not yet handled), e.g. <c>[worker 0 (pid 4711), worker 2 (pid 4730)]</c>. Guarded by <see cref="_lock"/>.</summary>
    private readonly List<WorkerCalls> _workers = new();

    /// <summary>Workers the manager is starting right now, outside the lock (they count against MaxWorkers). Guarded by <see cref="_lock"/>.</summary>
    private int _spawning;

    /// <summary>Whether workers announce each call's start: needed to know which call a dead worker was running, and since when.</summary>
    public bool ReportStarts => _executor.CrashMode == WorkerCrashMode.ReplaceWorker || _executor.TaskTimeout is not null;

    /// <summary>
    /// Takes in a worker the manager started for <paramref name="first"/> (taken by <see cref="NextManagerStep"/>):
    /// sends it <paramref name="init"/> and that call, and the force signal if TerminateWorkers came meanwhile.
    /// </summary>
    public void AddWorker(WorkerProcess process, byte[] init, PendingCall first)
    {
        lock (_lock)
        {
            AssertInvariants();
            // Only the manager thread breaks the pool, and it was busy starting this worker.
            Debug.Assert(_broken is null, "The pool cannot break while the manager starts a worker.");
            _spawning--;
            var worker = new WorkerCalls(process);
            _workers.Add(worker);
            process.Send(MessageKind.Init, init);
            if (_forceSignal != 0)
            {
                worker.ForceSignalled = true;
                process.Signal(_forceSignal);
            }
            Send_NeedsLock(worker, first);
            PublishWorkerCounts_NeedsLock();
        }
    }

    /// <summary>
    /// The manager could not start a worker for <paramref name="first"/>: the call goes back to the front
    /// of the line; with <paramref name="breakMessage"/> (nothing will ever start) the pool breaks, and it fails with the rest.
    /// </summary>
    public void SpawnFailed(PendingCall first, string? breakMessage, Exception cause)
    {
        lock (_lock)
        {
            AssertInvariants();
            _spawning--;
            _requeued.AddFirst(first);
            if (breakMessage is not null) TerminateBroken_NeedsLock(breakMessage, cause);
        }
    }

    /// <summary>The reader of <paramref name="process"/> read Ready: its initializer ran, so its death from now on is a crash, not a failed start.</summary>
    public void OnReady(WorkerProcess process)
    {
        lock (_lock)
        {
            if (Find_NeedsLock(process) is { } worker) worker.IsReady = true;
        }
        ProcessPoolExecutor.Record(_executor.StartTimes, Stopwatch.GetElapsedTime(process.StartedAt));
    }

    /// <summary>The reader of <paramref name="process"/> read Started: the worker is running call <paramref name="callId"/> from now (a taskTimeout deadline starts).</summary>
    public void OnStarted(WorkerProcess process, long callId)
    {
        lock (_lock)
        {
            if (Find_NeedsLock(process) is { } worker && worker.Calls.TryPeek(out PendingCall? head) && head.CallId == callId)
            {
                worker.HeadStarted = true;
                worker.RunningSince = Stopwatch.GetTimestamp();
                head.MarkStarted(worker.RunningSince);
            }
        }
        if (_executor.TaskTimeout is not null) _inbox.Wakeup(); // a new deadline to wait for
    }

    /// <summary>The pids of the live workers (tests use this to check that none outlives the pool).</summary>
    public int[] WorkerPids()
    {
        lock (_lock) return _workers.Select(w => w.Process.Pid).ToArray();
    }

    /// <summary>The record of <paramref name="process"/>; null once its exit has been handled. A walk of at most MaxWorkers entries.</summary>
    private WorkerCalls? Find_NeedsLock(WorkerProcess process)
    {
        Debug.Assert(Monitor.IsEntered(_lock));
        foreach (WorkerCalls w in _workers) if (w.Process == process) return w;
        return null;
    }

    private WorkerCalls? IdleWorker_NeedsLock()
    {
        foreach (WorkerCalls w in _workers) if (w.Calls.Count == 0 && CanTakeMore(w)) return w;
        return null;
    }

    /// <summary>
    /// The busy worker (one call, no extra yet) whose call has run longest: the likeliest to finish
    /// first, so the extra call waits least behind it. Taking the first busy worker instead once
    /// queued the extra call behind a worker that had just started while another was about to
    /// finish, which left that one idle: 2 workers ran 4 equal calls as 3 + 1.
    /// </summary>
    private WorkerCalls? LongestRunning_NeedsLock()
    {
        WorkerCalls? oldest = null;
        foreach (WorkerCalls w in _workers)
        {
            if (w.Calls.Count != 1 || !CanTakeMore(w)) continue;
            if (oldest is null || w.RunningSince < oldest.RunningSince) oldest = w;
        }
        return oldest;
    }

    private bool CanTakeMore(WorkerCalls w) =>
        !w.IsLeaving && !w.Process.HasExited && (_executor.MaxTasksPerChild is not { } max || w.TasksAssigned < max);

    /// <summary>Workers that count against MaxWorkers: not retiring, not killed (so their replacements can start at once; gh-115634).</summary>
    private int CountedWorkers_NeedsLock()
    {
        int n = 0;
        foreach (WorkerCalls w in _workers) if (!w.IsLeaving) n++;
        return n;
    }

    private int QueuedBehindBusy_NeedsLock()
    {
        int n = 0;
        foreach (WorkerCalls w in _workers) n += Math.Max(0, w.Calls.Count - 1);
        return n;
    }

    /// <summary>Gives <paramref name="call"/> (Running) an id and writes it to <paramref name="worker"/>'s pipe.</summary>
    private void Send_NeedsLock(WorkerCalls worker, PendingCall call)
    {
        Debug.Assert(Monitor.IsEntered(_lock));
        call.CallId = ++_lastCallId;
        call.OnHandedOut(_executor); // first: the call's frame carries the activity it starts
        // Encoded before the call joins the worker's queue: a call in that queue is one the worker answers.
        (MessageKind kind, byte[] payload) = call.EncodeForPipe();
        if (worker.Calls.Count == 0)
        {
            worker.RunningSince = Stopwatch.GetTimestamp();
            call.MarkStarted(worker.RunningSince);
        }
        worker.Calls.Enqueue(call);
        worker.TasksAssigned++;
        worker.Process.SendCall(call.Header, call.Blobs?.Items, kind, payload);
    }

    /// <summary>
    /// The call that result <paramref name="callId"/> answers, taken off its worker; null when it was
    /// given up (timed out, pool broken) while its result was on the way.
    /// </summary>
    private PendingCall? TakeAnswered_NeedsLock(WorkerCalls worker, long callId)
    {
        Debug.Assert(Monitor.IsEntered(_lock));
        if (worker.Calls.Count == 0 || worker.Calls.Peek().CallId != callId) return null;
        PendingCall call = worker.Calls.Dequeue();
        worker.HeadStarted = false;
        if (worker.Calls.TryPeek(out PendingCall? next))
        {
            worker.RunningSince = Stopwatch.GetTimestamp();
            next.MarkStarted(worker.RunningSince);
        }
        if (worker.Calls.Count == 0 && !CanTakeMore(worker) && !worker.IsLeaving && !worker.Process.HasExited)
        {
            Retire_NeedsLock(worker); // maxTasksPerChild reached: a replacement starts on demand
            FuturesMetrics.RecordWorkerReplaced(_executor, ReplaceReason.MaxTasksPerChild);
        }
        return call;
    }

    /// <summary>Tells the worker to exit once it has answered its calls: its exit is expected.</summary>
    private static void Retire_NeedsLock(WorkerCalls worker)
    {
        worker.IsLeaving = true;
        worker.Process.SendShutdown();
    }

    /// <summary>Kills the worker (SIGKILL) on purpose: its exit is expected, unless it still holds calls.</summary>
    private static void Kill_NeedsLock(WorkerCalls worker)
    {
        worker.IsLeaving = true;
        worker.Process.Signal(Native.SIGKILL);
    }
}
