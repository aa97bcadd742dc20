using System.Diagnostics;
using Futures.Diagnostics;
using Futures.Internal;

namespace Futures.ProcessPool;

// What the manager thread reports and asks: worker exits, timeouts, shutdown, breaking the pool,
// and the futures that fail because of them (completed by the manager, outside the lock).
internal sealed partial class CallDispatcher
{
    /// <summary>How long workers get to exit after Shutdown (or a kill) before they are killed (again).</summary>
    private static readonly TimeSpan ExitGuard = TimeSpan.FromSeconds(10);

    // Mutated under _lock.

    /// <summary>Why the pool is broken (message and inner exception); null while it is usable. Guarded by <see cref="_lock"/>.</summary>
    private (string Message, Exception? Inner)? _broken;

    /// <summary>Set by Shutdown: no more calls are accepted; once the last one is answered the workers are told to exit. Guarded by <see cref="_lock"/>.</summary>
    private bool _shutdown;

    /// <summary>
    /// The signal of TerminateWorkers/KillWorkers (0: none): no more calls go out, and every worker
    /// gets it, also one started later. Guarded by <see cref="_lock"/>.
    /// </summary>
    private int _forceSignal;

    /// <summary>When the workers were told to exit (Shutdown sent, or killed as broken); 0 before. Starts <see cref="ExitGuard"/>. Guarded by <see cref="_lock"/>.</summary>
    private long _leavingSince;

    /// <summary>
    /// Futures to fail once the lock is released, with their outcomes and exceptions, e.g.
    /// <c>[(#7, broken, BrokenProcessPoolException)]</c>; the manager completes them. Guarded by <see cref="_lock"/>.
    /// </summary>
    private List<(PendingCall Call, string Outcome, Exception Error)> _failures = new();

    /// <summary>
    /// Marks the pool shutting down: later Submit throws; with <paramref name="cancelFutures"/> the
    /// waiting calls are taken out, for the caller to cancel outside the lock. Mirrors <c>flag_executor_shutting_down</c>.
    /// </summary>
    /// <returns>Whether a call was ever accepted: then the manager thread runs, and is the one to wait for.</returns>
    public bool FlagShuttingDown(bool cancelFutures, out List<PendingCall>? cancelled)
    {
        lock (_lock)
        {
            AssertInvariants();
            _shutdown = true;
            cancelled = cancelFutures ? DrainPending_NeedsLock() : null;
            return _accepted;
        }
    }

    /// <summary>Asks the manager to look at the state again (Shutdown: idle workers may be told to exit).</summary>
    public void WakeManager() => _inbox.Wakeup();

    /// <summary>Records the signal of TerminateWorkers/KillWorkers and sends it to every worker now; the manager sends it to any started later.</summary>
    public void Force(int signal)
    {
        lock (_lock)
        {
            AssertInvariants();
            _forceSignal = signal;
            SignalForcedWorkers_NeedsLock();
        }
        _inbox.Wakeup();
    }

    /// <summary>What the manager does next: start a worker for <see cref="ManagerStep.SpawnFor"/>, end, or wait for an event (at most <see cref="ManagerStep.Wait"/>).</summary>
    public ManagerStep NextManagerStep()
    {
        lock (_lock)
        {
            AssertInvariants();
            SignalForcedWorkers_NeedsLock();
            if (AddCallItemsToQueue_NeedsLock(out PendingCall? first, mayTakeForSpawn: true)) return new ManagerStep(first, Exit: false, TimeSpan.Zero);
            return new ManagerStep(null, ReadyToExit_NeedsLock(), NextWakeup_NeedsLock());
        }
    }

    /// <summary>Takes the futures to fail (decided under the lock), for the manager to complete outside it.</summary>
    public List<(PendingCall Call, string Outcome, Exception Error)>? TakeFailures()
    {
        lock (_lock)
        {
            if (_failures.Count == 0) return null;
            List<(PendingCall Call, string Outcome, Exception Error)> failures = _failures;
            _failures = new();
            return failures;
        }
    }

    /// <summary>The manager handled a message it cannot use (a protocol error): the worker is unusable; its exit breaks the pool or replaces it.</summary>
    public void KillWorker(WorkerProcess process)
    {
        lock (_lock)
        {
            if (Find_NeedsLock(process) is { } worker) Kill_NeedsLock(worker);
        }
    }

    /// <summary>Breaks the pool: every call fails, every worker is killed. Mirrors <c>terminate_broken</c>.</summary>
    /// <param name="message">The message of each future's <see cref="BrokenProcessPoolException"/>.</param>
    /// <param name="cause">Its inner exception; null for none.</param>
    /// <param name="killAll">Kill the workers even if the pool was broken already (the manager itself failed: nobody else will).</param>
    public void TerminateBroken(string message, Exception? cause, bool killAll = false)
    {
        lock (_lock)
        {
            AssertInvariants();
            TerminateBroken_NeedsLock(message, cause);
            if (killAll) foreach (WorkerCalls w in _workers) Kill_NeedsLock(w);
        }
    }

    /// <summary>A worker's process exited (the manager's Exited event): breaks the pool, or replaces the worker, unless the exit was expected.</summary>
    public void HandleExit(WorkerProcess process)
    {
        lock (_lock)
        {
            AssertInvariants();
            if (Find_NeedsLock(process) is not { } worker) return; // handled already
            try
            {
                HandleExit_NeedsLock(worker, process.DescribeExit(worker.IsReady, worker.IsLeaving || worker.ForceSignalled));
            }
            finally
            {
                // Removed only now, so that TerminateBroken above still sees the dead worker's calls.
                _workers.Remove(worker);
                process.Dispose();
                PublishWorkerCounts_NeedsLock();
            }
        }
    }

    /// <summary>Fails every call that has run longer than taskTimeout (TimeoutException) and kills its worker; the pool goes on.</summary>
    public void CheckTaskTimeouts()
    {
        lock (_lock)
        {
            AssertInvariants();
            if (_executor.TaskTimeout is { } timeout && _broken is null)
            {
                foreach (WorkerCalls worker in _workers)
                {
                    if (worker.Calls.Count == 0 || worker.IsLeaving || !worker.HeadStarted) continue;
                    if (Stopwatch.GetElapsedTime(worker.RunningSince) < timeout) continue;
                    PendingCall overdue = worker.Calls.Dequeue();
                    Kill_NeedsLock(worker);
                    Requeue_NeedsLock(worker);
                    FuturesMetrics.RecordWorkerReplaced(_executor, ReplaceReason.TaskTimeout);
                    _failures.Add((overdue, TaskOutcome.TimedOut, new TimeoutException(Messages.TaskTimedOut(timeout, worker.Process.Pid))));
                }
            }
            PublishWorkerCounts_NeedsLock();
        }
    }

    private void HandleExit_NeedsLock(WorkerCalls worker, string exit)
    {
        if (_broken is not null) return;
        bool expected = worker.IsLeaving && worker.Calls.Count == 0;
        if (expected) return;
        if (_forceSignal != 0)
        {
            if (worker.Calls.Count > 0) TerminateBroken_NeedsLock(Messages.ProcessTerminatedAbruptly + exit, null);
            return;
        }
        if (_executor.CrashMode == WorkerCrashMode.BreakPool || !worker.IsReady)
        {
            // A worker that dies before it is ready would die again if replaced: break either way.
            TerminateBroken_NeedsLock(Messages.ProcessTerminatedAbruptly + exit, null);
            return;
        }
        // ReplaceWorker: only the call it was running fails; the ones it had not started go elsewhere.
        FuturesMetrics.RecordWorkerReplaced(_executor, ReplaceReason.Crash);
        if (worker.HeadStarted && worker.Calls.TryDequeue(out PendingCall? running))
        {
            Fail_NeedsLock(running, Messages.ProcessTerminatedAbruptly + exit, null);
        }
        Requeue_NeedsLock(worker);
    }

    /// <summary>Puts the calls a worker held but never started at the front of the line, in order.</summary>
    private void Requeue_NeedsLock(WorkerCalls worker)
    {
        LinkedListNode<PendingCall>? before = _requeued.First;
        while (worker.Calls.TryDequeue(out PendingCall? call))
        {
            if (before is null) _requeued.AddLast(call);
            else _requeued.AddBefore(before, call);
        }
    }

    /// <summary>How long the manager may wait for an event: until the next task deadline or exit guard.</summary>
    private TimeSpan NextWakeup_NeedsLock()
    {
        TimeSpan wait = Timeout.InfiniteTimeSpan;
        if (_executor.TaskTimeout is { } timeout && _broken is null)
        {
            foreach (WorkerCalls w in _workers)
            {
                if (w.Calls.Count == 0 || w.IsLeaving || !w.HeadStarted) continue;
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

    /// <summary>Sends the force signal to any worker that has not had it, and fails the calls that were to be sent again: the workers are going.</summary>
    private void SignalForcedWorkers_NeedsLock()
    {
        if (_forceSignal == 0) return;
        foreach (WorkerCalls w in _workers)
        {
            if (w.ForceSignalled) continue;
            w.ForceSignalled = true;
            w.Process.Signal(_forceSignal);
        }
        if (_leavingSince == 0) _leavingSince = Stopwatch.GetTimestamp();
        while (_requeued.First is { } first)
        {
            _requeued.RemoveFirst();
            Fail_NeedsLock(first.Value, Messages.ProcessTerminatedAbruptly, null);
        }
    }

    /// <summary>
    /// Whether the manager can end: shut down (or broken) with every worker gone. Tells idle workers to
    /// exit once nothing is left to do, and kills those that overstay <see cref="ExitGuard"/>.
    /// </summary>
    private bool ReadyToExit_NeedsLock()
    {
        bool idle = _requeued.Count == 0 && _spawning == 0 && _pending.Count == 0 && _workers.TrueForAll(w => w.Calls.Count == 0);
        bool done = _broken is not null || (_shutdown && idle);
        if (_broken is null && done)
        {
            foreach (WorkerCalls w in _workers) if (!w.IsLeaving) Retire_NeedsLock(w);
            if (_leavingSince == 0) _leavingSince = Stopwatch.GetTimestamp();
        }
        if (_leavingSince != 0 && Stopwatch.GetElapsedTime(_leavingSince) > ExitGuard)
        {
            foreach (WorkerCalls w in _workers) Kill_NeedsLock(w); // stuck in user code or a finalizer: no child outlives Shutdown
        }
        return done && _workers.Count == 0;
    }

    /// <summary>Fails every call in the pool (once the lock is released) and kills the workers. Mirrors <c>terminate_broken</c>.</summary>
    private void TerminateBroken_NeedsLock(string message, Exception? inner)
    {
        Debug.Assert(Monitor.IsEntered(_lock));
        if (_broken is not null) return;
        // Broken first, so that whoever wakes from a failed future and submits again is refused.
        _broken = (message, inner);
        _brokenFlag = true;
        foreach (PendingCall call in _requeued) Fail_NeedsLock(call, message, inner);
        _requeued.Clear();
        foreach (WorkerCalls w in _workers)
        {
            foreach (PendingCall call in w.Calls) Fail_NeedsLock(call, message, inner);
            w.Calls.Clear();
        }
        // Calls that never left the queue: cancelled ones stay cancelled, the rest are claimed, then failed.
        foreach (PendingCall call in DrainPending_NeedsLock())
        {
            if (call.TryStart(_executor)) Fail_NeedsLock(call, message, inner);
        }
        foreach (WorkerCalls w in _workers) Kill_NeedsLock(w);
        _leavingSince = Stopwatch.GetTimestamp();
    }

    /// <summary>Fails a call that is Running (handed to a worker, or claimed by <see cref="PendingCall.TryStart"/>) as broken, once the lock is released.</summary>
    private void Fail_NeedsLock(PendingCall call, string message, Exception? inner) =>
        _failures.Add((call, TaskOutcome.Broken, NewBrokenException(message, inner)));
}

/// <summary>What the manager thread does next (<see cref="CallDispatcher.NextManagerStep"/>).</summary>
/// <param name="SpawnFor">Start a worker and hand it this call (already Running); null: no worker to start.</param>
/// <param name="Exit">The pool is shut down or broken and every worker is gone: the manager ends.</param>
/// <param name="Wait">How long to wait for an event before looking again (a task deadline, the exit guard); infinite for none.</param>
internal readonly record struct ManagerStep(PendingCall? SpawnFor, bool Exit, TimeSpan Wait);
