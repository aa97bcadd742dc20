namespace Futures;

/// <summary>One submitted call (Python's <c>_WorkItem</c>): the future it completes, what to call and with what. Made by <see cref="Executor"/> only.</summary>
public abstract class WorkItem
{
    private protected WorkItem(Future future, Delegate function)
    {
        Future = future;
        Function = function;
    }

    /// <summary>The future this call completes.</summary>
    public Future Future { get; }

    /// <summary>What to call.</summary>
    public Delegate Function { get; }

    /// <summary>The call's arguments, for executors that ship the call elsewhere.</summary>
    /// <returns>A new array with one element per argument (boxed).</returns>
    public abstract object?[] GetArguments();

    /// <summary>Runs the call on this thread, in the submitter's ExecutionContext, and completes <see cref="Future"/>.</summary>
    /// <remarks>
    /// Returns at once if <see cref="Future.SetRunningOrNotifyCancel"/> says the future was
    /// cancelled; otherwise completes it with the result or the exception. Never throws: the work's
    /// exception goes to the future, and an exception escaping the item itself (user code that
    /// completed the submitted future on its own, so the completion fails) is reported through
    /// <see cref="Future.CallbackFailed"/> (or standard error), like a done-callback failure.
    /// </remarks>
    public abstract void Run();

    /// <summary>Whether this item is a Map chunk (several calls in one message, made where the executor batches).</summary>
    internal virtual bool IsMapChunk => false;

    /// <summary>Completes <see cref="Future"/> with a result that arrived untyped (decoded from a worker's answer); ignored for a call with no result.</summary>
    internal abstract void SetResultFrom(object? value);
    /// <summary>
    /// Whether <see cref="Function"/> is async: it returns a <see cref="Task{TResult}"/> (for a
    /// <see cref="Future{TResult}"/>) or a <see cref="Task"/> (for a plain <see cref="Future"/>)
    /// whose awaited value is the future's result, and whose exception is the future's exception.
    /// <see cref="Run()"/> awaits it; an executor that ships the call elsewhere (a process, a
    /// cluster node) must await it there, and send back the awaited result, of the future's
    /// result type. For a Map chunk: whether each element's call is async.
    /// </summary>
    internal virtual bool IsAsync => false;

    /// <summary><see cref="Run()"/>, telling <paramref name="observer"/> when the call starts and when it has returned (before the future completes).</summary>
    internal abstract void Run(IWorkItemObserver? observer);

    /// <summary>
    /// When the item was made (Stopwatch ticks), for the queue-time histogram; 0 when nobody
    /// listened then, so that the submit path pays a branch, not a clock read.
    /// </summary>
    internal long CreatedTimestamp { get; } =
        Diagnostics.FuturesMetrics.QueueTime.Enabled ? System.Diagnostics.Stopwatch.GetTimestamp() : 0;
}

/// <summary>Hooks for the worker that runs a work item: idle accounting, metrics and trace tags.</summary>
internal interface IWorkItemObserver
{
    /// <summary>The executor running the item, for metric and trace tags.</summary>
    Diagnostics.IObservableExecutor Executor { get; }

    /// <summary>The future is Running and the call is about to start.</summary>
    void OnStarted(WorkItem item);

    /// <summary>The call has returned or thrown; the future is not yet completed, so nobody waiting on it has woken.</summary>
    void OnFinishing(WorkItem item, bool succeeded);

    /// <summary>The future is completed and its done-callbacks (user code) are about to run on this thread.</summary>
    void OnRunningCallbacks(WorkItem item);

    /// <summary>The item's future had been cancelled: the call did not run.</summary>
    void OnCancelled(WorkItem item);
}
