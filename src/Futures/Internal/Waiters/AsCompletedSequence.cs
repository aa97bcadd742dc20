using System.Collections;
using Futures.Internal;

namespace Futures;

/// <summary>
/// What <see cref="Future.AsCompleted{TFuture}"/> returns: each enumeration yields the futures already
/// done, in input order, then the others as they finish (CPython's <c>as_completed</c> generator).
/// </summary>
/// <remarks>
/// A hand-written sequence rather than an iterator method, so that an enumerator can let go of the
/// input list (bpo-27144): a compiler-generated <c>IEnumerable</c> iterator keeps its arguments for a
/// later <c>GetEnumerator</c>, and its first enumerator is that same object, so every future would
/// stay reachable until the enumeration ends. Only the sequence holds the list; the caller of a
/// <c>foreach</c> holds just the enumerator.
/// </remarks>
/// <typeparam name="TFuture">The type of the futures.</typeparam>
internal sealed class AsCompletedSequence<TFuture> : IEnumerable<TFuture> where TFuture : Future
{
    /// <summary>The distinct futures in input order, sorted anew by each enumeration.</summary>
    private readonly List<TFuture> _futures;

    /// <summary>When the enumeration gives up; counted from the AsCompleted call.</summary>
    private readonly Deadline _deadline;

    public AsCompletedSequence(List<TFuture> futures, Deadline deadline)
    {
        _futures = futures;
        _deadline = deadline;
    }

    public IEnumerator<TFuture> GetEnumerator() => Iterate(_futures, _deadline);

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private static IEnumerator<TFuture> Iterate(List<TFuture> futures, Deadline deadline)
    {
        int total = futures.Count;
        using var queue = new CompletionQueue();
        Queue<TFuture> alreadyDone = SplitAlreadyDone(futures, queue);
        futures = null!;   // from here on, a future once yielded is no longer held here
        while (alreadyDone.TryDequeue(out TFuture? f)) yield return f;
        while (queue.Outstanding > 0)
        {
            if (!queue.TryTake(deadline, out Future? done)) throw Unfinished(queue, total);
            yield return (TFuture)done!;
        }
    }

    /// <summary>
    /// Decides once per future whether it is already done: those are returned (in input order) for
    /// yielding first, the others go to <paramref name="queue"/>, before anything is yielded.
    /// </summary>
    /// <remarks>
    /// Checking Done() a second time, when registering, would lose a future that finishes in
    /// between: not yielded as already done, nor registered because done by then.
    /// </remarks>
    internal static Queue<TFuture> SplitAlreadyDone(List<TFuture> futures, CompletionQueue queue)
    {
        var alreadyDone = new Queue<TFuture>();
        foreach (TFuture f in futures)
        {
            if (f.Done()) alreadyDone.Enqueue(f);
            else queue.Add(f);   // one that finishes meanwhile is queued by Add itself
        }
        return alreadyDone;
    }

    internal static TimeoutException Unfinished(CompletionQueue queue, int total) =>
        new(Messages.FuturesUnfinished(queue.Outstanding, total));
}

/// <summary>What <see cref="Future.AsCompletedAsync{TFuture}"/> returns; see <see cref="AsCompletedSequence{TFuture}"/>.</summary>
/// <typeparam name="TFuture">The type of the futures.</typeparam>
internal sealed class AsCompletedAsyncSequence<TFuture> : IAsyncEnumerable<TFuture> where TFuture : Future
{
    /// <summary>The distinct futures in input order, sorted anew by each enumeration.</summary>
    private readonly List<TFuture> _futures;

    /// <summary>When the enumeration gives up; counted from the AsCompletedAsync call.</summary>
    private readonly Deadline _deadline;

    /// <summary>The token given to AsCompletedAsync; one given to GetAsyncEnumerator also counts.</summary>
    private readonly CancellationToken _cancellationToken;

    public AsCompletedAsyncSequence(List<TFuture> futures, Deadline deadline, CancellationToken cancellationToken)
    {
        _futures = futures;
        _deadline = deadline;
        _cancellationToken = cancellationToken;
    }

    public IAsyncEnumerator<TFuture> GetAsyncEnumerator(CancellationToken cancellationToken = default) =>
        Iterate(_futures, _deadline, _cancellationToken, cancellationToken);

    private static async IAsyncEnumerator<TFuture> Iterate(List<TFuture> futures, Deadline deadline,
        CancellationToken callToken, CancellationToken enumeratorToken)
    {
        // Either token ends the enumeration, as [EnumeratorCancellation] arranges for iterator methods.
        using CancellationTokenSource? linked = callToken.CanBeCanceled && enumeratorToken.CanBeCanceled && callToken != enumeratorToken
            ? CancellationTokenSource.CreateLinkedTokenSource(callToken, enumeratorToken)
            : null;
        CancellationToken cancellationToken = linked?.Token ?? (enumeratorToken.CanBeCanceled ? enumeratorToken : callToken);

        // The token is checked before every item, not only when there is nothing to take yet:
        // once cancelled, the enumeration ends, even with futures already done (as WaitAsync does).
        cancellationToken.ThrowIfCancellationRequested();
        int total = futures.Count;
        using var queue = new CompletionQueue();
        Queue<TFuture> alreadyDone = AsCompletedSequence<TFuture>.SplitAlreadyDone(futures, queue);
        futures = null!;   // from here on, a future once yielded is no longer held here
        while (alreadyDone.TryDequeue(out TFuture? f))
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return f;
        }
        while (queue.Outstanding > 0)
        {
            cancellationToken.ThrowIfCancellationRequested();
            Future? done = await queue.TakeAsync(deadline, cancellationToken).ConfigureAwait(false);
            if (done is null) throw AsCompletedSequence<TFuture>.Unfinished(queue, total);
            yield return (TFuture)done;
        }
    }
}
