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
    /// cancelled; otherwise completes it with the result or the exception. Never throws the work's exception.
    /// </remarks>
    public abstract void Run();

    /// <summary><see cref="Run()"/>, telling <paramref name="observer"/> when the call starts and when it has returned (before the future completes).</summary>
    internal abstract void Run(IWorkItemObserver? observer);

    /// <summary>When the item was made (Stopwatch ticks), for queue-time measurements.</summary>
    internal long CreatedTimestamp { get; } = System.Diagnostics.Stopwatch.GetTimestamp();
}

/// <summary>Hooks for the thread that runs a work item.</summary>
internal interface IWorkItemObserver
{
    /// <summary>The future is Running and the call is about to start.</summary>
    void OnStarted(WorkItem item);

    /// <summary>The call has returned or thrown; the future is not yet completed, so nobody waiting on it has woken.</summary>
    void OnFinishing(WorkItem item);
}
