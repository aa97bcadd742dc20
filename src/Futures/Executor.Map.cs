using Futures.Internal;

namespace Futures;

public abstract partial class Executor
{
    /// <summary>Calls <paramref name="fn"/> on each item concurrently and yields the results in input order (Python's <c>Executor.map</c>).</summary>
    /// <typeparam name="T">The item type.</typeparam>
    /// <typeparam name="TResult">The result type.</typeparam>
    /// <param name="fn">What to call on each item.</param>
    /// <param name="items">The inputs.</param>
    /// <param name="timeout">Counted from this call; on expiry enumeration throws <see cref="TimeoutException"/> and cancels the calls not yet started.</param>
    /// <param name="chunkSize">Items per message where the executor batches (the process pool); ignored by the thread pool.</param>
    /// <param name="bufferSize">At most this many calls outstanding ahead of the results yielded; <c>null</c> submits all at once.</param>
    /// <returns>The results, in input order, for one enumeration. A call's exception is thrown when its value is reached and ends the enumeration.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="fn"/> or <paramref name="items"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="chunkSize"/> or <paramref name="bufferSize"/> is less than 1.</exception>
    /// <remarks>
    /// Calls are submitted now, not when the results are enumerated. Disposing the enumerator once
    /// enumeration has begun cancels the calls not yet started. The results can be enumerated once:
    /// a second enumeration throws <see cref="InvalidOperationException"/>.
    /// </remarks>
    public IEnumerable<TResult> Map<T, TResult>(Func<T, TResult> fn, IEnumerable<T> items,
        TimeSpan? timeout = null, int chunkSize = 1, int? bufferSize = null) =>
        MapCore(fn, ArgumentsOf(items), static (f, a) => ((Func<T, TResult>)f)(a.Item1), timeout, chunkSize, bufferSize, ordered: true);

    /// <summary>Calls <paramref name="fn"/> on pairs of items, zipped up to the shorter sequence, and yields the results in input order.</summary>
    /// <typeparam name="T1">The type of the first items.</typeparam>
    /// <typeparam name="T2">The type of the second items.</typeparam>
    /// <typeparam name="TResult">The result type.</typeparam>
    /// <param name="fn">What to call on each pair.</param>
    /// <param name="items1">The first arguments.</param>
    /// <param name="items2">The second arguments.</param>
    /// <param name="timeout">Counted from this call; on expiry enumeration throws <see cref="TimeoutException"/>.</param>
    /// <param name="chunkSize">Items per message where the executor batches; ignored by the thread pool.</param>
    /// <param name="bufferSize">At most this many calls outstanding ahead of the results yielded.</param>
    /// <returns>The results, in input order, for one enumeration.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="chunkSize"/> or <paramref name="bufferSize"/> is less than 1.</exception>
    public IEnumerable<TResult> Map<T1, T2, TResult>(Func<T1, T2, TResult> fn,
        IEnumerable<T1> items1, IEnumerable<T2> items2,
        TimeSpan? timeout = null, int chunkSize = 1, int? bufferSize = null) =>
        MapCore(fn, ArgumentsOf(items1, items2), static (f, a) => ((Func<T1, T2, TResult>)f)(a.Item1, a.Item2), timeout, chunkSize, bufferSize, ordered: true);

    /// <summary>Like <see cref="Map{T, TResult}(Func{T, TResult}, IEnumerable{T}, TimeSpan?, int, int?)"/>, but yields results as they complete.</summary>
    /// <typeparam name="T">The item type.</typeparam>
    /// <typeparam name="TResult">The result type.</typeparam>
    /// <param name="fn">What to call on each item.</param>
    /// <param name="items">The inputs.</param>
    /// <param name="timeout">Counted from this call; on expiry enumeration throws <see cref="TimeoutException"/>.</param>
    /// <param name="chunkSize">Items per message where the executor batches; ignored by the thread pool.</param>
    /// <param name="bufferSize">At most this many calls outstanding ahead of the results yielded.</param>
    /// <returns>The results, in completion order, for one enumeration.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="fn"/> or <paramref name="items"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="chunkSize"/> or <paramref name="bufferSize"/> is less than 1.</exception>
    public IEnumerable<TResult> MapUnordered<T, TResult>(Func<T, TResult> fn, IEnumerable<T> items,
        TimeSpan? timeout = null, int chunkSize = 1, int? bufferSize = null) =>
        MapCore(fn, ArgumentsOf(items), static (f, a) => ((Func<T, TResult>)f)(a.Item1), timeout, chunkSize, bufferSize, ordered: false);

    /// <summary>The argument tuples of a one-argument Map.</summary>
    private static IEnumerable<ValueTuple<T>> ArgumentsOf<T>(IEnumerable<T> items)
    {
        ArgumentNullException.ThrowIfNull(items);
        return items.Select(static x => new ValueTuple<T>(x));
    }

    /// <summary>The argument tuples of a two-argument Map: the sequences zipped up to the shorter.</summary>
    private static IEnumerable<ValueTuple<T1, T2>> ArgumentsOf<T1, T2>(IEnumerable<T1> items1, IEnumerable<T2> items2)
    {
        ArgumentNullException.ThrowIfNull(items1);
        ArgumentNullException.ThrowIfNull(items2);
        return items1.Zip(items2, static (a, b) => new ValueTuple<T1, T2>(a, b));
    }

    /// <summary>Whether <see cref="MapCore"/> sends <c>chunkSize</c> items per call; the process pool does, to save round trips.</summary>
    private protected virtual bool BatchesMapCalls => false;

    /// <summary>The one path of every Map: validates, submits now (up to <paramref name="bufferSize"/>), streams the rest.</summary>
    private IEnumerable<TResult> MapCore<TArgs, TResult>(Delegate fn, IEnumerable<TArgs> args,
        Func<Delegate, TArgs, TResult> invoker, TimeSpan? timeout, int chunkSize, int? bufferSize, bool ordered)
        where TArgs : struct, System.Runtime.CompilerServices.ITuple
    {
        ArgumentNullException.ThrowIfNull(fn);
        if (chunkSize < 1) throw new ArgumentOutOfRangeException(nameof(chunkSize), chunkSize, Messages.ChunkSize);
        if (bufferSize < 1) throw new ArgumentOutOfRangeException(nameof(bufferSize), bufferSize, Messages.BufferSize);
        var deadline = Deadline.From(timeout);

        IEnumerable<TResult> results = chunkSize > 1 && BatchesMapCalls
            ? MapStream.Start(args.Chunk(chunkSize),
                chunk => SubmitItem<Future<TResult[]>>(new CallWorkItem<ValueTuple<TArgs[]>, TResult[]>(
                    fn, new ValueTuple<TArgs[]>(chunk), ChunkInvoker<TArgs, TResult>.Create(invoker))),
                deadline, bufferSize, ordered).SelectMany(static results => results)
            : MapStream.Start(args,
                a => SubmitItem<Future<TResult>>(new CallWorkItem<TArgs, TResult>(fn, a, invoker)),
                deadline, bufferSize, ordered);
        return new OneShotEnumerable<TResult>(results);
    }
}
