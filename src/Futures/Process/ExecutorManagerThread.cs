using System.Diagnostics;
using Futures.Diagnostics;
using Futures.Internal;
using Futures.ProcessPool.Protocol;

namespace Futures.ProcessPool;

/// <summary>
/// The pool's one manager thread (Python's <c>_ExecutorManagerThread</c>): starts workers, watches
/// them for exit, enforces taskTimeout and shutdown. Handing calls to workers and taking their
/// results back happens on whichever thread gets there first (see <see cref="Dispatch"/>).
/// </summary>
/// <remarks>
/// The state here and every worker's call bookkeeping are guarded by <see cref="_sync"/>, so that the
/// hot path needs no thread hop: a Submit hands its call to an idle worker itself, and a worker's
/// reader thread takes a result, hands that worker its next call and completes the future. Only this
/// thread starts workers: on Linux a child's parent-death signal fires when the thread that started it
/// ends, so this thread outlives its workers (it ends only once they are gone), and if the whole process
/// dies they die with it. Events that need it (a worker's exit, an initializer failure, a worker to
/// start, shutdown) reach it through its <see cref="ManagerInbox"/>.
/// <para>
/// LOCK-LEVELING SCHEME: <see cref="_sync"/> may be held while taking the executor's lock (taking a
/// pending call, marking the pool broken, listing workers), a future's lock (Pending → Running, which
/// calls nothing) or the inbox's lock; never the reverse. Under it: no future is completed or cancelled
/// (no user callback runs), no process is started, nothing waits; small frames are written to a pipe
/// (that never blocks: see <see cref="WorkerProcess.Send"/>), processes may be signalled, and metrics
/// are recorded (as everywhere in the library, their listeners must not block).
/// </para>
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

    // Immutable after construction.

    private readonly ProcessPoolExecutor _executor;
    private readonly ManagerInbox _inbox;
    private readonly Thread _thread;

    /// <summary>Guards the fields below and the call bookkeeping of every worker in <see cref="_workers"/>.</summary>
    private readonly object _sync = new();

    // Mutated under _sync.

    /// <summary>Live workers (started, exit not yet handled), e.g. <c>[worker 0 (pid 4711), worker 2 (pid 4730)]</c>. Guarded by <see cref="_sync"/>.</summary>
    private readonly List<WorkerProcess> _workers = new();

    /// <summary>Calls already Running that must go to a worker again (their worker was killed or died before starting them), front first. Guarded by <see cref="_sync"/>.</summary>
    private readonly LinkedList<PendingCall> _ready = new();

    /// <summary>Futures to fail once <see cref="_sync"/> is released, with their outcomes and exceptions, e.g. <c>[(#7, broken, BrokenProcessPoolException)]</c>. Guarded by <see cref="_sync"/>.</summary>
    private List<(PendingCall Call, string Outcome, Exception Error)> _failures = new();

    /// <summary>Numbers calls on the wire. Guarded by <see cref="_sync"/>.</summary>
    private long _lastCallId;

    /// <summary>Numbers workers, for their names. Guarded by <see cref="_sync"/>.</summary>
    private int _workersStarted;

    /// <summary>Workers this thread is starting right now, outside the lock (they count against MaxWorkers). Guarded by <see cref="_sync"/>.</summary>
    private int _spawning;

    /// <summary>
    /// Set while this thread runs code that is not the pool's: the completion of a future it fails
    /// (its done-callbacks). Read by <see cref="JoinAtExit"/>. (Results, and with them the user's
    /// converters and callbacks, complete on the workers' reader threads.)
    /// </summary>
    private volatile bool _inUserCode;

    /// <summary>Set once the pool is broken: no more dispatch; the loop ends when the workers are gone. Guarded by <see cref="_sync"/>.</summary>
    private bool _broken;

    /// <summary>When the workers were told to exit (Shutdown sent, or killed as broken); 0 before. Starts <see cref="ExitGuard"/>. Guarded by <see cref="_sync"/>.</summary>
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

    /// <summary>
    /// Waits until the manager has ended (all workers gone). Returns at once on the manager thread
    /// itself or a worker's reader thread (a done-callback calling Shutdown), which it would wait for.
    /// </summary>
    public void Join()
    {
        if (Thread.CurrentThread != _thread && !WorkerProcess.IsReaderThreadOf(this)) _thread.Join();
    }

    /// <summary>
    /// <see cref="Join"/> for the exit hook, which must not wait for a manager that is itself exiting
    /// the process: Environment.Exit called on this thread (by a done-callback) blocks here while the
    /// ProcessExit handlers run on another thread, so joining it would hang the exit. Such a manager is
    /// in user code and blocked; once it has been so for <see cref="ExecutorExitHook.UserCodeExitGrace"/>, the hook stops
    /// waiting, and the workers die with the process (parent-death signal, end of file on their pipes).
    /// Called on a worker's reader thread (Environment.Exit in a result's converter or a done-callback
    /// runs the ProcessExit handlers on that thread), it does not wait either: the manager would wait
    /// for that worker's exit, which waits for the reader.
    /// </summary>
    /// <returns>Whether the manager ended (false: given up as stuck in user code).</returns>
    public bool JoinAtExit()
    {
        if (Thread.CurrentThread == _thread || WorkerProcess.IsReaderThreadOf(this)) return false;
        return ExecutorExitHook.JoinAtExit(_thread, () => _inUserCode); // the rule the thread pool's workers follow too
    }

    /// <summary>
    /// Hands waiting calls to idle workers from the calling thread (Submit's), so that a call reaches
    /// a worker without a thread hop; wakes the manager when a worker has to be started for them.
    /// </summary>
    public void Dispatch()
    {
        bool wake;
        lock (_sync)
        {
            AssertInvariants();
            wake = !_broken && AddCallItemsToWorkers_NeedsLock(out _, mayTakeForSpawn: false);
            PublishWorkerCounts_NeedsLock();
        }
        if (wake) _inbox.Wakeup();
    }

    /// <summary>A worker's reader thread read <paramref name="frame"/>. Results complete their futures here, on the reader thread.</summary>
    public void OnFrame(WorkerProcess worker, Frame frame)
    {
        switch (frame.Kind)
        {
            case MessageKind.Blob or MessageKind.TextBlob:
                (worker.ReceivedBlobs ??= new()).Add(frame.Blob); // the next result's
                break;
            case MessageKind.Result:
                ResultItem result = ResultItem.Decode(frame.Payload) with { Blobs = worker.ReceivedBlobs };
                worker.ReceivedBlobs = null;
                OnResult(worker, result);
                break;
            case MessageKind.Ready:
                lock (_sync) worker.IsReady = true;
                ProcessPoolExecutor.Record(_executor.StartTimes, Stopwatch.GetElapsedTime(worker.StartedAt));
                break;
            case MessageKind.Started:
                lock (_sync)
                {
                    if (worker.InFlight.TryPeek(out PendingCall? head) && head.CallId == BitConverter.ToInt64(frame.Payload))
                    {
                        worker.HeadStarted = true;
                        worker.RunningSince = Stopwatch.GetTimestamp();
                        head.MarkStarted(worker.RunningSince);
                    }
                }
                if (_executor.TaskTimeout is not null) _inbox.Wakeup(); // a new deadline to wait for
                break;
            default:
                _inbox.Post(new ManagerEvent(ManagerEventKind.Message, worker, frame));
                break;
        }
    }

    private void OnResult(WorkerProcess worker, ResultItem result)
    {
        PendingCall? call;
        bool wake;
        lock (_sync)
        {
            AssertInvariants();
            call = TakeAnswered_NeedsLock(worker, result.CallId);
            // The worker's next call goes out before this future completes: the worker is busy again sooner.
            wake = !_broken && AddCallItemsToWorkers_NeedsLock(out _, mayTakeForSpawn: false);
            PublishWorkerCounts_NeedsLock();
        }
        // The manager waits for the last result of a shutdown; no other result concerns it.
        if (wake || _executor.ShutdownRequested) _inbox.Wakeup();
        if (call is null) return;
        try
        {
            call.Complete(result, _executor);
        }
        catch (InvalidStateException)
        {
            // Already failed by TerminateBroken or a timeout; nothing to do.
        }
    }

    private void Run()
    {
        ExecutorExitHook.Register(_executor);
        try
        {
            Loop();
        }
        catch (Exception e)
        {
            // A bug here must not hang anyone: break the pool with the cause attached (as CPython does).
            lock (_sync)
            {
                TerminateBroken_NeedsLock($"The process pool's manager thread failed: {e.Message}", e);
                foreach (WorkerProcess worker in _workers) worker.Kill();
            }
            CompleteFailures();
        }
        finally
        {
            _executor.PublishWorkerCounts(live: 0, busy: 0);
            FuturesMetrics.Unregister(_executor);
            ExecutorExitHook.Unregister(_executor);
        }
    }

    private void Loop()
    {
        while (true)
        {
            bool spawn, exit;
            PendingCall? first;
            TimeSpan wait;
            lock (_sync)
            {
                AssertInvariants();
                SignalForcedWorkers_NeedsLock();
                first = null;
                spawn = !_broken && AddCallItemsToWorkers_NeedsLock(out first, mayTakeForSpawn: true);
                exit = !spawn && ReadyToExit_NeedsLock();
                wait = NextWakeup_NeedsLock();
            }
            CompleteFailures();
            if (spawn)
            {
                StartWorker(first!);
                continue;
            }
            if (exit) return;
            if (_inbox.TryTake(wait, out ManagerEvent e)) Handle(e);
            lock (_sync)
            {
                CheckTaskTimeouts_NeedsLock();
                PublishWorkerCounts_NeedsLock();
            }
            CompleteFailures();
        }
    }

    private void Handle(ManagerEvent e)
    {
        switch (e.Kind)
        {
            case ManagerEventKind.Message when e.Frame.Kind == MessageKind.InitFailed:
                // Rebuilt outside the lock: it runs the exception type's constructor.
                Exception cause = RemoteExceptions.Rebuild(ResultItem.Decode(e.Frame.Payload));
                lock (_sync) TerminateBroken_NeedsLock(Messages.ProcessInitializerFailed, cause);
                break;
            case ManagerEventKind.Message:
                e.Worker!.Kill(); // a protocol error: the worker is unusable; its exit breaks or replaces it
                break;
            case ManagerEventKind.Exited:
                lock (_sync) HandleExit_NeedsLock(e.Worker!);
                break;
        }
    }

    /// <summary>Publishes live and busy workers for the gauges: wherever calls are handed out or taken back, so they are never more than one event behind.</summary>
    private void PublishWorkerCounts_NeedsLock()
    {
        Debug.Assert(Monitor.IsEntered(_sync));
        int busy = 0;
        foreach (WorkerProcess w in _workers) if (w.InFlight.Count > 0) busy++;
        _executor.PublishWorkerCounts(_workers.Count, busy);
    }

    // ---- Dispatch ------------------------------------------------------------------------

    /// <summary>
    /// Hands calls to idle workers, plus <see cref="ExtraQueuedCalls"/>. Mirrors <c>add_call_item_to_queue</c>.
    /// When a call needs a worker that is not started yet, returns <c>true</c>: with
    /// <paramref name="mayTakeForSpawn"/> (the manager thread) that call is taken as
    /// <paramref name="forSpawn"/>, for <see cref="StartWorker"/>; otherwise it stays waiting.
    /// </summary>
    private bool AddCallItemsToWorkers_NeedsLock(out PendingCall? forSpawn, bool mayTakeForSpawn)
    {
        Debug.Assert(Monitor.IsEntered(_sync));
        forSpawn = null;
        if (_executor.ForceSignal != 0) return false;
        while (true)
        {
            WorkerProcess? target = IdleWorker();
            bool spawn = target is null && LiveWorkers() + _spawning < _executor.MaxWorkers;
            if (target is null && !spawn && QueuedBehindBusy() < ExtraQueuedCalls) target = LongestRunning();
            if (target is null && !spawn) return false;
            if (spawn && !mayTakeForSpawn) return _ready.Count > 0 || _executor.HasPending;
            if (TakeNextCall_NeedsLock() is not { } call) return false;
            if (target is null)
            {
                forSpawn = call;
                _spawning++;
                return true;
            }
            Send_NeedsLock(target, call);
        }
    }

    private WorkerProcess? IdleWorker()
    {
        foreach (WorkerProcess w in _workers) if (w.InFlight.Count == 0 && CanTakeMore(w)) return w;
        return null;
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
    private int LiveWorkers()
    {
        int n = 0;
        foreach (WorkerProcess w in _workers) if (!w.IsLeaving) n++;
        return n;
    }

    private int QueuedBehindBusy()
    {
        int n = 0;
        foreach (WorkerProcess w in _workers) n += Math.Max(0, w.InFlight.Count - 1);
        return n;
    }

    /// <summary>The next call to hand out, now Running: a call to send again first, else a waiting one that is not cancelled.</summary>
    private PendingCall? TakeNextCall_NeedsLock()
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

    /// <summary>Starts a worker (outside the lock: it takes milliseconds) and hands it <paramref name="first"/>, already Running.</summary>
    private void StartWorker(PendingCall first)
    {
        int index;
        lock (_sync) index = _workersStarted++;
        WorkerProcess worker;
        try
        {
            worker = WorkerProcess.Start(_executor.Launcher ?? WorkerLauncher.Default, this, _inbox, index);
        }
        catch (Exception e) when (e is NotSupportedException or System.ComponentModel.Win32Exception or IOException)
        {
            // No process at all (no way to start one in this app, or the executable is missing): nothing will
            // ever start, so the pool is broken, with the reason.
            lock (_sync)
            {
                _spawning--;
                _ready.AddFirst(first);
                TerminateBroken_NeedsLock(Messages.WorkerStartFailed(e.Message), e);
            }
            return;
        }
        catch
        {
            lock (_sync)
            {
                _spawning--;
                _ready.AddFirst(first); // failed with the rest of the pool by the loop's handler
            }
            throw;
        }
        _executor.AddWorker(worker);
        ProcessPoolExecutor.Record(_executor.StartedPids, worker.Pid);
        FuturesMetrics.RecordWorkerStarted(_executor);
        lock (_sync)
        {
            _spawning--;
            _workers.Add(worker);
            worker.Send(MessageKind.Init, new InitItem(_executor.Initializer, ReportStarts).Encode());
            if (_executor.ForceSignal is not 0 and var signal) worker.Signal(signal);
            if (_broken) _ready.AddFirst(first); // broke meanwhile: failed below with the rest
            else Send_NeedsLock(worker, first);
            if (_broken) TerminateBroken_NeedsLock(Messages.ProcessTerminatedAbruptly, null);
        }
    }

    private void Send_NeedsLock(WorkerProcess worker, PendingCall call)
    {
        Debug.Assert(Monitor.IsEntered(_sync));
        call.CallId = ++_lastCallId;
        call.OnHandedOut(_executor);
        if (worker.InFlight.Count == 0)
        {
            worker.RunningSince = Stopwatch.GetTimestamp();
            call.MarkStarted(worker.RunningSince);
        }
        worker.InFlight.Enqueue(call);
        worker.TasksAssigned++;
        worker.SendCall(call.Blobs?.Items, call.Encode());
    }

    // ---- Results and exits ---------------------------------------------------------------

    /// <summary>The call that result <paramref name="callId"/> answers, taken off its worker; null when it was given up (timed out, pool broken) while its result was on the way.</summary>
    private PendingCall? TakeAnswered_NeedsLock(WorkerProcess worker, long callId)
    {
        Debug.Assert(Monitor.IsEntered(_sync));
        if (worker.InFlight.Count == 0 || worker.InFlight.Peek().CallId != callId) return null;
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
        return call;
    }

    private void HandleExit_NeedsLock(WorkerProcess worker)
    {
        if (worker.IsGone) return;
        worker.IsGone = true;
        string exit = worker.DescribeExit();
        try
        {
            HandleExit_NeedsLock(worker, exit);
        }
        finally
        {
            // Removed only now, so that TerminateBroken above still sees the dead worker's calls.
            _workers.Remove(worker);
            _executor.RemoveWorker(worker);
            worker.Dispose();
        }
    }

    private void HandleExit_NeedsLock(WorkerProcess worker, string exit)
    {
        if (_broken) return;
        bool expected = worker.IsLeaving && worker.InFlight.Count == 0;
        if (expected) return;
        if (_executor.ForceSignal != 0)
        {
            if (worker.InFlight.Count > 0) TerminateBroken_NeedsLock(Messages.ProcessTerminatedAbruptly + exit, null);
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
        if (worker.HeadStarted && worker.InFlight.TryDequeue(out PendingCall? running))
        {
            Fail_NeedsLock(running, Messages.ProcessTerminatedAbruptly + exit, null);
        }
        Requeue_NeedsLock(worker);
    }

    /// <summary>Puts the calls a worker held but never started at the front of the line, in order.</summary>
    private void Requeue_NeedsLock(WorkerProcess worker)
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
    private void CheckTaskTimeouts_NeedsLock()
    {
        if (_executor.TaskTimeout is not { } timeout || _broken) return;
        foreach (WorkerProcess worker in _workers)
        {
            if (worker.InFlight.Count == 0 || worker.IsLeaving || !worker.HeadStarted) continue;
            if (Stopwatch.GetElapsedTime(worker.RunningSince) < timeout) continue;
            PendingCall overdue = worker.InFlight.Dequeue();
            worker.Kill();
            Requeue_NeedsLock(worker);
            FuturesMetrics.RecordWorkerReplaced(_executor, ReplaceReason.TaskTimeout);
            _failures.Add((overdue, TaskOutcome.TimedOut, new TimeoutException(Messages.TaskTimedOut(timeout, worker.Pid))));
        }
    }

    /// <summary>How long the inbox wait may last: until the next task deadline or exit guard.</summary>
    private TimeSpan NextWakeup_NeedsLock()
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
    private void SignalForcedWorkers_NeedsLock()
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
            Fail_NeedsLock(first.Value, Messages.ProcessTerminatedAbruptly, null);
        }
    }

    /// <summary>Whether the loop can end: shut down (or broken) with every worker gone. Tells idle workers to exit once nothing is left to do.</summary>
    private bool ReadyToExit_NeedsLock()
    {
        bool idle = _ready.Count == 0 && _spawning == 0 && _workers.TrueForAll(w => w.InFlight.Count == 0);
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

    /// <summary>Fails every call in the pool (once the lock is released) and kills the workers. Mirrors <c>terminate_broken</c>.</summary>
    private void TerminateBroken_NeedsLock(string message, Exception? inner)
    {
        Debug.Assert(Monitor.IsEntered(_sync));
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
        foreach (PendingCall call in failed) Fail_NeedsLock(call, message, inner);
        // Calls that never left the queue: cancelled ones stay cancelled, the rest are claimed, then failed.
        foreach (PendingCall call in waiting)
        {
            if (call.TryStart(_executor)) Fail_NeedsLock(call, message, inner);
        }
        foreach (WorkerProcess w in _workers) w.Kill();
        _leavingSince = Stopwatch.GetTimestamp();
    }

    /// <summary>Fails a call that is Running (handed to a worker, or claimed by <see cref="PendingCall.TryStart"/>) as broken, once the lock is released.</summary>
    private void Fail_NeedsLock(PendingCall call, string message, Exception? inner) =>
        _failures.Add((call, TaskOutcome.Broken, ProcessPoolExecutor.NewBrokenException(message, inner)));

    /// <summary>Fails the futures decided under the lock. Never under the lock: failing a future runs its callbacks.</summary>
    private void CompleteFailures()
    {
        Debug.Assert(!Monitor.IsEntered(_sync));
        List<(PendingCall Call, string Outcome, Exception Error)> failures;
        lock (_sync)
        {
            if (_failures.Count == 0) return;
            failures = _failures;
            _failures = new();
        }
        foreach ((PendingCall call, string outcome, Exception error) in failures)
        {
            _inUserCode = true;
            try
            {
                call.Fail(_executor, outcome, error);
            }
            catch (InvalidStateException)
            {
                // Tolerated race: a waiting call was cancelled, or its result arrived, between Done() and SetException.
            }
            finally
            {
                _inUserCode = false;
            }
        }
    }

    [Conditional("DEBUG")]
    private void AssertInvariants()
    {
        Debug.Assert(Monitor.IsEntered(_sync));
        Debug.Assert(_spawning >= 0, "Workers being started cannot be negative.");
        Debug.Assert(_workers.TrueForAll(w => w.InFlight.Count <= 1 + ExtraQueuedCalls), "A worker holds at most its call and the extra one.");
    }
}
