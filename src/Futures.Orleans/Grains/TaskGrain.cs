using Futures.Orleans.Worker;
using Orleans;
using Orleans.Concurrency;

namespace Futures.Orleans.Grains;

/// <summary>The activation of one task on a worker node; see <see cref="ITaskGrain"/>.</summary>
/// <remarks>
/// Reentrant, so that <see cref="Upload"/> and <see cref="Release"/> are not held up by a poll that
/// waits. All state is touched on the grain's scheduler only; the user's code never is: it runs
/// on the node's executor (<see cref="WorkerNode"/>). An activation left idle (its client gone)
/// is collected after two minutes and cancels its task.
/// </remarks>
[Reentrant]
[global::Orleans.Placement.RandomPlacement]
[CollectionAgeLimit(Minutes = 2)]
internal sealed class TaskGrain(WorkerNode node) : Grain, ITaskGrain
{
    private NodeTask? _task;

    public Task<NodeInfo> Start(TaskSubmission request)
    {
        _task ??= node.Run(request);
        return Task.FromResult(node.Info);
    }

    public async Task<TaskPoll> Poll(TimeSpan maxWait)
    {
        if (_task is not { } task) return TaskPoll.Unknown;
        if (!task.Done.Task.IsCompleted)
        {
            // Answer early on a change the client must see: finished, or started (so that a later
            // loss of this node counts against RetriesOnNodeLoss).
            Task change = task.Started.Task.IsCompleted ? task.Done.Task : Task.WhenAny(task.Done.Task, task.Started.Task);
            await Task.WhenAny(change, Task.Delay(maxWait));
        }
        return task.Snapshot();
    }

    public Task Upload(AssemblyUpload upload)
    {
        // An upload without images: another task's upload brought the code to this node already.
        if (upload.Names.Length > 0) node.Code.AddUpload(upload.ModuleVersionId, upload.Names, upload.Images);
        if (_task is { } task && task.Done.Task.IsCompletedSuccessfully && task.Done.Task.Result.State == RemoteTaskState.NeedsAssembly)
        {
            _task = node.Run(task.Request);
        }
        return Task.CompletedTask;
    }

    public Task Release()
    {
        _task?.Cancel();
        DeactivateOnIdle();
        return Task.CompletedTask;
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        _task?.Cancel();
        return Task.CompletedTask;
    }
}
