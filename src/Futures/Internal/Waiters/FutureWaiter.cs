using System.Diagnostics;

namespace Futures;

/// <summary>
/// Something that waits on many futures at once (CPython's <c>_Waiter</c>): registered on each,
/// told by each when it becomes done. Subclasses decide when that is enough and call <see cref="Signal_NeedsGate"/>.
/// </summary>
/// <remarks>
/// Lock order: <see cref="OnFutureDone"/> is called with the future's lock held and takes
/// <see cref="Gate"/>; nothing here takes a future's lock while holding <see cref="Gate"/>.
/// The signal is a Monitor condition for blocking waits and a task for async ones.
/// </remarks>
internal abstract class FutureWaiter
{
    /// <summary>This waiter's own lock: guards the subclass's state and the signal below.</summary>
    protected readonly object Gate = new();

    /// <summary>Set when the waiting side should wake. Guarded by <see cref="Gate"/>.</summary>
    private bool _signalled;

    /// <summary>Threads blocked in <see cref="WaitSignal"/>. Guarded by <see cref="Gate"/>.</summary>
    private int _blockedThreads;

    /// <summary>The task handed to async waiters; made on demand, replaced after a reset. Guarded by <see cref="Gate"/>.</summary>
    private TaskCompletionSource? _signalSource;

    /// <summary>Called under <paramref name="future"/>'s lock when it becomes done (finished or cancelled). Must not run user code.</summary>
    public abstract void OnFutureDone(Future future);

    /// <summary>Wakes the waiting side.</summary>
    protected void Signal_NeedsGate()
    {
        Debug.Assert(Monitor.IsEntered(Gate));
        _signalled = true;
        if (_blockedThreads > 0) Monitor.PulseAll(Gate);
        // RunContinuationsAsynchronously: the awaiting code never runs here, under the future's lock.
        _signalSource?.TrySetResult();
    }

    /// <summary>Clears the signal once the waiting side has consumed what woke it (CPython's <c>event.clear()</c>).</summary>
    protected void ResetSignal_NeedsGate()
    {
        Debug.Assert(Monitor.IsEntered(Gate));
        _signalled = false;
        if (_signalSource is { Task.IsCompleted: true }) _signalSource = null;
    }

    /// <summary>
    /// Clears the signal for reuse from a pool. Only once the waiter is unregistered from every
    /// future: a future calls <see cref="OnFutureDone"/> under its own lock, and removal takes that
    /// lock, so after removal from all of them none can still be calling in.
    /// </summary>
    protected void ResetForReuse()
    {
        lock (Gate)
        {
            _signalled = false;
            // An async wait that timed out may still hold the old task; it gets a new one.
            _signalSource = null;
        }
    }

    /// <summary>Blocks until signalled or until <paramref name="deadline"/>.</summary>
    /// <returns><c>true</c> if signalled.</returns>
    public bool WaitSignal(Internal.Deadline deadline)
    {
        lock (Gate)
        {
            while (!_signalled)
            {
                int ms = deadline.RemainingMilliseconds;
                if (ms == 0) return false;
                _blockedThreads++;
                try { Monitor.Wait(Gate, ms); }
                finally { _blockedThreads--; }
            }
            return true;
        }
    }

    /// <summary>A task that completes when signalled (it never faults; the caller applies its own timeout).</summary>
    public Task WaitSignalAsync()
    {
        lock (Gate)
        {
            if (_signalled) return Task.CompletedTask;
            _signalSource ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return _signalSource.Task;
        }
    }
}
