using Futures.Orleans.Worker;
using Orleans;
using Orleans.Concurrency;

namespace Futures.Orleans.Grains;

/// <summary>The activation of one link on a worker node; see <see cref="INodeGrain"/>.</summary>
/// <remarks>
/// A thin front for the link's <see cref="NodeSession"/>. Reentrant, so that a Submit, a Poll that
/// waits, an Upload and a Close go on side by side. The user's code never runs here: it runs on the
/// node's executor.
/// </remarks>
[Reentrant]
[NodePinnedPlacement]
[CollectionAgeLimit(Minutes = 2)]
internal sealed class NodeGrain(WorkerNode node) : Grain, INodeGrain
{
    /// <summary>How long a Submit waits for its calls to finish before it answers with what it has. Longer returns more results with the Submit (no poll needed) and holds the link's next batch back longer.</summary>
    private static readonly TimeSpan SubmitGrace = TimeSpan.FromMilliseconds(10);

    private NodeSession Session => node.Session(this.GetPrimaryKeyString());

    public Task<UpdateBatch> Submit(CallBatch batch) => Session.SubmitAsync(batch, SubmitGrace);

    public Task<UpdateBatch> Poll(long ack, TimeSpan maxWait) => Session.PollAsync(ack, maxWait);

    public Task Upload(AssemblyUpload upload)
    {
        if (upload.Names.Length > 0) node.AddUpload(upload);
        return Task.CompletedTask;
    }

    public Task Requeue(long[] ids)
    {
        Session.Requeue(ids);
        return Task.CompletedTask;
    }

    public Task Close()
    {
        node.CloseSession(this.GetPrimaryKeyString());
        DeactivateOnIdle();
        return Task.CompletedTask;
    }
}
