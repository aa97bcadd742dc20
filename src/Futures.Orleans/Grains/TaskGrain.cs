using Futures.Orleans.Worker;
using Orleans;
using Orleans.Concurrency;

namespace Futures.Orleans.Grains;

/// <summary>The activation of one task on a worker node; see <see cref="ITaskGrain"/>.</summary>
/// <remarks>
/// A thin front: the task lives in the node's <see cref="WorkerNode"/> under the grain's key, so the
/// activation holds no state that a second activation of the same key could miss. Reentrant, so that
/// <see cref="Upload"/> and <see cref="Release"/> are not held up by a poll that waits. The user's
/// code never runs here: it runs on the node's executor.
/// </remarks>
[Reentrant]
[NodePinnedPlacement]
[CollectionAgeLimit(Minutes = 2)]
internal sealed class TaskGrain(WorkerNode node) : Grain, ITaskGrain
{
    private string Id => this.GetPrimaryKeyString();

    public Task<NodeInfo> Start(TaskSubmission request)
    {
        node.Start(Id, request);
        return Task.FromResult(node.Info);
    }

    public async Task<TaskPoll> Poll(TimeSpan maxWait)
    {
        if (node.Find(Id) is not { } task) return TaskPoll.Unknown;
        task.Touch();
        if (!task.Done.Task.IsCompleted)
        {
            // Answer early on a change the client must see: finished, or started (so that a later
            // loss of this node counts against RetriesOnNodeLoss).
            bool wasStarted = task.Started.Task.IsCompleted;
            Task change = wasStarted ? task.Done.Task : Task.WhenAny(task.Done.Task, task.Started.Task);
            await Task.WhenAny(change, Task.Delay(maxWait));
            // Just started: a short task finishes within the grace, which saves the client a poll.
            if (!wasStarted && !task.Done.Task.IsCompleted && task.Started.Task.IsCompleted) await Task.WhenAny(task.Done.Task, Task.Delay(StartedGrace));
        }
        return task.Snapshot();
    }

    /// <summary>How long a poll that saw the task start waits for it to finish before it answers "running". Longer saves more polls of short tasks and tells the client later that a task runs.</summary>
    private static readonly TimeSpan StartedGrace = TimeSpan.FromMilliseconds(20);

    public Task Upload(AssemblyUpload upload)
    {
        // An upload without images: another task's upload brought the code to this node already.
        if (upload.Names.Length > 0) node.AddUpload(upload);
        node.RetryAfterUpload(Id);
        return Task.CompletedTask;
    }

    public Task Release()
    {
        node.Release(Id);
        DeactivateOnIdle();
        return Task.CompletedTask;
    }
}
