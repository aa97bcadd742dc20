namespace Futures;

/// <summary>
/// Futures in the order they become done (CPython's <c>_AsCompletedWaiter</c>), for AsCompleted,
/// AsCompletedAsync and MapUnordered. Futures can be added while the queue is in use.
/// </summary>
internal sealed class CompletionQueue : FutureWaiter, IDisposable
{
    /// <summary>Futures added and not yet taken. Guarded by <see cref="FutureWaiter.Gate"/>.</summary>
    private readonly HashSet<Future> _outstanding = new(ReferenceEqualityComparer.Instance);

    /// <summary>Done futures not yet taken, in the order they became done. Guarded by <see cref="FutureWaiter.Gate"/>.</summary>
    private readonly Queue<Future> _done = new();

    /// <summary>Futures added and not yet taken.</summary>
    public int Outstanding { get { lock (Gate) return _outstanding.Count; } }

    /// <summary>Adds <paramref name="future"/>; if it is done already, it is queued at once.</summary>
    public void Add(Future future)
    {
        lock (Gate)
        {
            if (!_outstanding.Add(future)) return;
        }
        if (!future.TryAddWaiter(this)) OnFutureDone(future);
    }

    public override void OnFutureDone(Future future)
    {
        lock (Gate)
        {
            _done.Enqueue(future);
            Signal_NeedsGate();
        }
    }

    /// <summary>Takes the next done future without waiting.</summary>
    public bool TryTake(out Future? future)
    {
        lock (Gate)
        {
            if (!_done.TryDequeue(out future))
            {
                ResetSignal_NeedsGate();
                return false;
            }
            _outstanding.Remove(future);
            return true;
        }
    }

    /// <summary>Takes the next done future, blocking until one is done or <paramref name="deadline"/> passes.</summary>
    public bool TryTake(Internal.Deadline deadline, out Future? future)
    {
        while (!TryTake(out future))
        {
            if (!WaitSignal(deadline)) return false;
        }
        return true;
    }

    /// <summary>Takes the next done future without blocking a thread; null when <paramref name="deadline"/> passes first.</summary>
    public async ValueTask<Future?> TakeAsync(Internal.Deadline deadline, CancellationToken cancellationToken)
    {
        Future? future;
        while (!TryTake(out future))
        {
            try
            {
                await WaitSignalAsync().WaitAsync(deadline.Remaining, cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                return TryTake(out future) ? future : null;
            }
        }
        return future;
    }

    /// <summary>Cancels every future added and not yet taken (those running stay running).</summary>
    public void CancelOutstanding()
    {
        foreach (Future f in Snapshot()) f.Cancel();
    }

    private Future[] Snapshot()
    {
        lock (Gate) return [.. _outstanding];
    }

    /// <summary>Unregisters from every future not yet taken.</summary>
    public void Dispose()
    {
        foreach (Future f in Snapshot()) f.RemoveWaiter(this);
    }
}
