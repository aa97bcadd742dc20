using System.Diagnostics;
using System.Runtime.ExceptionServices;
using Futures.Internal;

namespace Futures;

// LOCK-LEVELING SCHEME
//   A future's lock (SyncObj) guards its callbacks, its waiters and its blocked threads, and every
//   state change that has to tell them (Future.State.cs: a completion that nobody listens to takes
//   no lock).
//   A waiter's Gate (Internal/Waiters) may be taken while holding a future's lock, never the
//   reverse: waiters are notified from inside the future's lock, and Wait/AsCompleted take one
//   future's lock at a time, never several at once (CPython takes them all, sorted by id()).
//   No user code (done-callbacks, await continuations) runs under any of these locks.

/// <summary>The result of a call that may not have finished yet (Python's <c>concurrent.futures.Future</c>).</summary>
/// <remarks>
/// A future is made by an executor's <c>Submit</c> and completed by a worker. Waiting uses a
/// Monitor condition variable; <see cref="GetAwaiter"/> and <see cref="AsTask"/> wait without
/// blocking a thread.
/// </remarks>
[DebuggerDisplay("{ToString(),nq}")]
public partial class Future
{
    /// <summary>
    /// The state machine (Pending → Running → Finished, or Pending → Cancelled →
    /// CancelledAndNotified) and two flags; see Future.State.cs. Volatile so that Done() and the
    /// finished fast path of Result() read it without the lock (fields written before it are then visible).
    /// </summary>
    private volatile int _state;

    /// <summary>The work's exception, captured with its stack. Written by the completer that owns the completion (<see cref="CompletingFlag"/>), before <see cref="_state"/> becomes Finished.</summary>
    private ExceptionDispatchInfo? _exception;

    /// <summary>
    /// Done-callbacks not yet run and Wait/AsCompleted waiters to notify, in the order registered:
    /// null, one <c>Action&lt;Future&gt;</c> or <see cref="FutureWaiter"/>, or a <c>List&lt;object&gt;</c>
    /// of them (one field, not two: 8 bytes less on every future). Set to null when the future
    /// becomes done. Guarded by <see cref="SyncObj"/>; set only with <see cref="ListenersFlag"/>.
    /// </summary>
    private object? _listeners;

    /// <summary>The task behind <see cref="AsTask"/>, made on first use (set once, by compare-exchange).</summary>
    private Task? _task;

    /// <summary>Spin iterations of a blocking wait before it sleeps on the condition.</summary>
    private const int ResultSpins = 20;

    /// <summary>Creates a pending future. For Executor implementations and tests.</summary>
    public Future() { }

    /// <summary>
    /// The lock that guards all mutable state of this future. It is the future itself: a separate
    /// object would cost an allocation per Submit, and a future is never handed to code that locks it.
    /// </summary>
    private protected object SyncObj => this;

    /// <summary>The current state.</summary>
    public FutureState State => StateOf(_state);

    /// <summary>Cancels the future if it has not started.</summary>
    /// <returns><c>true</c> if the future is cancelled (now or before); <c>false</c> if it is running or finished.</returns>
    public bool Cancel()
    {
        object? callbacks;
        lock (SyncObj)
        {
            AssertInvariants();
            int raw = _state;
            while (true)
            {
                switch (StateOf(raw))
                {
                    case FutureState.Running or FutureState.Finished:
                        return false;
                    case FutureState.Cancelled or FutureState.CancelledAndNotified:
                        return true;
                }
                // Pending, unless a completer owns it (SetResult on a pending future): then it is
                // as good as Finished.
                if ((raw & CompletingFlag) != 0) return false;
                // A compare-exchange, not a plain write: SetRunningOrNotifyCancel and BeginCompletion
                // move Pending on without the lock, and exactly one move may win.
                int seen = CompareExchangeState((int)FutureState.Cancelled, raw);
                if (seen == raw) break;
                raw = seen;
            }
            // Unlike CPython, waiters hear of the cancellation now, not when the executor calls
            // SetRunningOrNotifyCancel: a cancelled future is done for Wait/AsCompleted at once
            // (gh-109934, gh-92001).
            callbacks = OnDone_NeedsLock(raw);
        }
        InvokeCallbacks(callbacks);
        return true;
    }

    /// <summary>Whether the future was cancelled.</summary>
    /// <returns><c>true</c> in state Cancelled or CancelledAndNotified.</returns>
    public bool Cancelled() => State is FutureState.Cancelled or FutureState.CancelledAndNotified;

    /// <summary>Whether the call is running now.</summary>
    /// <returns><c>true</c> in state Running.</returns>
    public bool Running() => State == FutureState.Running;

    /// <summary>Whether the future is done: cancelled or finished.</summary>
    /// <returns><c>true</c> once the future can no longer change.</returns>
    public bool Done() => IsDone(_state);

    /// <summary>Waits for the call to finish; rethrows its exception if it raised one.</summary>
    /// <param name="timeout">How long to wait: <c>null</c> or <see cref="Timeout.InfiniteTimeSpan"/> forever, zero or any other negative value not at all.</param>
    /// <exception cref="CancelledException">The future was cancelled.</exception>
    /// <exception cref="TimeoutException">The future did not finish in time.</exception>
    /// <remarks>The work's own exception object is rethrown, with its original stack trace kept.</remarks>
    public void Result(TimeSpan? timeout = null)
    {
        WaitFinished(timeout);
        _exception?.Throw();
    }

    /// <summary>Waits for the call to finish and returns the exception it raised, if any.</summary>
    /// <param name="timeout">How long to wait: <c>null</c> or <see cref="Timeout.InfiniteTimeSpan"/> forever, zero or any other negative value not at all.</param>
    /// <returns>The exception the call raised, or <c>null</c> if it succeeded.</returns>
    /// <exception cref="CancelledException">The future was cancelled.</exception>
    /// <exception cref="TimeoutException">The future did not finish in time.</exception>
    public Exception? Exception(TimeSpan? timeout = null)
    {
        WaitFinished(timeout);
        return _exception?.SourceException;
    }

    /// <summary>Blocks until Finished; throws if the future is (or becomes) cancelled, or on timeout.</summary>
    private protected void WaitFinished(TimeSpan? timeout)
    {
        int raw = _state;
        if (raw == (int)FutureState.Finished) return;
        FutureState state = IsDone(raw) ? StateOf(raw) : BlockUntilDone(Deadline.From(timeout));
        if (state == FutureState.Finished) return;
        if (state is FutureState.Cancelled or FutureState.CancelledAndNotified) ThrowHelper.ThrowCancelled();
        ThrowHelper.ThrowTimeout();
    }

    private FutureState BlockUntilDone(Deadline deadline)
    {
        // Spin briefly before blocking, as Task.Wait does: a short call finishes within
        // microseconds, and waking a blocked thread takes longer than that.
        if (!deadline.HasExpired)
        {
            var spinner = new SpinWait();
            for (int i = 0; i < ResultSpins && !IsDone(_state); i++) spinner.SpinOnce(sleep1Threshold: -1);
        }
        lock (SyncObj)
        {
            // Listening, so that the completion comes through this lock and pulses.
            while (TryAddListener_NeedsLock(BlockedFlag))
            {
                int ms = deadline.RemainingMilliseconds;
                if (ms == 0) break;
                Monitor.Wait(SyncObj, ms);
            }
            return State;
        }
    }

    // The following methods should only be used by Executors and in tests.

    /// <summary>
    /// <see cref="SetRunningOrNotifyCancel"/> for an executor taking a call out of its queue, which
    /// must not throw there: <c>false</c> when the future was cancelled, and also when user code
    /// completed it while it waited (SetResult and SetException are public). That outcome stands, the
    /// call must not run, and the failed start is reported like a done-callback failure (contract
    /// v2: nothing escapes a work item; the thread pool's workers report it the same way).
    /// </summary>
    /// <param name="reportLater">Report from the .NET thread pool: the caller holds a lock, and the report runs user code.</param>
    internal bool TryStartQueued(bool reportLater = false)
    {
        try
        {
            return SetRunningOrNotifyCancel();
        }
        catch (InvalidOperationException e)
        {
            // "Future in unexpected state": finished already (Running cannot be: only this executor starts it).
            if (reportLater) ThreadPool.UnsafeQueueUserWorkItem(static s => s.Future.ReportWorkItemFailed(s.Error), (Future: this, Error: (Exception)e), preferLocal: false);
            else ReportWorkItemFailed(e);
            return false;
        }
    }

    /// <summary>Marks the future running, or acknowledges its cancellation. For Executor implementations and tests.</summary>
    /// <returns><c>true</c> if the future was Pending and is now Running; <c>false</c> if it was cancelled (it is now CancelledAndNotified).</returns>
    /// <exception cref="InvalidOperationException">The future is running or finished already.</exception>
    public bool SetRunningOrNotifyCancel()
    {
        // Pending → Running wakes nobody and runs no callback, so it needs no lock, only to win
        // against Cancel's own compare-exchange. Every other case goes through the lock.
        if (CompareExchangeState((int)FutureState.Running, (int)FutureState.Pending) == (int)FutureState.Pending) return true;
        lock (SyncObj)
        {
            AssertInvariants();
            int raw = _state;
            while (true)
            {
                switch (StateOf(raw))
                {
                    case FutureState.Pending when (raw & CompletingFlag) == 0:
                        // Pending with listeners: Running with them (BeginCompletion may race, without the lock).
                        int seen = CompareExchangeState((raw & ~StateMask) | (int)FutureState.Running, raw);
                        if (seen == raw) return true;
                        raw = seen;
                        continue;
                    case FutureState.Cancelled:
                        // Waiters were notified by Cancel(); Result() callers were woken then too.
                        // Done: nobody else writes the state any more.
                        _state = (int)FutureState.CancelledAndNotified;
                        return false;
                    default:
                        // Running, finished (or being finished by a completer), or acknowledged: no state leads back.
                        ThrowHelper.ThrowUnexpectedState();
                        return false;
                }
            }
        }
    }

    /// <summary>Completes the future successfully. For Executor implementations and tests.</summary>
    /// <exception cref="InvalidStateException">The future is already cancelled or finished.</exception>
    public void SetResult() => InvokeCallbacks(FinishDeferringCallbacks(exception: null));

    /// <summary>Completes the future with <paramref name="exception"/>. For Executor implementations and tests.</summary>
    /// <param name="exception">What the call raised; <see cref="Result"/> rethrows this object.</param>
    /// <exception cref="ArgumentNullException"><paramref name="exception"/> is null.</exception>
    /// <exception cref="InvalidStateException">The future is already cancelled or finished.</exception>
    public void SetException(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        InvokeCallbacks(FinishDeferringCallbacks(ExceptionDispatchInfo.Capture(exception)));
    }

    /// <summary>
    /// Completes the future (with <paramref name="exception"/>, or successfully when null) and hands
    /// back its done-callbacks, not yet run, for <see cref="InvokeCallbacks"/>: a worker learns
    /// that user code is about to run on it before it does (see CallWorkItem).
    /// </summary>
    internal object? FinishDeferringCallbacks(ExceptionDispatchInfo? exception)
    {
        int owned = BeginCompletion();
        _exception = exception;
        return EndCompletion(owned);
    }

    /// <summary>
    /// Wakes blocked Result() callers and waiters; hands back the callbacks (one, or the listener
    /// list, whose waiters <see cref="InvokeCallbacks"/> skips; null when there are none), which the
    /// caller runs once it has left the lock.
    /// </summary>
    /// <param name="before">The state word before the future became done: its <see cref="BlockedFlag"/> says whether to pulse.</param>
    private object? OnDone_NeedsLock(int before)
    {
        Debug.Assert(Monitor.IsEntered(SyncObj));
        Debug.Assert(IsDone(_state));
        // Only if a thread has waited here: pulsing an object that never had a waiter would give it a sync block.
        if ((before & BlockedFlag) != 0) Monitor.PulseAll(SyncObj);
        object? listeners = _listeners;
        _listeners = null;
        switch (listeners)
        {
            case FutureWaiter single:
                single.OnFutureDone(this);
                return null;
            case List<object> list:
                bool callbacks = false;
                foreach (object listener in list)
                {
                    if (listener is FutureWaiter waiter) waiter.OnFutureDone(this);
                    else callbacks = true;
                }
                return callbacks ? list : null;
            default:
                return listeners; // null, or one callback
        }
    }

    /// <summary>Adds a callback or a waiter after those registered before. The caller has set <see cref="ListenersFlag"/>.</summary>
    private void AddListener_NeedsLock(object listener)
    {
        Debug.Assert(Monitor.IsEntered(SyncObj));
        Debug.Assert((_state & ListenersFlag) != 0 && !IsDone(_state));
        switch (_listeners)
        {
            case null:
                _listeners = listener;
                break;
            case List<object> list:
                list.Add(listener);
                break;
            default:
                _listeners = new List<object>(4) { _listeners, listener };
                break;
        }
    }

    /// <summary>Registers <paramref name="waiter"/> unless the future is done already.</summary>
    /// <returns><c>false</c> if the future was done (the waiter is not registered and will not be called).</returns>
    internal bool TryAddWaiter(FutureWaiter waiter)
    {
        lock (SyncObj)
        {
            if (!TryAddListener_NeedsLock(0)) return false;
            AddListener_NeedsLock(waiter);
            return true;
        }
    }

    /// <summary>Unregisters <paramref name="waiter"/>; a no-op once the future is done (the list is dropped then).</summary>
    internal void RemoveWaiter(FutureWaiter waiter)
    {
        lock (SyncObj)
        {
            if (ReferenceEquals(_listeners, waiter)) _listeners = null;
            else if (_listeners is List<object> list) list.Remove(waiter);
        }
    }

    /// <summary>Whether the future finished with an exception (false while not finished, and when cancelled).</summary>
    internal bool FinishedWithException => _state == (int)FutureState.Finished && _exception is not null;

    /// <summary>The task for <see cref="AsTask"/>, made once; Future&lt;T&gt; makes a Task&lt;T&gt;.</summary>
    private protected Task GetOrCreateTask()
    {
        if (_task is { } task) return task;
        Task created = CreateTask();
        // Two racing first calls each register a callback; both tasks complete, one is kept.
        return Interlocked.CompareExchange(ref _task, created, null) ?? created;
    }

    /// <summary>Makes the task behind <see cref="AsTask"/>; Future&lt;T&gt; overrides it to carry the result.</summary>
    private protected virtual Task CreateTask() => CreateTask(static _ => default(VoidResult));

    /// <summary>Makes a task that completes as this future does: Canceled, Faulted with the work's exception, or with <paramref name="result"/>.</summary>
    private protected Task<T> CreateTask<T>(Func<Future, T> result)
    {
        var source = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        AddDoneCallbackCore(f =>
        {
            if (f.Cancelled()) source.TrySetCanceled();
            else if (f._exception is { } e) source.TrySetException(e.SourceException);
            else source.TrySetResult(result(f));
        });
        return source.Task;
    }

    [Conditional("DEBUG")]
    private void AssertInvariants()
    {
        Debug.Assert(Monitor.IsEntered(SyncObj));
        int raw = _state;
        Debug.Assert(!IsDone(raw) || _listeners is null, "A done future holds no callbacks or waiters.");
        Debug.Assert(IsDone(raw) || (raw & ListenersFlag) != 0 || (_listeners is null && (raw & BlockedFlag) == 0),
            "Callbacks, waiters and blocked threads are registered only with the listeners flag set.");
        Debug.Assert(StateOf(raw) == FutureState.Finished || (raw & CompletingFlag) != 0 || _exception is null,
            "Only a finished future (or one being finished) has an exception.");
    }
}
