using Orleans;
using Orleans.Concurrency;

namespace Futures.Orleans.Grains;

/// <summary>One submitted call on the cluster: one activation per task, on the node its key names (<see cref="NodePinnedPlacement"/>).</summary>
/// <remarks>
/// <see cref="Start"/> returns at once; the executor then long-polls with <see cref="Poll"/>, each
/// call bounded by a short wait, so that no call ever waits on a silo that died for Orleans' 30 s
/// response timeout. The task itself lives in the node's <c>WorkerNode</c>, so a second activation on
/// the same node serves it too; a poll that reaches an activation on another node (the task's silo
/// died) answers <see cref="RemoteTaskState.Unknown"/>: the task was lost.
/// </remarks>
internal interface ITaskGrain : IGrainWithStringKey
{
    /// <summary>Queues the call on this node's local executor and names the node; idempotent.</summary>
    [ResponseTimeout("00:00:10")]
    Task<NodeInfo> Start(TaskSubmission request);

    /// <summary>Waits up to <paramref name="maxWait"/> for the task to finish or to start running, then reports its state.</summary>
    [ResponseTimeout("00:00:06")]
    Task<TaskPoll> Poll(TimeSpan maxWait);

    /// <summary>Receives the task's code (the assembly closure the node lacked) and queues the call again.</summary>
    [ResponseTimeout("00:01:00")]
    Task Upload(AssemblyUpload upload);

    /// <summary>The executor has the outcome (or gave up): forget the task, cancelling it if it has not finished.</summary>
    [OneWay]
    Task Release();
}
