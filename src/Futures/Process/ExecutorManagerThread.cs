using Futures.Diagnostics;
using Futures.Internal;
using Futures.ProcessPool.Protocol;

namespace Futures.ProcessPool;

/// <summary>
/// The pool's one manager thread (Python's <c>_ExecutorManagerThread</c>): starts workers, and handles
/// their exits, taskTimeout and shutdown. The call state it acts on is the <see cref="CallDispatcher"/>'s;
/// calls are handed out and results taken back on other threads too (see there).
/// </summary>
/// <remarks>
/// Only this thread starts workers: on Linux a child's parent-death signal fires when the thread that
/// started it ends, so this thread outlives its workers (it ends only once they are gone), and if the
/// whole process dies they die with it. Events reach it through its <see cref="ManagerInbox"/> (a
/// worker's exit, an initializer failure, a wakeup: a worker to start, a deadline, shutdown). It
/// takes no lock of its own; it completes the futures that fail (breaks, timeouts, workers lost),
/// outside the dispatcher's lock.
/// </remarks>
internal sealed class ExecutorManagerThread
{
    // Immutable after construction.

    private readonly ProcessPoolExecutor _executor;
    private readonly CallDispatcher _dispatcher;
    private readonly ManagerInbox _inbox;
    private readonly Thread _thread;

    /// <summary>Set (once) by <see cref="EnsureStarted"/>.</summary>
    private int _started;

    /// <summary>Numbers workers, for their names. This thread's own.</summary>
    private int _workersStarted;

    /// <summary>
    /// Set while this thread runs code that is not the pool's: the completion of a future it fails
    /// (its done-callbacks). Read by <see cref="JoinAtExit"/>. (Results, and with them the user's
    /// converters and callbacks, complete on the workers' reader threads.)
    /// </summary>
    private volatile bool _inUserCode;

    /// <summary>Makes the manager of <paramref name="executor"/> (not started: see <see cref="EnsureStarted"/>).</summary>
    public ExecutorManagerThread(ProcessPoolExecutor executor, CallDispatcher dispatcher, ManagerInbox inbox)
    {
        _executor = executor;
        _dispatcher = dispatcher;
        _inbox = inbox;
        _thread = new Thread(Run) { IsBackground = true, Name = $"{executor.Name} manager" };
    }

    /// <summary>Whether the thread has been started.</summary>
    public bool IsStarted => Volatile.Read(ref _started) != 0;

    /// <summary>Starts the thread, once, from whichever thread gets here first (the first Submit's, or a Shutdown racing with it).</summary>
    public void EnsureStarted()
    {
        if (Volatile.Read(ref _started) == 0 && Interlocked.Exchange(ref _started, 1) == 0) _thread.Start();
    }

    /// <summary>
    /// Waits until the manager has ended (all workers gone). Returns at once on the manager thread
    /// itself or a worker's reader thread (a done-callback calling Shutdown), which it would wait for.
    /// </summary>
    public void Join()
    {
        if (Thread.CurrentThread != _thread && !WorkerProcess.IsReaderThreadOf(_dispatcher)) _thread.Join();
    }

    /// <summary>
    /// <see cref="Join"/> for the exit hook, which must not wait for a manager that is itself exiting
    /// the process: Environment.Exit called on this thread (by a done-callback) blocks here while the
    /// ProcessExit handlers run on another thread, so joining it would hang the exit. Such a manager is
    /// in user code and blocked; once it has been so for <see cref="ExecutorExitHook.UserCodeExitGrace"/>,
    /// the hook stops waiting, and the workers die with the process (parent-death signal, end of file on
    /// their pipes). Called on a worker's reader thread (Environment.Exit in a result's converter or a
    /// done-callback runs the ProcessExit handlers on that thread), it does not wait either: the manager
    /// would wait for that worker's exit, which waits for the reader.
    /// </summary>
    /// <returns>Whether the manager ended (false: given up as stuck in user code).</returns>
    public bool JoinAtExit()
    {
        if (Thread.CurrentThread == _thread || WorkerProcess.IsReaderThreadOf(_dispatcher)) return false;
        return ExecutorExitHook.JoinAtExit(_thread, () => _inUserCode); // the rule the thread pool's workers follow too
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
            _dispatcher.TerminateBroken($"The process pool's manager thread failed: {e.Message}", e, killAll: true);
            CompleteFailures();
        }
        finally
        {
            FuturesMetrics.Unregister(_executor);
            ExecutorExitHook.Unregister(_executor);
        }
    }

    private void Loop()
    {
        while (true)
        {
            ManagerStep step = _dispatcher.NextManagerStep();
            CompleteFailures();
            if (step.SpawnFor is { } first)
            {
                SpawnProcess(first);
                continue;
            }
            if (step.Exit) return;
            if (_inbox.TryTake(step.Wait, out ManagerEvent e)) Handle(e);
            _dispatcher.CheckTaskTimeouts();
            CompleteFailures();
        }
    }

    /// <summary>Handles one event. Mirrors the event half of <c>wait_result_broken_or_wakeup</c>.</summary>
    private void Handle(ManagerEvent e)
    {
        switch (e.Kind)
        {
            case ManagerEventKind.Message when e.Frame.Kind == MessageKind.InitFailed:
                // Rebuilt outside the lock: it runs the exception type's constructor.
                Exception cause = RemoteExceptions.Rebuild(ResultItem.Decode(e.Frame.Payload));
                _dispatcher.TerminateBroken(Messages.ProcessInitializerFailed, cause);
                break;
            case ManagerEventKind.Message:
                _dispatcher.KillWorker(e.Worker!); // a protocol error: the worker is unusable; its exit breaks or replaces it
                break;
            case ManagerEventKind.Exited:
                _dispatcher.HandleExit(e.Worker!);
                break;
        }
    }

    /// <summary>Starts a worker (outside any lock: it takes milliseconds) and hands it <paramref name="first"/>, already Running. Mirrors <c>_spawn_process</c>.</summary>
    private void SpawnProcess(PendingCall first)
    {
        WorkerProcess worker;
        try
        {
            worker = WorkerProcess.Start(_executor.Launcher ?? WorkerLauncher.Default, _dispatcher, _inbox, _workersStarted++);
        }
        catch (Exception e) when (e is NotSupportedException or System.ComponentModel.Win32Exception or IOException)
        {
            // No process at all (no way to start one in this app, or the executable is missing): nothing will
            // ever start, so the pool is broken, with the reason.
            _dispatcher.SpawnFailed(first, Messages.WorkerStartFailed(e.Message), e);
            return;
        }
        catch (Exception e)
        {
            _dispatcher.SpawnFailed(first, breakMessage: null, e); // failed with the rest of the pool by Run's handler
            throw;
        }
        ProcessPoolExecutor.Record(_executor.StartedPids, worker.Pid);
        FuturesMetrics.RecordWorkerStarted(_executor);
        _dispatcher.AddWorker(worker, new InitItem(_executor.Initializer, _dispatcher.ReportStarts).Encode(), first);
    }

    /// <summary>Fails the futures the dispatcher decided to fail. Never under its lock: failing a future runs its callbacks.</summary>
    private void CompleteFailures()
    {
        if (_dispatcher.TakeFailures() is not { } failures) return;
        foreach ((PendingCall call, string outcome, Exception error) in failures)
        {
            _inUserCode = true;
            try
            {
                call.Fail(_executor, outcome, error);
            }
            finally
            {
                _inUserCode = false;
            }
        }
    }
}
