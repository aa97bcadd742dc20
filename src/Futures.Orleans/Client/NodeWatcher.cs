using Orleans;
using Orleans.Runtime;

namespace Futures.Orleans.Client;

/// <summary>The executor's view of the nodes: picks the node for each task, and tells, within a fraction of a second of the cluster deciding it, that a node running its tasks died.</summary>
/// <remarks>
/// A poll sent to a silo that dies gets no answer until its response timeout; rather than wait for
/// it, each link also awaits its node's signal here (<see cref="Lost"/>). While this executor has
/// tasks on the cluster (each holds a pick), one loop asks the management grain for the membership
/// every <see cref="Interval"/>; a silo that the table calls <see cref="SiloStatus.Dead"/> is lost.
/// The same read lists the active nodes, among which <see cref="TryPick"/> chooses the one with the
/// fewest of this executor's tasks (placement by the client, so that tasks spread evenly and a link
/// grain's node is known from its key). The loop stops when nothing is picked.
/// </remarks>
internal sealed class NodeWatcher(IClusterClient client)
{
    /// <summary>Between two membership reads. Shorter finds a death sooner and costs one small call each time.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(250);

    /// <summary>A membership read that takes longer is abandoned (its silo may be the one that died) and tried again.</summary>
    private static readonly TimeSpan ReadTimeout = TimeSpan.FromSeconds(2);

    private readonly object _lock = new();

    /// <summary>The signal of each silo a link asked about (<see cref="Lost"/>), e.g. <c>{"127.0.0.1:11111@1": tcs}</c>; completed when the silo is declared dead. Guarded by <see cref="_lock"/>.</summary>
    private readonly Dictionary<string, TaskCompletionSource> _signals = new(StringComparer.Ordinal);

    /// <summary>Silos that calls could not be delivered to, since when (Stopwatch ticks), e.g. <c>{"127.0.0.1:11111@1": 1234}</c>. Guarded by <see cref="_lock"/>.</summary>
    private readonly Dictionary<string, long> _suspects = new(StringComparer.Ordinal);

    /// <summary>How long a silo that refused a delivery is picked only when every node is suspect: long enough for the cluster to declare a dead one with default timings.</summary>
    private static readonly TimeSpan SuspectFor = TimeSpan.FromSeconds(30);

    /// <summary>Silos known to be dead. Guarded by <see cref="_lock"/>.</summary>
    private readonly HashSet<string> _dead = new(StringComparer.Ordinal);

    /// <summary>Whether the loop runs. Guarded by <see cref="_lock"/>.</summary>
    private bool _running;

    /// <summary>Active silos, as of the last read. Guarded by <see cref="_lock"/>.</summary>
    private string[] _active = [];

    /// <summary>This executor's tasks per node, e.g. <c>{"127.0.0.1:11111@1": 4}</c>. Guarded by <see cref="_lock"/>.</summary>
    private readonly Dictionary<string, int> _load = new(StringComparer.Ordinal);

    /// <summary>Completes at the first read after the loop (re)started. Guarded by <see cref="_lock"/>.</summary>
    private TaskCompletionSource _fresh = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>How long a pick waits for a first membership read before it lets Orleans place the task.</summary>
    private static readonly TimeSpan FirstReadTimeout = TimeSpan.FromSeconds(5);

    /// <summary>Rotates among equally loaded nodes.</summary>
    private int _next;

    /// <summary>When the membership was last read (Stopwatch ticks); 0 before the first read. Guarded by <see cref="_lock"/>.</summary>
    private long _lastRead;

    /// <summary>Whether one read was asked for with nothing watched or picked (<see cref="LiveNodes"/>). Guarded by <see cref="_lock"/>.</summary>
    private bool _refresh;

    /// <summary>A read older than this is not trusted to pick a node without waiting for the next one.</summary>
    /// <remarks>Picking from a read a little out of date is harmless: a task grain keyed with a node that has left is placed on another node, and Start names the node it reached.</remarks>
    private static readonly TimeSpan PickFromReadWithin = TimeSpan.FromSeconds(5);

    /// <summary>Active nodes as of the last membership read; asks for a new read (without waiting) when that one is older than <see cref="Interval"/> and the loop is idle.</summary>
    public int LiveNodes
    {
        get
        {
            int count;
            bool read;
            lock (_lock)
            {
                count = _active.Length;
                read = !_running && (_lastRead == 0 || System.Diagnostics.Stopwatch.GetElapsedTime(_lastRead) > Interval);
                if (read) _refresh = true;
            }
            if (read) EnsureRunning();
            return count;
        }
    }

    /// <summary>The node for a new task, at once, from a recent membership read; false when there is none (then <see cref="PickAsync"/>). Pair with <see cref="Unpick"/>.</summary>
    public bool TryPick(out string silo)
    {
        lock (_lock)
        {
            if (_active.Length == 0 || _lastRead == 0 || System.Diagnostics.Stopwatch.GetElapsedTime(_lastRead) >= PickFromReadWithin)
            {
                silo = "";
                return false;
            }
            silo = Pick_NeedsLock();
        }
        EnsureRunning();
        return true;
    }

    /// <summary>The node for a new task: the active node with the fewest of this executor's tasks; "" when none is known (Orleans then places it). Pair with <see cref="Unpick"/>.</summary>
    public async Task<string> PickAsync()
    {
        Task fresh;
        lock (_lock)
        {
            // A recent read will do: waiting for the next one costs a call to the cluster.
            fresh = _lastRead != 0 && System.Diagnostics.Stopwatch.GetElapsedTime(_lastRead) < PickFromReadWithin ? Task.CompletedTask : _fresh.Task;
            _load[""] = _load.GetValueOrDefault("") + 1; // keeps the loop alive while we wait
        }
        EnsureRunning();
        if (!fresh.IsCompleted)
        {
            try
            {
                await fresh.WaitAsync(FirstReadTimeout).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                // No membership read yet (the cluster may be unreachable): the first Submit will tell.
            }
        }
        lock (_lock)
        {
            Unpick_NeedsLock("");
            return Pick_NeedsLock();
        }
    }

    /// <summary>Chooses among the active nodes the least loaded one that is not suspect (all of them when every one is), rotating among equals, and counts the pick.</summary>
    private string Pick_NeedsLock()
    {
        System.Diagnostics.Debug.Assert(Monitor.IsEntered(_lock));
        string best = "";
        int bestLoad = int.MaxValue;
        bool bestSuspect = true;
        for (int i = 0; i < _active.Length; i++)
        {
            string silo = _active[(_next + i) % _active.Length];
            int load = _load.GetValueOrDefault(silo);
            bool suspect = _suspects.TryGetValue(silo, out long since) && System.Diagnostics.Stopwatch.GetElapsedTime(since) < SuspectFor;
            if ((bestSuspect && !suspect) || (suspect == bestSuspect && load < bestLoad))
            {
                best = silo;
                bestLoad = load;
                bestSuspect = suspect;
            }
        }
        _next++;
        _load[best] = _load.GetValueOrDefault(best) + 1;
        return best;
    }

    /// <summary>Ends one pick of <paramref name="silo"/>.</summary>
    public void Unpick(string silo)
    {
        lock (_lock) Unpick_NeedsLock(silo);
    }

    private void Unpick_NeedsLock(string silo)
    {
        System.Diagnostics.Debug.Assert(Monitor.IsEntered(_lock));
        int load = _load.GetValueOrDefault(silo) - 1;
        if (load <= 0) _load.Remove(silo);
        else _load[silo] = load;
    }

    /// <summary>Calls could not be delivered to <paramref name="silo"/>: pick others for <see cref="SuspectFor"/>, unless every node is suspect, while the cluster decides.</summary>
    public void Suspect(string silo)
    {
        lock (_lock) _suspects[silo] = System.Diagnostics.Stopwatch.GetTimestamp();
    }

    private void EnsureRunning()
    {
        lock (_lock)
        {
            if (_running) return;
            _running = true;
        }
        _ = Task.Run(LoopAsync);
    }

    /// <summary>A task that completes when <paramref name="silo"/> is declared dead. The loop reads the membership while this executor has tasks on the cluster (they are picks), so a silo that runs some is watched.</summary>
    public Task Lost(string silo)
    {
        lock (_lock)
        {
            if (_dead.Contains(silo)) return Task.CompletedTask;
            if (!_signals.TryGetValue(silo, out TaskCompletionSource? signal))
            {
                signal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                _signals[silo] = signal;
            }
            return signal.Task;
        }
    }

    /// <summary>The key of the management grain the loop reads, moved on after a read that failed. Touched by the loop only.</summary>
    /// <remarks>
    /// A client sends all calls to one grain through one gateway. When that gateway is cut off (its
    /// connection stalls without a reset until the cluster declares it dead), every read through it
    /// times out; another key is another grain, routed through the next gateway.
    /// </remarks>
    private long _managementKey;

    private async Task LoopAsync()
    {
        while (true)
        {
            lock (_lock)
            {
                if (_load.Count == 0 && !_refresh)
                {
                    _running = false;
                    _fresh = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                    return;
                }
            }
            Dictionary<SiloAddress, SiloStatus>? hosts = null;
            try
            {
                hosts = await client.GetGrain<IManagementGrain>(_managementKey).GetHosts(onlyActive: false).WaitAsync(ReadTimeout).ConfigureAwait(false);
            }
            catch (Exception)
            {
                // The silo that answered for the management grain may be the one that died, or the
                // gateway on the way may be cut off: read again, through another grain.
                _managementKey++;
            }
            if (hosts is not null) Update(hosts);
            lock (_lock) _refresh = false;
            await Task.Delay(Interval).ConfigureAwait(false);
        }
    }

    private void Update(Dictionary<SiloAddress, SiloStatus> hosts)
    {
        // Only a silo the table calls Dead is lost: one missing from it may have joined after the
        // answering silo's last read of the table (dead silos stay in the table for days).
        var dead = new HashSet<string>(StringComparer.Ordinal);
        var active = new List<string>();
        foreach (var (address, status) in hosts)
        {
            if (status == SiloStatus.Dead) dead.Add(address.ToParsableString());
            else if (status == SiloStatus.Active) active.Add(address.ToParsableString());
        }
        List<TaskCompletionSource>? lost = null;
        TaskCompletionSource fresh;
        lock (_lock)
        {
            _active = [.. active];
            _lastRead = System.Diagnostics.Stopwatch.GetTimestamp();
            fresh = _fresh;
            foreach (var (silo, signal) in _signals)
            {
                if (!dead.Contains(silo) || !_dead.Add(silo)) continue;
                (lost ??= []).Add(signal);
            }
        }
        // Outside the lock: completing a signal is calling out, even with asynchronous continuations.
        if (lost is not null) foreach (TaskCompletionSource signal in lost) signal.TrySetResult();
        fresh.TrySetResult();
    }
}
