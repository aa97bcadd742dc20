using Orleans;
using Orleans.Concurrency;

namespace Futures.Orleans.Grains;

/// <summary>One executor's link to one worker node: batches of calls go in, batches of updates come back. One activation per link, on the node its key names (<see cref="NodePinnedPlacement"/>).</summary>
/// <remarks>
/// The link's calls live in a <c>NodeSession</c> of the node's <c>WorkerNode</c>, not in the activation,
/// so that any activation of the key on that node serves them. Updates are numbered per session and
/// kept until the link acknowledges them, so an answer lost on the way is sent again. Every wait is
/// bounded well under the response timeouts, so that no call waits on a silo that died for Orleans'
/// 30 s default: a node that dies is noticed by the executor's membership watch, or by an answer from
/// another node or another session (the key re-activated elsewhere).
/// </remarks>
internal interface INodeGrain : IGrainWithStringKey
{
    /// <summary>Queues the calls on the node's local executor (a batch already received is not queued again), then waits briefly for them to finish.</summary>
    /// <returns>The updates not yet acknowledged: for short calls, their results.</returns>
    [ResponseTimeout("00:00:10")]
    Task<UpdateBatch> Submit(CallBatch batch);

    /// <summary>Drops the updates up to <paramref name="ack"/>; answers with the rest once there are some, or after <paramref name="maxWait"/>.</summary>
    [ResponseTimeout("00:00:06")]
    Task<UpdateBatch> Poll(long ack, TimeSpan maxWait);

    /// <summary>Receives a task's code (the assembly closure the node lacked); an upload without images only confirms that the node has it.</summary>
    /// <remarks>
    /// A request in flight through a gateway that dies waits for its response timeout, so this one is
    /// kept short too: an upload that times out sends its calls to another node, which asks for its own.
    /// </remarks>
    [ResponseTimeout("00:00:20")]
    Task Upload(AssemblyUpload upload);

    /// <summary>Queues again the calls that were waiting for an upload.</summary>
    [ResponseTimeout("00:00:10")]
    Task Requeue(long[] ids);

    /// <summary>The link is done with the node (executor shut down, broken, or the link given up): cancel what has not started and forget the session.</summary>
    [OneWay]
    Task Close();
}
