using System.Diagnostics;
using Futures.Orleans.Grains;

namespace Futures.Orleans.Worker;

/// <summary>The node's side of one link: the link's calls on this node, and their updates until the link acknowledges them.</summary>
/// <remarks>
/// Updates are numbered 1, 2, ... and answered, all those not yet acknowledged, to every Submit and
/// Poll; the link acknowledges the last number it has seen with its next request. So an answer lost
/// on the way costs nothing: the next one carries the same updates again, and the link ignores an
/// update of a call it no longer has. Calls are taken in batches whose ids rise, and a link sends one
/// batch at a time, so a batch that was received already (the link sent it again because the answer
/// was lost) is recognised by its last id and not queued twice.
/// <para>
/// <see cref="_lock"/> guards the fields below it. It is a leaf: nothing is called under it but
/// collections; futures are cancelled, tasks queued and waiters woken after it is released.
/// </para>
/// </remarks>
internal sealed class NodeSession(WorkerNode node)
{
    /// <summary>How long a poll that sees only "started" updates waits for a result before it answers. Longer saves polls of short calls and tells the client later that a call runs.</summary>
    private static readonly TimeSpan StartedGrace = TimeSpan.FromMilliseconds(20);

    /// <summary>How long a poll holds a result back while other calls of the session still run, so that results travel in batches rather than one poll each (Nagle's rule). Longer makes bigger batches and later results.</summary>
    private static readonly TimeSpan ResultCoalesce = TimeSpan.FromMilliseconds(5);

    /// <summary>A random id: an answer from another session (the node lost this one, or the key re-activated on another node) tells the link that its calls are gone.</summary>
    public long Id { get; } = Random.Shared.NextInt64(1, long.MaxValue);

    /// <summary>When a request last came (Stopwatch ticks); a session nobody asks about for long is abandoned.</summary>
    public long LastSeen => Volatile.Read(ref _lastSeen);

    private long _lastSeen = Stopwatch.GetTimestamp();

    private readonly object _lock = new();

    /// <summary>Calls received and not finished, and those waiting for an upload, by id, e.g. <c>{7: task, 8: task}</c>. Guarded by <see cref="_lock"/>.</summary>
    private readonly Dictionary<long, NodeTask> _tasks = [];

    /// <summary>Updates not yet acknowledged, oldest first, e.g. <c>[(41, 7 Started), (42, 7 Done)]</c>. Guarded by <see cref="_lock"/>.</summary>
    private readonly Queue<(long Seq, CallUpdate Update)> _updates = new();

    /// <summary>How many of <see cref="_updates"/> are outcomes (not "started"): a poll answers at once when there is one. Guarded by <see cref="_lock"/>.</summary>
    private int _outcomes;

    /// <summary>Calls queued or running (not finished, not waiting for an upload). Guarded by <see cref="_lock"/>.</summary>
    private int _unfinished;

    /// <summary>When the oldest outcome among <see cref="_updates"/> was posted (Stopwatch ticks); meaningful while <see cref="_outcomes"/> is above 0. Guarded by <see cref="_lock"/>.</summary>
    private long _oldestOutcome;

    /// <summary>The number of the last update posted. Guarded by <see cref="_lock"/>.</summary>
    private long _seq;

    /// <summary>The highest call id received. Guarded by <see cref="_lock"/>.</summary>
    private long _highestId;

    /// <summary>Completed (and cleared) by the next update, for the requests that wait; null when none waits. Guarded by <see cref="_lock"/>.</summary>
    private TaskCompletionSource? _changed;

    /// <summary>Set by <see cref="Close"/>: no call is taken after it. Guarded by <see cref="_lock"/>.</summary>
    private bool _closed;

    [Conditional("DEBUG")]
    private void AssertInvariants()
    {
        Debug.Assert(Monitor.IsEntered(_lock));
        Debug.Assert(_outcomes >= 0 && _outcomes <= _updates.Count, "Outcomes are among the updates.");
        Debug.Assert(_unfinished >= 0 && _unfinished <= _tasks.Count, "Unfinished calls are among the tasks.");
        Debug.Assert(_updates.Count == 0 || _updates.Peek().Seq <= _seq, "Updates are numbered up to the last posted.");
    }

    /// <summary>Takes a batch and queues its calls (unless it came before), then waits up to <paramref name="grace"/> for them to finish.</summary>
    public async Task<UpdateBatch> SubmitAsync(CallBatch batch, TimeSpan grace)
    {
        Touch();
        List<NodeTask>? added = null;
        lock (_lock)
        {
            AssertInvariants();
            Drop_NeedsLock(batch.Ack);
            if (!_closed && batch.Calls.Length > 0 && batch.Calls[^1].Id > _highestId)
            {
                var countdown = new BatchCountdown(batch.Calls.Length);
                added = new List<NodeTask>(batch.Calls.Length);
                foreach (CallEnvelope call in batch.Calls)
                {
                    var task = new NodeTask(this, call, batch.Timeout, batch.ExecutorName) { Batch = countdown };
                    _tasks[call.Id] = task;
                    added.Add(task);
                }
                _unfinished += added.Count;
                _highestId = batch.Calls[^1].Id;
            }
        }
        if (added is not null)
        {
            // Outside the lock: a call may finish (and post) before Run returns.
            foreach (NodeTask task in added) node.Run(task);
            await WaitAsync(added[0].Batch!.Task, grace);
        }
        lock (_lock) return Answer_NeedsLock();
    }

    /// <summary>Drops the updates up to <paramref name="ack"/>; answers once there is an outcome (held up to <see cref="ResultCoalesce"/> while other calls run), or "started" updates and no outcome within <see cref="StartedGrace"/>, or after <paramref name="maxWait"/>.</summary>
    public async Task<UpdateBatch> PollAsync(long ack, TimeSpan maxWait)
    {
        Touch();
        long deadline = Stopwatch.GetTimestamp() + (long)(maxWait.TotalSeconds * Stopwatch.Frequency);
        long graceEnd = long.MaxValue;
        while (true)
        {
            Task changed;
            long now = Stopwatch.GetTimestamp();
            lock (_lock)
            {
                AssertInvariants();
                Drop_NeedsLock(ack);
                if (_closed || now >= deadline || (_outcomes > 0 && _unfinished == 0)) return Answer_NeedsLock();
                if (_outcomes > 0) graceEnd = Math.Min(graceEnd, _oldestOutcome + (long)(ResultCoalesce.TotalSeconds * Stopwatch.Frequency));
                else if (_updates.Count > 0 && graceEnd == long.MaxValue) graceEnd = now + (long)(StartedGrace.TotalSeconds * Stopwatch.Frequency);
                if (now >= graceEnd) return Answer_NeedsLock();
                // Synchronous continuations: the poll resumes on its grain's scheduler anyway (see BatchCountdown).
                changed = (_changed ??= new TaskCompletionSource()).Task;
            }
            await WaitAsync(changed, Stopwatch.GetElapsedTime(now, Math.Min(deadline, graceEnd)));
        }
    }

    /// <summary>Waits for <paramref name="signal"/>, at most <paramref name="limit"/>, without leaving a timer behind.</summary>
    private static async Task WaitAsync(Task signal, TimeSpan limit)
    {
        if (signal.IsCompleted || limit <= TimeSpan.Zero) return;
        using var cts = new CancellationTokenSource();
        await Task.WhenAny(signal, Task.Delay(limit, cts.Token));
        cts.Cancel();
    }

    /// <summary>Adds an update of one of this session's calls and wakes the requests that wait.</summary>
    public void Post(CallUpdate update)
    {
        TaskCompletionSource? changed;
        lock (_lock)
        {
            AssertInvariants();
            if (_closed) return;
            _updates.Enqueue((++_seq, update));
            if (update.Event != CallEvent.Started)
            {
                if (_outcomes++ == 0) _oldestOutcome = Stopwatch.GetTimestamp();
                _unfinished--;
            }
            if (update.Event == CallEvent.Done) _tasks.Remove(update.Id);
            changed = _changed;
            _changed = null;
        }
        changed?.TrySetResult();
    }

    /// <summary>Queues again the calls that waited for an upload.</summary>
    public void Requeue(long[] ids)
    {
        Touch();
        var again = new List<NodeTask>();
        lock (_lock)
        {
            AssertInvariants();
            foreach (long id in ids)
            {
                if (_closed || !_tasks.TryGetValue(id, out NodeTask? old)) continue;
                if (!old.Done.Task.IsCompletedSuccessfully || old.Done.Task.Result.Event != CallEvent.NeedsAssembly) continue;
                var task = new NodeTask(this, old.Call, old.Timeout, old.ExecutorName);
                _tasks[id] = task;
                _unfinished++;
                again.Add(task);
            }
        }
        foreach (NodeTask task in again) node.Run(task);
    }

    /// <summary>Ends the session: calls not started are cancelled, the rest run to their end unreported.</summary>
    public void Close()
    {
        NodeTask[] tasks;
        TaskCompletionSource? changed;
        lock (_lock)
        {
            AssertInvariants();
            _closed = true;
            tasks = [.. _tasks.Values];
            _tasks.Clear();
            _updates.Clear();
            _outcomes = 0;
            _unfinished = 0;
            changed = _changed;
            _changed = null;
        }
        foreach (NodeTask task in tasks) task.Cancel();
        changed?.TrySetResult();
    }

    private void Touch() => Volatile.Write(ref _lastSeen, Stopwatch.GetTimestamp());

    private void Drop_NeedsLock(long ack)
    {
        Debug.Assert(Monitor.IsEntered(_lock));
        while (_updates.TryPeek(out var next) && next.Seq <= ack)
        {
            _updates.Dequeue();
            if (next.Update.Event != CallEvent.Started) _outcomes--;
        }
    }

    /// <summary>Every update not acknowledged, but the "started" of a call that has finished since (its outcome says more): a short call costs one update, not two.</summary>
    private UpdateBatch Answer_NeedsLock()
    {
        Debug.Assert(Monitor.IsEntered(_lock));
        var updates = new List<CallUpdate>(_updates.Count);
        foreach (var (_, update) in _updates)
        {
            if (update.Event == CallEvent.Started && !_tasks.ContainsKey(update.Id)) continue;
            updates.Add(update);
        }
        return new UpdateBatch(node.Info, Id, _seq, [.. updates]);
    }
}
