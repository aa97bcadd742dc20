using System.Collections.Concurrent;
using Futures.Diagnostics;
using Futures.Orleans.Client;
using Futures.Orleans.Grains;
using Futures.ProcessPool.Protocol;

namespace Futures.Orleans;

/// <summary>Where calls go and how they end: routing to node links, completion, node loss, breaking.</summary>
public sealed partial class OrleansExecutor
{
    /// <summary>Links in a row that may fail to deliver a call before the cluster counts as unreachable (if nothing else answers either, see <see cref="UnreachableAfter"/>).</summary>
    private const int UndeliverableLimit = 3;

    /// <summary>How long without any answer from the cluster, on any link, makes undeliverable calls break the executor as unreachable.</summary>
    /// <remarks>
    /// A call can fail to be delivered while the cluster is fine: a client sends every call of a grain
    /// through one gateway, and a cut-off gateway stalls them (no reset) until the cluster declares it
    /// dead and the client drops it, a minute or more with Orleans' default timings. As long as other
    /// links get answers, such a call keeps going to other nodes.
    /// </remarks>
    private static readonly TimeSpan UnreachableAfter = TimeSpan.FromSeconds(10);

    /// <summary>When a link last got an answer from the cluster (Stopwatch ticks); 0 before the first.</summary>
    private long _lastAnswer;

    /// <summary>A link got an answer: the cluster is reachable.</summary>
    internal void NoteAnswer() => Volatile.Write(ref _lastAnswer, System.Diagnostics.Stopwatch.GetTimestamp());

    /// <summary>Whether no link has had an answer for <see cref="UnreachableAfter"/>.</summary>
    private bool Unanswered()
    {
        long last = Volatile.Read(ref _lastAnswer);
        return last == 0 || System.Diagnostics.Stopwatch.GetElapsedTime(last) > UnreachableAfter;
    }

    /// <summary>The link to each node, by the silo picked, e.g. <c>{"127.0.0.1:11111@1": link}</c>; a lost link is removed and the next call to that node makes a new one.</summary>
    private readonly ConcurrentDictionary<string, NodeLink> _links = new(StringComparer.Ordinal);

    /// <summary>Calls on the cluster by future, for tests that must know what the executor has seen.</summary>
    private readonly ConcurrentDictionary<Future, RemoteCall> _onCluster = new(ReferenceEqualityComparer.Instance);

    /// <summary>Whether the executor has heard from its node that <paramref name="future"/>'s task runs. For tests.</summary>
    internal bool ObservedRunning(Future future) => _onCluster.TryGetValue(future, out RemoteCall? call) && call.ObservedRunning;

    /// <summary>Sends a running call to a node: the one the watcher picks, at once when the membership is known.</summary>
    private void Route(RemoteCall call)
    {
        if (Volatile.Read(ref _broken) is not null)
        {
            FailBroken([call]);
            return;
        }
        if (Watcher.TryPick(out string silo)) RouteTo(call, silo);
        else _ = RouteAfterPickAsync(call);
    }

    private async Task RouteAfterPickAsync(RemoteCall call) => RouteTo(call, await Watcher.PickAsync().ConfigureAwait(false));

    private void RouteTo(RemoteCall call, string silo)
    {
        call.Silo = silo;
        while (true)
        {
            if (Volatile.Read(ref _broken) is not null)
            {
                FailBroken([call]);
                return;
            }
            NodeLink link = _links.GetOrAdd(silo, static (s, e) => new NodeLink(e, s), this);
            if (link.TryEnqueue(call)) return;
            _links.TryRemove(KeyValuePair.Create(silo, link)); // lost meanwhile: make a new one
        }
    }

    /// <summary>Completes a call from its node's answer: the value, or the rebuilt exception.</summary>
    internal void Finish(RemoteCall call, CallUpdate done)
    {
        ResultItem result = ResultItem.Decode(done.Result!);
        Complete(call, () => call.Pending.Complete(result), result.Exception is null ? TaskOutcome.Result : TaskOutcome.Exception);
    }

    /// <summary>Completes a call's future (outside any lock) and frees its place on the cluster; a call completed already is left alone.</summary>
    internal void Complete(RemoteCall call, Action complete, string outcome)
    {
        System.Diagnostics.Debug.Assert(!Monitor.IsEntered(_lock));
        if (!call.TryFinish()) return;
        _onCluster.TryRemove(call.Future, out _);
        if (call.Silo is { } silo) Watcher.Unpick(silo);
        // Counted before the future completes, as every executor does: whoever wakes from it sees the count.
        FuturesMetrics.RecordCompleted(this, outcome);
        complete();
        Release();
        Dispatch();
    }

    /// <summary>Fails running calls with the reason the executor broke.</summary>
    internal void FailBroken(List<RemoteCall> calls)
    {
        if (calls.Count == 0) return;
        Exception broken;
        lock (_lock) broken = _broken!;
        foreach (RemoteCall call in calls) Complete(call, () => call.Future.SetException(Rethrowable(broken)), TaskOutcome.Broken);
    }

    /// <summary>A link was lost with <paramref name="calls"/>: those that had not started go to another node; those that ran there are retried, failed, or break the executor.</summary>
    /// <param name="link">The lost link.</param>
    /// <param name="calls">Its calls, oldest first.</param>
    /// <param name="undeliverable">The transport error when the link could not deliver a request; null when its node was lost.</param>
    internal void OnLinkLost(NodeLink link, List<RemoteCall> calls, Exception? undeliverable)
    {
        _links.TryRemove(KeyValuePair.Create(link.Silo, link));
        if (undeliverable is not null) Watcher.Suspect(link.Silo);
        string node = link.NodeDescription;
        foreach (RemoteCall call in calls)
        {
            Leave(call);
            if (!call.ObservedRunning)
            {
                Resubmit(call, undeliverable);
                continue;
            }
            var lost = new WorkerLostException($"The worker node {node} was lost while running this task ({call.DisplayName}).");
            if (WorkerCrashMode == WorkerCrashMode.BreakPool)
            {
                Break(lost);
                FailBroken([call]);
                continue;
            }
            if (call.RetriesLeft-- > 0)
            {
                call.ObservedRunning = false;
                Route(call);
                continue;
            }
            Complete(call, () => call.Future.SetException(lost), TaskOutcome.Broken);
        }
    }

    /// <summary>A batch of <paramref name="calls"/> could not be delivered through <paramref name="link"/>: they go to another node (the link goes on with the calls it delivered before).</summary>
    internal void OnUndelivered(NodeLink link, List<RemoteCall> calls, Exception undeliverable)
    {
        Watcher.Suspect(link.Silo);
        foreach (RemoteCall call in calls)
        {
            Leave(call);
            Resubmit(call, undeliverable);
        }
    }

    /// <summary>The call leaves its node: its pick there is released.</summary>
    private void Leave(RemoteCall call)
    {
        if (call.Silo is { } silo) Watcher.Unpick(silo);
        call.Silo = null;
    }

    /// <summary>A call that had not started goes to another node, without counting against its retries; one that no link could deliver, while nothing answers, breaks the executor as unreachable.</summary>
    private void Resubmit(RemoteCall call, Exception? undeliverable)
    {
        if (undeliverable is not null && ++call.Undelivered >= UndeliverableLimit && Unanswered())
        {
            Break(new BrokenExecutorException($"The Orleans cluster is unreachable from {Name}: {undeliverable.Message}", undeliverable));
            FailBroken([call]);
            return;
        }
        Route(call);
    }

    /// <summary>Breaks the executor: waiting and running calls fail now, later Submit throws. Only the first reason counts.</summary>
    /// <remarks>Mirrors <c>terminate_broken</c>.</remarks>
    internal void Break(Exception reason)
    {
        List<RemoteCall> waiting;
        lock (_lock)
        {
            if (_broken is not null) return;
            _broken = reason;
            waiting = [.. _waiting];
            _waiting.Clear();
        }
        foreach (RemoteCall call in waiting)
        {
            bool started = call.Future.TryStartQueued();
            FuturesMetrics.RecordCompleted(this, TaskOutcome.Broken); // before the future completes, as everywhere
            if (started) call.Future.SetException(Rethrowable(reason));
        }
        _brokenSignal.TrySetResult();
        foreach (NodeLink link in _links.Values) FailBroken(link.TakeAll());
        _links.Clear();
        CheckDrained();
    }

    /// <summary>Closes every link once the executor is shut down and drained: the nodes forget their sessions.</summary>
    private void CloseLinks()
    {
        foreach (NodeLink link in _links.Values) _ = link.TakeAll();
        _links.Clear();
    }
}
