using System.Diagnostics;
using Futures.Orleans.Grains;
using Futures.ProcessPool;

namespace Futures.Orleans.Client;

/// <summary>One submitted call on its way through the cluster: its encoded form, where it is, and whether its future is completed yet.</summary>
/// <remarks>
/// A call lives on one <see cref="NodeLink"/> at a time. When its node is lost, a call that had not
/// started goes to another node without counting; one that was running fails with
/// <see cref="WorkerLostException"/> or, with <see cref="OrleansExecutorOptions.RetriesOnNodeLoss"/>
/// left, goes to another node. Whatever path completes it, <see cref="TryFinish"/> lets only the first
/// one through: a cut-off node whose answer comes after the call went elsewhere is ignored.
/// </remarks>
internal sealed class RemoteCall(PendingCall call)
{
    /// <summary>The submitter's activity as W3C trace context, read at Submit on the submitting thread; the node parents the task's activity on it.</summary>
    private readonly (string? Parent, string? State) _trace = Activity.Current is { IdFormat: ActivityIdFormat.W3C } current
        ? (current.Id, current.TraceStateString)
        : (null, null);

    /// <summary>The call as the process pool encodes it; made once, sent again unchanged on a retry.</summary>
    private byte[]? _encoded;

    /// <summary>1 once the future is completed (or given up) by one path; see <see cref="TryFinish"/>.</summary>
    private int _finished;

    /// <summary>The call, as the process pool serializes it.</summary>
    public PendingCall Pending => call;

    public Future Future => call.Future;

    /// <summary>What the call runs, for messages, e.g. <c>MyApp.Tasks.Pi</c>.</summary>
    public string DisplayName => call.Method.DisplayName;

    /// <summary>Whether the last word from its node was that the call runs (not queued); a lost node then counts against the retries.</summary>
    public volatile bool ObservedRunning;

    /// <summary>Resubmissions left after a node lost while running it.</summary>
    public int RetriesLeft { get; set; }

    /// <summary>Links in a row that could not deliver the call; at the limit the cluster counts as unreachable.</summary>
    public int Undelivered { get; set; }

    /// <summary>The node picked for the call (its pick is released when the call leaves it); null before the first pick.</summary>
    public string? Silo { get; set; }

    /// <summary>The call on the wire under <paramref name="id"/>.</summary>
    public CallEnvelope Envelope(long id) => new(id, _encoded ??= call.Encode(), _trace.Parent, _trace.State);

    /// <summary>True for the first caller only: the one that completes the future.</summary>
    public bool TryFinish() => Interlocked.Exchange(ref _finished, 1) == 0;
}
