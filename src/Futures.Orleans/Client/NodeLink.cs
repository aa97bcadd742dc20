using System.Diagnostics;
using Futures.Diagnostics;
using Futures.Orleans.Grains;
using Orleans;

namespace Futures.Orleans.Client;

/// <summary>An executor's link to one worker node: sends its calls in batches and completes them from the batches of updates that come back.</summary>
/// <remarks>
/// <para>
/// Two loops, each with at most one request out, and no thread held while they wait:
/// the send loop takes every call queued since its last batch and sends them as one Submit, which
/// answers with their results when they finish within the node's grace (short calls: one round trip
/// in all); the poll loop, while calls are out, long-polls the rest. Answers carry every update not
/// yet acknowledged, so a lost answer costs nothing; an update of a call the link no longer has is
/// ignored.
/// </para>
/// <para>
/// The link is lost when its node is declared dead (<see cref="NodeWatcher.Lost"/>), when an answer
/// comes from another node or another session (the key re-activated elsewhere: the node died, or
/// forgot the link), or when a batch cannot be delivered. Its calls then go back to the executor,
/// which resubmits or fails them (<see cref="OrleansExecutor.OnLinkLost"/>); a lost link takes no
/// call and ignores late answers.
/// </para>
/// <para>
/// <see cref="_lock"/> guards the fields below it. It is a leaf: futures are completed, requests sent
/// and the executor called after it is released.
/// </para>
/// </remarks>
internal sealed class NodeLink
{
    /// <summary>How long a poll waits on the node before it answers with nothing. Longer means fewer requests per running call.</summary>
    public static readonly TimeSpan PollWait = TimeSpan.FromSeconds(2);

    /// <summary>Attempts to deliver a batch (each bounded by Submit's response timeout) before the link is given up.</summary>
    private const int DeliverAttempts = 3;

    /// <summary>Polls in a row that fail with a transport error (not a timeout) before the link is given up.</summary>
    private const int PollErrorLimit = 20;

    /// <summary>A link idle for longer is retired at its next call for a new one: its node forgets an idle session after two minutes, and a batch sent to the forgotten one would start a session of its own, whose answer then reads as a lost node.</summary>
    private static readonly TimeSpan IdleLimit = TimeSpan.FromMinutes(1);

    private readonly OrleansExecutor _executor;

    private readonly INodeGrain _grain;

    private readonly object _lock = new();

    /// <summary>Calls taken and not yet sent, oldest first. Guarded by <see cref="_lock"/>.</summary>
    private readonly List<(long Id, RemoteCall Call)> _outbox = [];

    /// <summary>Calls taken (sent or not) and not yet completed, by id, e.g. <c>{41: call, 42: call}</c>. Guarded by <see cref="_lock"/>.</summary>
    private readonly Dictionary<long, RemoteCall> _calls = [];

    /// <summary>The last call id given. Guarded by <see cref="_lock"/>.</summary>
    private long _lastId;

    /// <summary>The last update number received, acknowledged with the next request. Guarded by <see cref="_lock"/>.</summary>
    private long _ack;

    /// <summary>Whether the send loop runs. Guarded by <see cref="_lock"/>.</summary>
    private bool _sending;

    /// <summary>Whether the poll loop runs. Guarded by <see cref="_lock"/>.</summary>
    private bool _polling;

    /// <summary>Set once the link is lost or closed: it takes no call and ignores answers. Guarded by <see cref="_lock"/>.</summary>
    private bool _lost;

    /// <summary>The node and session of the first answer; later answers must match. Guarded by <see cref="_lock"/>.</summary>
    private (NodeInfo Node, long Session)? _peer;

    /// <summary>Completes when the node is declared dead: the picked one's until the first answer names the node (see <see cref="_peer"/>). Guarded by <see cref="_lock"/>.</summary>
    private Task _nodeLost;

    /// <summary>When the link last had no call (Stopwatch ticks), e.g. after its last answer; see <see cref="IdleLimit"/>. Guarded by <see cref="_lock"/>.</summary>
    private long _idleSince = Stopwatch.GetTimestamp();

    public NodeLink(OrleansExecutor executor, string silo)
    {
        _executor = executor;
        Silo = silo;
        _grain = executor.Client.GetGrain<INodeGrain>(NodePinnedPlacement.Key(silo, Guid.NewGuid()));
        // Watched from the start: a node that died just after it was picked must not hold the first
        // batch for its three response timeouts.
        _nodeLost = silo.Length > 0 ? executor.Watcher.Lost(silo) : new TaskCompletionSource().Task;
    }

    /// <summary>The silo picked for the link, its key among the executor's links, e.g. <c>127.0.0.1:11111@1</c>; "" when no node was known (Orleans placed it).</summary>
    public string Silo { get; }

    /// <summary>How a message names the node: as it answered, else as picked.</summary>
    public string NodeDescription
    {
        get
        {
            lock (_lock) return _peer?.Node.ToString() ?? Silo;
        }
    }

    [Conditional("DEBUG")]
    private void AssertInvariants()
    {
        Debug.Assert(Monitor.IsEntered(_lock));
        Debug.Assert(_outbox.Count <= _calls.Count, "Every queued call is among the link's calls.");
        Debug.Assert(!_lost || _calls.Count == 0, "A lost link holds no call.");
    }

    /// <summary>Takes <paramref name="call"/> for the node; false when the link is lost, or retired after being idle too long (make another).</summary>
    public bool TryEnqueue(RemoteCall call)
    {
        lock (_lock)
        {
            AssertInvariants();
            if (_lost) return false;
            if (_calls.Count == 0 && Stopwatch.GetElapsedTime(_idleSince) > IdleLimit)
            {
                _lost = true;
                _grain.Close().Ignore();
                return false;
            }
            long id = ++_lastId;
            _calls[id] = call;
            _outbox.Add((id, call));
            if (_sending) return true;
            _sending = true;
        }
        // Sends on this thread up to the first await: a lone call leaves at once.
        _ = SendLoopAsync();
        return true;
    }

    private async Task SendLoopAsync()
    {
        while (true)
        {
            CallBatch batch;
            lock (_lock)
            {
                AssertInvariants();
                if (_lost || _outbox.Count == 0)
                {
                    _sending = false;
                    return;
                }
                var calls = new CallEnvelope[_outbox.Count];
                for (int i = 0; i < calls.Length; i++) calls[i] = _outbox[i].Call.Envelope(_outbox[i].Id);
                _outbox.Clear();
                batch = new CallBatch(calls, _executor.TaskTimeout, _executor.Name, _ack);
            }
            UpdateBatch? answer;
            try
            {
                answer = await DeliverAsync(batch).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                // Not a transport error (those are retried): the batch's calls go elsewhere.
                HandBack(batch, e);
                continue;
            }
            if (answer is not null) Apply(answer);
        }
    }

    /// <summary>Sends <paramref name="batch"/>, again after a transport error (the node takes a batch once); null when the link is lost meanwhile (its calls are handed back), or the batch could not be delivered (its calls are handed back, the link goes on).</summary>
    private async Task<UpdateBatch?> DeliverAsync(CallBatch batch)
    {
        for (int attempt = 1; ; attempt++)
        {
            Task nodeLost;
            lock (_lock) nodeLost = _nodeLost;
            Task<UpdateBatch> submit = _grain.Submit(batch);
            if (await Outrun(submit, nodeLost).ConfigureAwait(false)) return null;
            try
            {
                return await submit.ConfigureAwait(false);
            }
            catch (Exception e) when (e is TimeoutException or OrleansException && attempt < DeliverAttempts)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(200 * attempt)).ConfigureAwait(false);
            }
            catch (Exception e) when (e is TimeoutException or OrleansException)
            {
                HandBack(batch, e);
                return null;
            }
        }
    }

    /// <summary>Waits for <paramref name="request"/>; true (the link is lost, or the executor broken, and handled) when that comes first.</summary>
    private async Task<bool> Outrun(Task request, Task nodeLost)
    {
        if (request.IsCompleted) return false;
        Task first = await Task.WhenAny(request, nodeLost, _executor.BrokenSignal).ConfigureAwait(false);
        if (first == request) return false;
        // Abandoned: it ends with its response timeout at the latest; observe that quietly.
        _ = request.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        if (first == nodeLost) Lose(undeliverable: null);
        else _executor.FailBroken(TakeAll());
        return true;
    }

    private async Task PollLoopAsync()
    {
        int errors = 0;
        while (true)
        {
            long ack;
            Task nodeLost;
            lock (_lock)
            {
                AssertInvariants();
                if (_lost || _calls.Count == 0)
                {
                    _polling = false;
                    return;
                }
                ack = _ack;
                nodeLost = _nodeLost;
            }
            Task<UpdateBatch> poll = _grain.Poll(ack, PollWait);
            if (await Outrun(poll, nodeLost).ConfigureAwait(false)) return;
            UpdateBatch answer;
            try
            {
                answer = await poll.ConfigureAwait(false);
                errors = 0;
            }
            catch (TimeoutException)
            {
                continue; // no answer in time: its silo may be dying; the watcher or the next poll tells
            }
            catch (Exception e) when (e is OrleansException && ++errors < PollErrorLimit)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(100 * errors)).ConfigureAwait(false);
                continue;
            }
            catch (Exception e)
            {
                Lose(undeliverable: e);
                return;
            }
            Apply(answer);
        }
    }

    /// <summary>Takes an answer: acknowledges it, marks started calls, completes finished ones, uploads code for those that need it.</summary>
    private void Apply(UpdateBatch answer)
    {
        _executor.NoteAnswer();
        List<(RemoteCall Call, CallUpdate Done)>? done = null;
        Dictionary<Guid, (MissingAssembly Missing, List<long> Ids)>? uploads = null;
        bool poll = false, foreign = false;
        lock (_lock)
        {
            AssertInvariants();
            if (_lost) return;
            if (_peer is not { } peer)
            {
                _peer = (answer.Node, answer.Session);
                _nodeLost = _executor.Watcher.Lost(answer.Node.Silo);
            }
            else if (peer.Node.Silo != answer.Node.Silo || peer.Session != answer.Session)
            {
                foreign = true; // another node or another session answered: this one's calls are gone
            }
            if (!foreign) ApplyUpdates_NeedsLock(answer, ref done, ref uploads);
        }
        if (foreign)
        {
            Lose(undeliverable: null);
            return;
        }
        lock (_lock)
        {
            if (!_lost && _calls.Count > 0 && !_polling) poll = _polling = true;
        }
        if (done is not null)
        {
            foreach (var (call, update) in done) _executor.Finish(call, update);
        }
        if (uploads is not null)
        {
            foreach (var (missing, ids) in uploads.Values) _ = UploadAsync(missing, [.. ids]);
        }
        if (poll) _ = PollLoopAsync();
    }

    private void ApplyUpdates_NeedsLock(UpdateBatch answer, ref List<(RemoteCall Call, CallUpdate Done)>? done, ref Dictionary<Guid, (MissingAssembly Missing, List<long> Ids)>? uploads)
    {
        Debug.Assert(Monitor.IsEntered(_lock));
        _ack = Math.Max(_ack, answer.Seq);
        foreach (CallUpdate update in answer.Updates)
        {
            if (!_calls.TryGetValue(update.Id, out RemoteCall? call)) continue; // completed already: a repeated update
            switch (update.Event)
            {
                case CallEvent.Started:
                    call.ObservedRunning = true;
                    break;
                case CallEvent.Done:
                    _calls.Remove(update.Id);
                    (done ??= []).Add((call, update));
                    break;
                case CallEvent.NeedsAssembly:
                    call.ObservedRunning = false;
                    uploads ??= [];
                    Guid mvid = update.Missing!.ModuleVersionId;
                    if (!uploads.TryGetValue(mvid, out var entry)) uploads[mvid] = entry = (update.Missing, []);
                    entry.Ids.Add(update.Id);
                    break;
            }
        }
    }

    /// <summary>Brings the code to the node (once per node and MVID, among all links), then requeues the calls that waited for it; an upload that fails fails them, one that cannot reach the node sends them elsewhere.</summary>
    private async Task UploadAsync(MissingAssembly missing, long[] ids)
    {
        try
        {
            string silo;
            lock (_lock) silo = _peer!.Value.Node.Silo;
            await _executor.Uploader.UploadAsync(_grain, silo, missing).ConfigureAwait(false);
            await _grain.Requeue(ids).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            var calls = new List<RemoteCall>();
            lock (_lock)
            {
                foreach (long id in ids)
                {
                    if (_calls.Remove(id, out RemoteCall? call)) calls.Add(call);
                }
                if (_calls.Count == 0) _idleSince = Stopwatch.GetTimestamp();
            }
            if (e is TimeoutException or OrleansException)
            {
                // The way to the node failed (a cut-off gateway on it, say), not the upload: the calls go elsewhere.
                _executor.OnUndelivered(this, calls, e);
                return;
            }
            foreach (RemoteCall call in calls) _executor.Complete(call, () => call.Future.SetException(e), TaskOutcome.Exception);
        }
    }

    /// <summary>A batch could not be delivered: its calls go back to the executor, which sends them elsewhere; the calls delivered before stay, since the node may well be running them (a cut-off gateway on the way stalls a live node's traffic too).</summary>
    private void HandBack(CallBatch batch, Exception undeliverable)
    {
        var calls = new List<RemoteCall>(batch.Calls.Length);
        lock (_lock)
        {
            AssertInvariants();
            foreach (CallEnvelope envelope in batch.Calls)
            {
                if (_calls.Remove(envelope.Id, out RemoteCall? call)) calls.Add(call);
            }
            if (_calls.Count == 0) _idleSince = Stopwatch.GetTimestamp();
        }
        _executor.OnUndelivered(this, calls, undeliverable);
    }

    /// <summary>Gives the link up: its calls go back to the executor, the node's session is closed (if the node still hears).</summary>
    /// <param name="undeliverable">The transport error when a request could not be delivered; null when the node was lost.</param>
    private void Lose(Exception? undeliverable)
    {
        List<RemoteCall> calls = TakeAll();
        _executor.OnLinkLost(this, calls, undeliverable);
    }

    /// <summary>Marks the link lost and takes its calls, oldest first; closes the node's session. Empty when it was lost already.</summary>
    public List<RemoteCall> TakeAll()
    {
        List<RemoteCall> calls;
        lock (_lock)
        {
            AssertInvariants();
            if (_lost) return [];
            _lost = true;
            calls = [.. _calls.OrderBy(c => c.Key).Select(c => c.Value)];
            _calls.Clear();
            _outbox.Clear();
        }
        _grain.Close().Ignore();
        return calls;
    }
}
