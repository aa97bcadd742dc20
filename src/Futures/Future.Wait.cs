using Futures.Internal;

namespace Futures;

public partial class Future
{
    /// <summary>Waits for futures to complete (Python's <c>concurrent.futures.wait</c>).</summary>
    /// <typeparam name="TFuture">The type of the futures.</typeparam>
    /// <param name="fs">The futures; duplicates count once.</param>
    /// <param name="timeout">How long to wait: <c>null</c> or <see cref="Timeout.InfiniteTimeSpan"/> forever, zero or any other negative value not at all. Expiry returns, it does not throw.</param>
    /// <param name="returnWhen">When to return.</param>
    /// <returns>The futures done (finished or cancelled) and those not done when the wait ended.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="fs"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="returnWhen"/> is not a defined <see cref="ReturnWhen"/>.</exception>
    public static DoneAndNotDoneFutures<TFuture> Wait<TFuture>(
        IEnumerable<TFuture> fs, TimeSpan? timeout = null,
        ReturnWhen returnWhen = ReturnWhen.AllCompleted) where TFuture : Future
    {
        ValidateReturnWhen(returnWhen);
        List<TFuture> futures = DistinctFutures(fs);
        Deadline deadline = Deadline.From(timeout);
        if (!IsWaitSatisfied(futures, returnWhen))
        {
            var waiter = WaitWaiter.Rent(returnWhen);
            try
            {
                waiter.Register(futures);
                waiter.WaitSignal(deadline);
            }
            finally
            {
                waiter.UnregisterAndReturn(futures);
            }
        }
        return SplitDone(futures);
    }

    /// <summary>Waits for futures to complete without blocking a thread; see <see cref="Wait{TFuture}"/>.</summary>
    /// <typeparam name="TFuture">The type of the futures.</typeparam>
    /// <param name="fs">The futures; duplicates count once.</param>
    /// <param name="timeout">How long to wait: <c>null</c> or <see cref="Timeout.InfiniteTimeSpan"/> forever, zero or any other negative value not at all. Expiry returns, it does not throw.</param>
    /// <param name="returnWhen">When to return.</param>
    /// <param name="cancellationToken">Ends the wait with <see cref="OperationCanceledException"/>; the futures are left as they are.</param>
    /// <returns>The futures done and those not done when the wait ended.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="fs"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="returnWhen"/> is not a defined <see cref="ReturnWhen"/>.</exception>
    public static Task<DoneAndNotDoneFutures<TFuture>> WaitAsync<TFuture>(
        IEnumerable<TFuture> fs, TimeSpan? timeout = null,
        ReturnWhen returnWhen = ReturnWhen.AllCompleted,
        CancellationToken cancellationToken = default) where TFuture : Future
    {
        ValidateReturnWhen(returnWhen);
        List<TFuture> futures = DistinctFutures(fs);
        Deadline deadline = Deadline.From(timeout);
        if (cancellationToken.IsCancellationRequested) return Task.FromCanceled<DoneAndNotDoneFutures<TFuture>>(cancellationToken);
        if (IsWaitSatisfied(futures, returnWhen)) return Task.FromResult(SplitDone(futures));
        return WaitSlowAsync(futures, deadline, returnWhen, cancellationToken);

        static async Task<DoneAndNotDoneFutures<TFuture>> WaitSlowAsync(
            List<TFuture> futures, Deadline deadline, ReturnWhen returnWhen, CancellationToken cancellationToken)
        {
            var waiter = WaitWaiter.Rent(returnWhen);
            try
            {
                waiter.Register(futures);
                await waiter.WaitSignalAsync().WaitAsync(deadline.Remaining, cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                // Expiry is an answer, not an error: the unfinished futures go in NotDone.
            }
            finally
            {
                waiter.UnregisterAndReturn(futures);
            }
            return SplitDone(futures);
        }
    }

    /// <summary>Yields futures as they complete (Python's <c>concurrent.futures.as_completed</c>).</summary>
    /// <typeparam name="TFuture">The type of the futures.</typeparam>
    /// <param name="fs">The futures; each distinct future is yielded once.</param>
    /// <param name="timeout">Counted from this call; when it passes with futures unfinished, enumeration throws
    /// <see cref="TimeoutException"/> ("N (of M) futures unfinished").</param>
    /// <returns>The futures already done first (in input order), then the rest as they finish or are cancelled.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="fs"/> is null.</exception>
    public static IEnumerable<TFuture> AsCompleted<TFuture>(IEnumerable<TFuture> fs, TimeSpan? timeout = null)
        where TFuture : Future
    {
        return new AsCompletedSequence<TFuture>(DistinctFutures(fs), Deadline.From(timeout));
    }

    /// <summary>Yields futures as they complete without blocking a thread; see <see cref="AsCompleted{TFuture}"/>.</summary>
    /// <typeparam name="TFuture">The type of the futures.</typeparam>
    /// <param name="fs">The futures; each distinct future is yielded once.</param>
    /// <param name="timeout">Counted from this call; on expiry enumeration throws <see cref="TimeoutException"/>.</param>
    /// <param name="cancellationToken">Ends enumeration with <see cref="OperationCanceledException"/>; the futures are left as they are.</param>
    /// <returns>The futures already done first, then the rest as they finish or are cancelled.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="fs"/> is null.</exception>
    public static IAsyncEnumerable<TFuture> AsCompletedAsync<TFuture>(
        IEnumerable<TFuture> fs, TimeSpan? timeout = null,
        CancellationToken cancellationToken = default) where TFuture : Future
    {
        return new AsCompletedAsyncSequence<TFuture>(DistinctFutures(fs), Deadline.From(timeout), cancellationToken);
    }

    /// <summary>Rejects an undefined <see cref="ReturnWhen"/> (CPython: <c>ValueError("Invalid return condition")</c>).</summary>
    private static void ValidateReturnWhen(ReturnWhen returnWhen)
    {
        if (returnWhen is not (ReturnWhen.FirstCompleted or ReturnWhen.FirstException or ReturnWhen.AllCompleted))
            throw new ArgumentOutOfRangeException(nameof(returnWhen), returnWhen, "Invalid return condition.");
    }

    /// <summary>The futures of <paramref name="fs"/> once each, in first-seen order.</summary>
    private static List<TFuture> DistinctFutures<TFuture>(IEnumerable<TFuture> fs) where TFuture : Future
    {
        ArgumentNullException.ThrowIfNull(fs);
        var seen = new HashSet<TFuture>(ReferenceEqualityComparer.Instance);
        var list = new List<TFuture>();
        foreach (TFuture f in fs)
        {
            ArgumentNullException.ThrowIfNull(f, nameof(fs));
            if (seen.Add(f)) list.Add(f);
        }
        return list;
    }

    /// <summary>CPython's early returns of <c>wait()</c>, checked before any waiter is made.</summary>
    private static bool IsWaitSatisfied<TFuture>(List<TFuture> futures, ReturnWhen returnWhen) where TFuture : Future
    {
        int done = 0;
        foreach (TFuture f in futures)
        {
            if (!f.Done()) continue;
            done++;
            if (returnWhen == ReturnWhen.FirstCompleted) return true;
            if (returnWhen == ReturnWhen.FirstException && f.FinishedWithException) return true;
        }
        return done == futures.Count;
    }

    private static DoneAndNotDoneFutures<TFuture> SplitDone<TFuture>(List<TFuture> futures) where TFuture : Future
    {
        var done = new HashSet<TFuture>(ReferenceEqualityComparer.Instance);
        var notDone = new HashSet<TFuture>(ReferenceEqualityComparer.Instance);
        foreach (TFuture f in futures) (f.Done() ? done : notDone).Add(f);
        return new DoneAndNotDoneFutures<TFuture>(done, notDone);
    }
}
