using System.Diagnostics;
using Futures.Diagnostics;
using Futures.Internal;
using Futures.ProcessPool.Protocol;

namespace Futures.ProcessPool;

/// <summary>
/// The pool's one manager thread (Python's <c>_ExecutorManagerThread</c>): hands calls to workers,
/// completes futures from their results, and watches every worker for exit.
/// </summary>
/// <remarks>
/// All state here is owned by this one thread, so it has no lock; it talks to the executor through
/// the executor's locked methods and hears from everything else through its <see cref="ManagerInbox"/>.
/// It is also the thread that starts every worker: on Linux a child's parent-death signal fires when
/// the thread that started it ends, so this thread outlives its workers (it ends only once they are
/// gone), and if the whole process dies they die with it.
/// </remarks>
internal sealed class ExecutorManagerThread
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

    /// <summary>How long workers get to exit after Shutdown (or a kill) before they are killed (again).</summary>
    private static readonly TimeSpan ExitGuard = TimeSpan.FromSeconds(10);

    /// <summary>
    /// At process exit, how long this thread may sit blocked in code that is not the pool's (see
    /// <see cref="_inUserCode"/>) before the exit hook stops waiting for it. A longer grace keeps
    /// waiting for a slow blocking callback; a shorter one ends sooner a process whose callback (or
    /// result converter) called Environment.Exit on this thread.
    /// </summary>
    private static readonly TimeSpan UserCodeExitGrace = TimeSpan.FromSeconds(1);

    private readonly ProcessPoolExecutor _executor;
    private readonly ManagerInbox _inbox;
    private readonly Thread _thread;

    /// <summary>Live workers (started, exit not yet handled), e.g. <c>[worker 0 (pid 4711), worker 2 (pid 4730)]</c>.</summary>
    private readonly List<WorkerProcess> _workers = new();

    /// <summary>Calls already Running that must go to a worker again (their worker was killed or died before starting them), front first.</summary>
    private readonly LinkedList<PendingCall> _ready = new();

    /// <summary>Numbers calls on the wire.</summary>
    private long _lastCallId;

    /// <summary>Numbers workers, for their names.</summary>
    private int _workersStarted;

    /// <summary>
    /// Set while this thread runs code that is not the pool's: a result's deserialization (the user's
    /// converters) and the completion of a future (its done-callbacks). Read by <see cref="JoinAtExit"/>.
    /// </summary>
    private volatile bool _inUserCode;

    /// <summary>Set once the pool is broken: no more dispatch; the loop ends when the workers are gone.</summary>
    private bool _broken;

    /// <summary>When the workers were told to exit (Shutdown sent, or killed as broken); 0 before. Starts <see cref="ExitGuard"/>.</summary>
    private long _leavingSince;

    /// <summary>Whether workers announce each call's start: needed to know which call a dead worker was running, and since when.</summary>
    private bool ReportStarts => _executor.CrashMode == WorkerCrashMode.ReplaceWorker || _executor.TaskTimeout is not null;

    private ExecutorManagerThread(ProcessPoolExecutor executor, ManagerInbox inbox)
    {
        _executor = executor;
        _inbox = inbox;
        _thread = new Thread(Run) { IsBackground = true, Name = $"{executor.Name} manager" };
    }

    /// <summary>Starts the manager of <paramref name="executor"/>.</summary>
    public static ExecutorManagerThread Start(ProcessPoolExecutor executor, ManagerInbox inbox)
    {
        var manager = new ExecutorManagerThread(executor, inbox);
        manager._thread.Start();
        return manager;
    }

    /// <summary>Waits until the manager has ended (all workers gone). Returns at once on the manager thread itself (a done-callback calling Shutdown).</summary>
    public void Join()
    {
        if (Thread.CurrentThread != _thread) _thread.Join();
    }

    /// <summary>
    /// <see cref="Join"/> for the exit hook, which must not wait for a manager that is itself exiting
    /// the process: Environment.Exit called on this thread (by a done-callback or a result's
    /// converter) blocks here while the ProcessExit handlers run on another thread, so joining it
    /// would hang the exit. Such a manager is in user code and blocked; once it has been so for
    /// <see cref="UserCodeExitGrace"/>, the hook stops waiting, and the workers die with the process
    /// (parent-death signal, end of file on their pipes).
    /// </summary>
    /// <returns>Whether the manager ended (false: given up as stuck in user code).</returns>
    public bool JoinAtExit()
    {
        if (Thread.CurrentThread == _thread) return false;
        long stuckSince = 0;
        while (!_thread.Join(TimeSpan.FromMilliseconds(50)))
        {
            bool stuck = _inUserCode && (_thread.ThreadState & System.Threading.ThreadState.WaitSleepJoin) != 0;
            if (!stuck) stuckSince = 0;
            else if (stuckSince == 0) stuckSince = Stopwatch.GetTimestamp();
            else if (Stopwatch.GetElapsedTime(stuckSince) > UserCodeExitGrace) return false;
        }
        return true;
    }

    private void Run()
    {
        ProcessPoolExitHook.Register(_executor);
        try
        {
            Loop();
        }
        catch (Exception e)
        {
            // A bug here must not hang anyone: break the pool with the cause attached (as CPython does).
            TerminateBroken($"The process pool's manager thread failed: {e.Message}", e);
            foreach (WorkerProcess worker in _workers) worker.Kill();
        }
        finally
        {
            _executor.PublishWorkerCounts(live: 0, busy: 0);
            FuturesMetrics.Unregister(_executor);
            ProcessPoolExitHook.Unregister(_executor);
        }
    }

    private void Loop()
    {
        while (true)
        {
            SignalForcedWorkers();
            if (!_broken) AddCallItemsToWorkers();
            if (ReadyToExit()) return;
            if (_inbox.TryTake(NextWakeup(), out ManagerEvent e)) Handle(e);
            CheckTaskTimeouts();
            PublishWorkerCounts();
        }
    }

    /// <summary>Publishes live and busy workers for the gauges: after every event, so they are never more than one event behind.</summary>
    private void PublishWorkerCounts()
    {
        int busy = 0;
        foreach (WorkerProcess w in _workers) if (w.InFlight.Count > 0) busy++;
        _executor.PublishWorkerCounts(_workers.Count, busy);
    }

    private void Handle(ManagerEvent e)
    {
        switch (e.Kind)
        {
            case ManagerEventKind.Message: HandleMessage(e.Worker!, e.Frame); break;
            case ManagerEventKind.Exited: HandleExit(e.Worker!); break;
        }
    }

    // ---- Dispatch ------------------------------------------------------------------------

    /// <summary>Hands calls to idle workers (starting workers up to MaxWorkers), plus <see cref="ExtraQueuedCalls"/>. Mirrors <c>add_call_item_to_queue</c>.</summary>
    private void AddCallItemsToWorkers()
    {
        if (_executor.ForceSignal != 0) return;
        while (true)
        {
            WorkerProcess? target = _workers.Find(w => w.InFlight.Count == 0 && CanTakeMore(w));
            bool spawn = target is null && LiveWorkers() < _executor.MaxWorkers;
            if (target is null && !spawn && QueuedBehindBusy() < ExtraQueuedCalls)
            {
                target = LongestRunning();
            }
            if (target is null && !spawn) return;
            if (TakeNextCall() is not { } call) return;
            target ??= StartWorker();
            Send(target, call);
        }
    }

    /// <summary>
    /// The busy worker (one call, no extra yet) whose call has run longest: the likeliest to finish
    /// first, so the extra call waits least behind it. Taking the first busy worker instead once
    /// queued the extra call behind a worker that had just started while another was about to
    /// finish, which left that one idle: 2 workers ran 4 equal calls as 3 + 1.
    /// </summary>
    private WorkerProcess? LongestRunning()
    {
        WorkerProcess? oldest = null;
        foreach (WorkerProcess w in _workers)
        {
            if (w.InFlight.Count != 1 || !CanTakeMore(w)) continue;
            if (oldest is null || w.RunningSince < oldest.RunningSince) oldest = w;
        }
        return oldest;
    }

    private bool CanTakeMore(WorkerProcess w) =>
        !w.IsLeaving && !w.HasExited && (_executor.MaxTasksPerChild is not { } max || w.TasksAssigned < max);

    /// <summary>Workers that count against MaxWorkers: not retiring, not killed (so their replacements can start at once; gh-115634).</summary>
    private int LiveWorkers() => _workers.Count(w => !w.IsLeaving);

    private int QueuedBehindBusy() => _workers.Sum(w => Math.Max(0, w.InFlight.Count - 1));

    /// <summary>The next call to hand out, now Running: a call to send again first, else a waiting one that is not cancelled.</summary>
    private PendingCall? TakeNextCall()
    {
        if (_ready.First is { } first)
        {
            _ready.RemoveFirst();
            return first.Value;
        }
        while (_executor.TryTakePending(out PendingCall call))
        {
            if (call.TryStart(_executor)) return call;
        }
        return null;
    }

    private WorkerProcess StartWorker()
    {
        WorkerProcess worker = WorkerProcess.Start(WorkerLauncher.Default, _inbox, _workersStarted++);
        _workers.Add(worker);
        _executor.AddWorker(worker);
        ProcessPoolExecutor.Record(_executor.StartedPids, worker.Pid);
        FuturesMetrics.RecordWorkerStarted(_executor);
        worker.Send(MessageKind.Init, new InitItem(_executor.Initializer, ReportStarts).Encode());
        if (_executor.ForceSignal is not 0 and var signal) worker.Signal(signal);
        return worker;
    }

    private void Send(WorkerProcess worker, PendingCall call)
    {
        call.CallId = ++_lastCallId;
        call.OnHandedOut(_executor);
        if (worker.InFlight.Count == 0)
        {
            worker.RunningSince = Stopwatch.GetTimestamp();
            call.MarkStarted(worker.RunningSince);
        }
        worker.InFlight.Enqueue(call);
        worker.TasksAssigned++;
        worker.Send(MessageKind.Call, call.Encode());
    }

    // ---- Results and exits ---------------------------------------------------------------

    private void HandleMessage(WorkerProcess worker, Frame frame)
    {
        switch (frame.Kind)
        {
            case MessageKind.Ready:
                worker.IsReady = true;
                ProcessPoolExecutor.Record(_executor.StartTimes, Stopwatch.GetElapsedTime(worker.StartedAt));
                break;
            case MessageKind.InitFailed:
                Exception cause = RemoteExceptions.Rebuild(ExceptionInfo.Decode(frame.Payload));
                TerminateBroken(Messages.ProcessInitializerFailed, cause);
                break;
            case MessageKind.Result:
                HandleResult(worker, ResultItem.Decode(frame.Payload));
                break;
            case MessageKind.Started:
                if (worker.InFlight.TryPeek(out PendingCall? head) && head.CallId == BitConverter.ToInt64(frame.Payload))
                {
                    worker.HeadStarted = true;
                    worker.RunningSince = Stopwatch.GetTimestamp();
                    head.MarkStarted(worker.RunningSince);
                }
                break;
            default:
                worker.Kill(); // a protocol error: the worker is unusable; its exit breaks or replaces it
                break;
        }
    }

    private void HandleResult(WorkerProcess worker, ResultItem result)
    {
        if (worker.InFlight.Count == 0 || worker.InFlight.Peek().CallId != result.CallId)
        {
            return; // the call was given up (timed out, pool broken) while its result was on the way
        }
        PendingCall call = worker.InFlight.Dequeue();
        worker.HeadStarted = false;
        if (worker.InFlight.TryPeek(out PendingCall? next))
        {
            worker.RunningSince = Stopwatch.GetTimestamp();
            next.MarkStarted(worker.RunningSince);
        }
        if (worker.InFlight.Count == 0 && !CanTakeMore(worker) && !worker.IsLeaving && !worker.HasExited)
        {
            worker.SendShutdown(); // maxTasksPerChild reached: retire; a replacement starts on demand
            FuturesMetrics.RecordWorkerReplaced(_executor, ReplaceReason.MaxTasksPerChild);
        }
        _inUserCode = true;
        try
        {
            call.Complete(result, _executor);
        }
        catch (InvalidStateException)
        {
            // Already failed by TerminateBroken; nothing to do.
        }
        finally
        {
            _inUserCode = false;
        }
    }

    private void HandleExit(WorkerProcess worker)
    {
        if (worker.IsGone) return;
        worker.IsGone = true;
        string exit = worker.DescribeExit();
        try
        {
            HandleExit(worker, exit);
        }
        finally
        {
            // Removed only now, so that TerminateBroken above still sees the dead worker's calls.
            _workers.Remove(worker);
            _executor.RemoveWorker(worker);
            worker.Dispose();
        }
    }

    private void HandleExit(WorkerProcess worker, string exit)
    {
        if (_broken) return;
        bool expected = worker.IsLeaving && worker.InFlight.Count == 0;
        if (expected) return;
        if (_executor.ForceSignal != 0)
        {
            if (worker.InFlight.Count > 0) TerminateBroken(Messages.ProcessTerminatedAbruptly + exit, null);
            return;
        }
        if (_executor.CrashMode == WorkerCrashMode.BreakPool || !worker.IsReady)
        {
            // A worker that dies before it is ready would die again if replaced: break either way.
            TerminateBroken(Messages.ProcessTerminatedAbruptly + exit, null);
            return;
        }
        // ReplaceWorker: only the call it was running fails; the ones it had not started go elsewhere.
        FuturesMetrics.RecordWorkerReplaced(_executor, ReplaceReason.Crash);
        if (worker.HeadStarted && worker.InFlight.TryDequeue(out PendingCall? running))
        {
            Fail(running, Messages.ProcessTerminatedAbruptly + exit, null);
        }
        Requeue(worker);
    }

    /// <summary>Puts the calls a worker held but never started at the front of the line, in order.</summary>
    private void Requeue(WorkerProcess worker)
    {
        LinkedListNode<PendingCall>? before = _ready.First;
        while (worker.InFlight.TryDequeue(out PendingCall? call))
        {
            if (before is null) _ready.AddLast(call);
            else _ready.AddBefore(before, call);
        }
    }

    // ---- Timeouts --------------------------------------------------------------------------

    /// <summary>Kills the worker of every call that has run longer than taskTimeout; the call fails with TimeoutException, the pool goes on.</summary>
    private void CheckTaskTimeouts()
    {
        if (_executor.TaskTimeout is not { } timeout || _broken) return;
        foreach (WorkerProcess worker in _workers)
        {
            if (worker.InFlight.Count == 0 || worker.IsLeaving || !worker.HeadStarted) continue;
            if (Stopwatch.GetElapsedTime(worker.RunningSince) < timeout) continue;
            PendingCall overdue = worker.InFlight.Dequeue();
            worker.Kill();
            Requeue(worker);
            FuturesMetrics.RecordWorkerReplaced(_executor, ReplaceReason.TaskTimeout);
            _inUserCode = true;
            try { overdue.Fail(_executor, TaskOutcome.TimedOut, new TimeoutException(Messages.TaskTimedOut(timeout, worker.Pid))); }
            finally { _inUserCode = false; }
        }
    }

    /// <summary>How long the inbox wait may last: until the next task deadline or exit guard.</summary>
    private TimeSpan NextWakeup()
    {
        TimeSpan wait = Timeout.InfiniteTimeSpan;
        if (_executor.TaskTimeout is { } timeout && !_broken)
        {
            foreach (WorkerProcess w in _workers)
            {
                if (w.InFlight.Count == 0 || w.IsLeaving || !w.HeadStarted) continue;
                TimeSpan left = timeout - Stopwatch.GetElapsedTime(w.RunningSince);
                if (wait == Timeout.InfiniteTimeSpan || left < wait) wait = left;
            }
        }
        if (_leavingSince != 0)
        {
            TimeSpan left = ExitGuard - Stopwatch.GetElapsedTime(_leavingSince);
            if (wait == Timeout.InfiniteTimeSpan || left < wait) wait = left;
        }
        return wait == Timeout.InfiniteTimeSpan ? wait : wait < TimeSpan.Zero ? TimeSpan.Zero : wait + TimeSpan.FromMilliseconds(1);
    }

    // ---- Shutdown and breaking ----------------------------------------------------------------

    /// <summary>Sends the force signal to any worker that has not had it (one started while TerminateWorkers ran).</summary>
    private void SignalForcedWorkers()
    {
        if (_executor.ForceSignal == 0) return;
        int signal = _executor.ForceSignal;
        foreach (WorkerProcess w in _workers)
        {
            if (w.ForceSignalled) continue;
            w.ForceSignalled = true;
            w.Signal(signal);
        }
        if (_leavingSince == 0) _leavingSince = Stopwatch.GetTimestamp();
        // Calls waiting to be sent again never will be: the workers are going.
        while (_ready.First is { } first)
        {
            _ready.RemoveFirst();
            Fail(first.Value, Messages.ProcessTerminatedAbruptly, null);
        }
    }

    /// <summary>Whether the loop can end: shut down (or broken) with every worker gone. Tells idle workers to exit once nothing is left to do.</summary>
    private bool ReadyToExit()
    {
        bool idle = _ready.Count == 0 && _workers.TrueForAll(w => w.InFlight.Count == 0);
        if (!_broken && _executor.ShutdownRequested && idle && !_executor.HasPending)
        {
            foreach (WorkerProcess w in _workers) if (!w.IsLeaving) w.SendShutdown();
            if (_leavingSince == 0) _leavingSince = Stopwatch.GetTimestamp();
        }
        if (_leavingSince != 0 && Stopwatch.GetElapsedTime(_leavingSince) > ExitGuard)
        {
            foreach (WorkerProcess w in _workers) w.Kill(); // stuck in user code or a finalizer: no child outlives Shutdown
        }
        bool done = _broken || (_executor.ShutdownRequested && idle && !_executor.HasPending);
        return done && _workers.Count == 0;
    }

    /// <summary>Fails every call in the pool and kills the workers. Mirrors <c>terminate_broken</c>.</summary>
    private void TerminateBroken(string message, Exception? inner)
    {
        if (_broken) return;
        _broken = true;
        var failed = new List<PendingCall>(_ready);
        _ready.Clear();
        foreach (WorkerProcess w in _workers)
        {
            failed.AddRange(w.InFlight);
            w.InFlight.Clear();
        }
        // Broken first, so that whoever wakes from a failed future and submits again is refused.
        List<PendingCall> waiting = _executor.MarkBroken(message, inner);
        foreach (PendingCall call in failed) Fail(call, message, inner);
        // Calls that never left the queue: cancelled ones stay cancelled, the rest are claimed, then failed.
        foreach (PendingCall call in waiting)
        {
            if (call.TryStart(_executor)) Fail(call, message, inner);
        }
        foreach (WorkerProcess w in _workers) w.Kill();
        _leavingSince = Stopwatch.GetTimestamp();
    }

    /// <summary>Fails a call that is Running (handed to a worker, or claimed by <see cref="PendingCall.TryStart"/>) as broken.</summary>
    private void Fail(PendingCall call, string message, Exception? inner)
    {
        _inUserCode = true;
        try { call.Fail(_executor, TaskOutcome.Broken, ProcessPoolExecutor.NewBrokenException(message, inner)); }
        finally { _inUserCode = false; }
    }
}
