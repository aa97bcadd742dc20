using System.Diagnostics;
using Futures.Orleans.Grains;

namespace Futures.Orleans.Worker;

/// <summary>One call on a worker node: the local future that runs it, and the signals that report it to its session.</summary>
/// <remarks>
/// <see cref="MarkStarted"/> and <see cref="Finish"/> run on the node's executor threads and post
/// the call's updates to its <see cref="NodeSession"/> at once; the signals continue asynchronously,
/// so that nothing waiting on them runs inline on an executor thread.
/// </remarks>
internal sealed class NodeTask(NodeSession session, CallEnvelope call, TimeSpan? timeout, string executorName)
{
    /// <summary>The call, as sent.</summary>
    public CallEnvelope Call { get; } = call;

    /// <summary>How long the call may run once started; null for no limit.</summary>
    public TimeSpan? Timeout { get; } = timeout;

    /// <summary>The submitting executor's name, for the activity's tags.</summary>
    public string ExecutorName { get; } = executorName;

    /// <summary>Counts down when the call finishes, for the Submit that brought it; null for a requeued call.</summary>
    public BatchCountdown? Batch { get; init; }

    /// <summary>Completes when a thread (or process) of the node's executor picks the call up.</summary>
    public TaskCompletionSource Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes with the outcome: a <see cref="CallEvent.Done"/> or <see cref="CallEvent.NeedsAssembly"/> update.</summary>
    public TaskCompletionSource<CallUpdate> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The local future; set once submitted, by <see cref="SetFuture"/>.</summary>
    public Future? Future => Volatile.Read(ref _future);

    private Future? _future;

    /// <summary>The node-side <c>futures.task</c> activity, parented on the submitter's; null when nobody listens on the node.</summary>
    public Activity? Activity { get; set; }

    /// <summary>Set by <see cref="Cancel"/> (1), so that a call submitted after it (an isolated call, resolved first) is cancelled too.</summary>
    private int _cancelled;

    /// <summary>The call has started: tells its session (once).</summary>
    public void MarkStarted()
    {
        if (Started.TrySetResult()) session.Post(new CallUpdate(Call.Id, CallEvent.Started, null, null));
    }

    /// <summary>The call has its outcome: tells its session (once; a later outcome, such as a result after a timeout, is dropped).</summary>
    public void Finish(CallUpdate outcome)
    {
        Debug.Assert(outcome.Event != CallEvent.Started && outcome.Id == Call.Id);
        if (!Done.TrySetResult(outcome)) return;
        session.Post(outcome);
        Batch?.Signal();
    }

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

/// <summary>Completes when every call of one Submit has finished, so that the Submit can answer with their results.</summary>
internal sealed class BatchCountdown(int count)
{
    private int _left = count;

    /// <summary>Completed on the executor thread of the last call: synchronous continuations are fine, since the Submit that waits resumes on its grain's scheduler anyway, and a hop through the .NET thread pool would only add latency.</summary>
    private readonly TaskCompletionSource _done = new();

    /// <summary>Completes when the last call has finished.</summary>
    public Task Task => _done.Task;

    /// <summary>One call has finished.</summary>
    public void Signal()
    {
        if (Interlocked.Decrement(ref _left) == 0) _done.TrySetResult();
    }
}
