using System.Diagnostics;
using Futures.Orleans.Grains;

namespace Futures.Orleans.Worker;

/// <summary>One task on a worker node: the local future that runs it, and signals for the task grain's polls.</summary>
/// <remarks>
/// Both signals complete on executor threads and continue asynchronously, so the grain's awaits
/// resume on the grain's own scheduler and never run there inline.
/// </remarks>
internal sealed class NodeTask
{
    public NodeTask(TaskSubmission request) => Request = request;

    /// <summary>The call, as sent.</summary>
    public TaskSubmission Request { get; }

    /// <summary>Completes when a thread (or process) of the node's executor picks the call up.</summary>
    public TaskCompletionSource Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes with the outcome: a Done poll (the encoded ResultItem) or a NeedsAssembly poll.</summary>
    public TaskCompletionSource<TaskPoll> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The local future; set once submitted, by <see cref="SetFuture"/>.</summary>
    public Future? Future => Volatile.Read(ref _future);

    private Future? _future;

    /// <summary>The node-side <c>futures.task</c> activity, parented on the submitter's; null when nobody listens on the node.</summary>
    public Activity? Activity { get; set; }

    /// <summary>Set by <see cref="Cancel"/> (1), so that a call submitted after it (an isolated call, resolved first) is cancelled too.</summary>
    private int _cancelled;

    /// <summary>When a client last asked about the task (Stopwatch ticks); a task nobody asks about for long is abandoned.</summary>
    public long LastSeen { get; private set; } = Stopwatch.GetTimestamp();

    /// <summary>Marks the task as still wanted.</summary>
    public void Touch() => LastSeen = Stopwatch.GetTimestamp();

    /// <summary>The state a poll reports now.</summary>
    public TaskPoll Snapshot() =>
        Done.Task.IsCompletedSuccessfully ? Done.Task.Result : Started.Task.IsCompleted ? TaskPoll.Running : TaskPoll.Queued;

    /// <summary>Cancels the call if it has not started; a running one on a thread runs to its end (its outcome is dropped).</summary>
    /// <remarks>
    /// Tolerated race with <see cref="SetFuture"/>: each side writes its field, then (after a full
    /// fence) reads the other's, so at least one of them sees both and cancels the future.
    /// </remarks>
    public void Cancel()
    {
        Interlocked.Exchange(ref _cancelled, 1);
        Future?.Cancel();
    }

    /// <summary>Records the local future, cancelling it when the task was cancelled before it existed.</summary>
    public void SetFuture(Future future)
    {
        Interlocked.Exchange(ref _future, future);
        if (Volatile.Read(ref _cancelled) == 1) future.Cancel();
    }
}
