namespace Futures;

public partial class Future
{
    /// <summary>Lets <c>await future</c> wait without blocking a thread.</summary>
    /// <returns>An awaiter whose <c>GetResult</c> throws exactly what <see cref="Result"/> throws.</returns>
    public FutureAwaiter GetAwaiter() => new(this);

    /// <summary>A TPL view of this future.</summary>
    /// <returns>A task that completes when the future does: Canceled if it was cancelled, Faulted with the work's exception if it raised one.</returns>
    public Task AsTask() => GetOrCreateTask();

    /// <summary>Runs <paramref name="continuation"/> once the future is done, never on the completing thread.</summary>
    /// <remarks>
    /// The completing thread is an executor's worker (or whoever called Cancel); running an async
    /// method's continuation there would steal the worker, so the continuation is posted to the
    /// awaiting code's SynchronizationContext or TaskScheduler when it has one, else to the .NET
    /// thread pool, as Task's awaiter does.
    /// </remarks>
    internal void OnCompleted(Action continuation, bool flowExecutionContext)
    {
        ArgumentNullException.ThrowIfNull(continuation);
        var dispatch = new Internal.ContinuationDispatch(continuation, flowExecutionContext);
        AddDoneCallbackCore(dispatch.Post);
    }
}
