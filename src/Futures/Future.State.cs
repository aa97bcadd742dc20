using System.Diagnostics;
using Futures.Internal;

namespace Futures;

// The state word and its transitions. _state holds a FutureState in its low bits and two flags:
//
//   ListenersFlag    someone registered a done-callback, a Wait/AsCompleted waiter or a blocked
//                    Result(), so the completion must take the lock to tell them. Set under the
//                    lock (TryAddListener_NeedsLock), never cleared before the future is done.
//   BlockedFlag      a thread has blocked in Result()/Exception() (Monitor.Wait on the future):
//                    the completion pulses. Set with ListenersFlag, also never cleared.
//   CompletingFlag   a completer (SetResult, SetException, a worker) owns the completion and is
//                    writing the outcome; set by compare-exchange (BeginCompletion), so exactly one
//                    completer wins and the others throw InvalidStateException without touching
//                    the outcome. The state bits stay Pending or Running meanwhile.
//
// A completion that finds no listener ends with one more compare-exchange, to Finished, and takes
// no lock (the fast path of a worker's completion: nobody waits yet, as in a throughput run). If a
// registrant set ListenersFlag in between, that compare-exchange fails and the completer finishes
// under the lock, where the registrant has left its callback, waiter or blocked thread.
public partial class Future
{
    /// <summary>The bits of <see cref="_state"/> that hold the <see cref="FutureState"/>.</summary>
    private const int StateMask = 0b111;

    /// <summary>Someone listens: the completion goes through the lock. See the file's comment.</summary>
    private const int ListenersFlag = 0b1000;

    /// <summary>A completer owns the completion and is writing the outcome. See the file's comment.</summary>
    private const int CompletingFlag = 0b1_0000;

    /// <summary>A thread has waited on the future's monitor: the completion pulses. See the file's comment.</summary>
    private const int BlockedFlag = 0b10_0000;

    private static FutureState StateOf(int raw) => (FutureState)(raw & StateMask);

    private static bool IsDone(int raw) => (raw & StateMask) >= (int)FutureState.Cancelled;

#pragma warning disable CS0420 // Interlocked operations on a volatile field are atomic and fenced.
    /// <summary>Compare-exchange on <see cref="_state"/>; returns the value seen.</summary>
    private int CompareExchangeState(int value, int comparand) => Interlocked.CompareExchange(ref _state, value, comparand);
#pragma warning restore CS0420

    /// <summary>
    /// Takes ownership of the completion: sets <see cref="CompletingFlag"/> on a future that is
    /// neither done nor being completed. The caller then writes the outcome and calls <see cref="EndCompletion"/>.
    /// </summary>
    /// <returns>The state word as owned (with the flag), for <see cref="EndCompletion"/>.</returns>
    /// <exception cref="InvalidStateException">The future is done, or another completer owns it.</exception>
    private protected int BeginCompletion()
    {
        int raw = _state;
        while (true)
        {
            if (IsDone(raw) || (raw & CompletingFlag) != 0) ThrowHelper.ThrowInvalidState(this);
            int seen = CompareExchangeState(raw | CompletingFlag, raw);
            if (seen == raw) return raw | CompletingFlag;
            raw = seen;
        }
    }

    /// <summary>Moves an owned completion (its outcome written) to Finished; returns the callbacks to run, outside any lock.</summary>
    private protected object? EndCompletion(int owned)
    {
        Debug.Assert((owned & CompletingFlag) != 0);
        Debug.Assert(!Monitor.IsEntered(SyncObj));
        // Nobody to tell: no lock. The compare-exchange publishes the outcome written before it.
        if ((owned & ListenersFlag) == 0 && CompareExchangeState((int)FutureState.Finished, owned) == owned) return null;
        lock (SyncObj)
        {
            // Registrants set ListenersFlag under this lock, so all of them have registered by now;
            // while CompletingFlag is set nobody else writes the state.
            int before = _state;
            _state = (int)FutureState.Finished;
            return OnDone_NeedsLock(before);
        }
    }

    /// <summary>
    /// Sets <see cref="ListenersFlag"/> (and <paramref name="flags"/>) unless the future is done, so
    /// that the completion comes through the lock; the caller then registers its callback, waiter or
    /// blocked thread.
    /// </summary>
    /// <param name="flags">0, or <see cref="BlockedFlag"/> for a thread about to wait on the monitor.</param>
    /// <returns><c>false</c> if the future is done: register nothing.</returns>
    private bool TryAddListener_NeedsLock(int flags)
    {
        Debug.Assert(Monitor.IsEntered(SyncObj));
        int wanted = ListenersFlag | flags;
        int raw = _state;
        while (true)
        {
            if (IsDone(raw)) return false;
            if ((raw & wanted) == wanted) return true;
            // A compare-exchange: BeginCompletion, EndCompletion's fast path and SetRunningOrNotifyCancel's
            // change the state without the lock.
            int seen = CompareExchangeState(raw | wanted, raw);
            if (seen == raw) return true;
            raw = seen;
        }
    }
}
