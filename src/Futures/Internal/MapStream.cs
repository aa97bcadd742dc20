namespace Futures.Internal;

/// <summary>
/// The streaming half of Map and MapUnordered: submits calls now (all, or <c>bufferSize</c>), then
/// submits one more call for each result the caller has taken (when it asks for the next), so that
/// never more than <c>bufferSize</c> calls are outstanding ahead of the results yielded. Ending early (an exception, a timeout, disposing
/// the enumerator) cancels the calls not yet started.
/// </summary>
internal static class MapStream
{
    public static IEnumerable<TOut> Start<TIn, TOut>(IEnumerable<TIn> inputs, Func<TIn, Future<TOut>> submit,
        Deadline deadline, int? bufferSize, bool ordered)
    {
        IEnumerator<TIn>? source = inputs.GetEnumerator();
        var submitted = new Queue<Future<TOut>>();
        try
        {
            while (bufferSize is not { } limit || submitted.Count < limit)
            {
                if (!source.MoveNext())
                {
                    source.Dispose();
                    source = null;
                    break;
                }
                submitted.Enqueue(submit(source.Current));
            }
        }
        catch
        {
            CancelAll(submitted);
            source?.Dispose();
            throw;
        }
        return ordered ? InOrder(submitted, source, submit, deadline) : AsCompleted(submitted, source, submit, deadline);
    }

    private static IEnumerable<TOut> InOrder<TIn, TOut>(Queue<Future<TOut>> submitted, IEnumerator<TIn>? source,
        Func<TIn, Future<TOut>> submit, Deadline deadline)
    {
        try
        {
            while (submitted.TryDequeue(out Future<TOut>? future))
            {
                yield return ResultOrCancel(future, deadline);
                // Only now, with that result in the caller's hands, is there room for one more call:
                // refilling before the yield would put bufferSize + 1 calls ahead of the results yielded.
                Refill(ref source, submit, submitted.Enqueue);
            }
        }
        finally
        {
            CancelAll(submitted);
            source?.Dispose();
        }
    }

    private static IEnumerable<TOut> AsCompleted<TIn, TOut>(Queue<Future<TOut>> submitted, IEnumerator<TIn>? source,
        Func<TIn, Future<TOut>> submit, Deadline deadline)
    {
        using var queue = new CompletionQueue();
        foreach (Future<TOut> f in submitted) queue.Add(f);
        try
        {
            while (queue.Outstanding > 0)
            {
                if (!queue.TryTake(deadline, out Future? done)) throw new TimeoutException();
                yield return ((Future<TOut>)done!).Result();
                Refill(ref source, submit, queue.Add); // after the yield, as in InOrder
            }
        }
        finally
        {
            queue.CancelOutstanding();
            source?.Dispose();
        }
    }

    /// <summary>Submits the next input, if any, after a result was taken.</summary>
    private static void Refill<TIn, TOut>(ref IEnumerator<TIn>? source, Func<TIn, Future<TOut>> submit, Action<Future<TOut>> add)
    {
        if (source is null) return;
        if (source.MoveNext())
        {
            add(submit(source.Current));
            return;
        }
        source.Dispose();
        source = null;
    }

    /// <summary>Python's <c>_result_or_cancel</c>: the result within the deadline, else cancel the future and throw.</summary>
    private static TOut ResultOrCancel<TOut>(Future<TOut> future, Deadline deadline)
    {
        try
        {
            return future.Result(deadline.IsInfinite ? null : deadline.Remaining);
        }
        finally
        {
            future.Cancel();
        }
    }

    private static void CancelAll<TOut>(IEnumerable<Future<TOut>> futures)
    {
        foreach (Future<TOut> f in futures) f.Cancel();
    }
}
