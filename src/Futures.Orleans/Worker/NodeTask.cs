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

    /// <summary>The local future; set once submitted.</summary>
    public Future? Future { get; set; }

    /// <summary>When a client last asked about the task (Stopwatch ticks); a task nobody asks about for long is abandoned.</summary>
    public long LastSeen { get; private set; } = System.Diagnostics.Stopwatch.GetTimestamp();

    /// <summary>Marks the task as still wanted.</summary>
    public void Touch() => LastSeen = System.Diagnostics.Stopwatch.GetTimestamp();

    /// <summary>The state a poll reports now.</summary>
    public TaskPoll Snapshot() =>
        Done.Task.IsCompletedSuccessfully ? Done.Task.Result : Started.Task.IsCompleted ? TaskPoll.Running : TaskPoll.Queued;

    /// <summary>Cancels the call if it has not started; a running one on a thread runs to its end (its outcome is dropped).</summary>
    public void Cancel() => Future?.Cancel();
}
