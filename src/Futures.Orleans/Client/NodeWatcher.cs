using Orleans;
using Orleans.Runtime;

namespace Futures.Orleans.Client;

/// <summary>Tells the executor, within a fraction of a second of the cluster deciding it, that a node running its tasks died.</summary>
/// <remarks>
/// A poll sent to a silo that dies gets no answer until its response timeout; rather than wait for
/// it, each running task also awaits its node's signal here. While any node is watched, one loop asks
/// the management grain for the membership every <see cref="Interval"/>; a watched silo that the table calls
/// <see cref="SiloStatus.Dead"/> is lost. The loop stops when nothing is watched.
/// </remarks>
internal sealed class NodeWatcher(IClusterClient client)
{
    /// <summary>Between two membership reads. Shorter finds a death sooner and costs one small call each time.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(250);

    /// <summary>A membership read that takes longer is abandoned (its silo may be the one that died) and tried again.</summary>
    private static readonly TimeSpan ReadTimeout = TimeSpan.FromSeconds(2);

    private readonly object _lock = new();

    /// <summary>Watched silos: the signal of each and how many tasks watch it, e.g. <c>{"127.0.0.1:11111@1": (tcs, 3)}</c>. Guarded by <see cref="_lock"/>.</summary>
    private readonly Dictionary<string, (TaskCompletionSource Lost, int Count)> _watched = new(StringComparer.Ordinal);

    /// <summary>Silos known to be dead. Guarded by <see cref="_lock"/>.</summary>
    private readonly HashSet<string> _dead = new(StringComparer.Ordinal);

    /// <summary>Whether the loop runs. Guarded by <see cref="_lock"/>.</summary>
    private bool _running;

    /// <summary>A task that completes when <paramref name="silo"/> is lost; pair with <see cref="Unwatch"/>.</summary>
    public Task Watch(string silo)
    {
        bool start;
        Task lost;
        lock (_lock)
        {
            if (_dead.Contains(silo)) return Task.CompletedTask;
            if (!_watched.TryGetValue(silo, out var entry)) entry = (new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously), 0);
            _watched[silo] = (entry.Lost, entry.Count + 1);
            lost = entry.Lost.Task;
            start = !_running;
            _running = true;
        }
        if (start) _ = Task.Run(LoopAsync);
        return lost;
    }

    /// <summary>Ends one <see cref="Watch"/> of <paramref name="silo"/>.</summary>
    public void Unwatch(string silo)
    {
        lock (_lock)
        {
            if (!_watched.TryGetValue(silo, out var entry)) return;
            if (entry.Count <= 1) _watched.Remove(silo);
            else _watched[silo] = (entry.Lost, entry.Count - 1);
        }
    }

    private async Task LoopAsync()
    {
        var management = client.GetGrain<IManagementGrain>(0);
        while (true)
        {
            lock (_lock)
            {
                if (_watched.Count == 0)
                {
                    _running = false;
                    return;
                }
            }
            Dictionary<SiloAddress, SiloStatus>? hosts = null;
            try
            {
                hosts = await management.GetHosts(onlyActive: false).WaitAsync(ReadTimeout).ConfigureAwait(false);
            }
            catch (Exception)
            {
                // The silo that answered for the management grain may be the one that died: read again.
            }
            if (hosts is not null) Update(hosts);
            await Task.Delay(Interval).ConfigureAwait(false);
        }
    }

    private void Update(Dictionary<SiloAddress, SiloStatus> hosts)
    {
        // Only a silo the table calls Dead is lost: one missing from it may have joined after the
        // answering silo's last read of the table (dead silos stay in the table for days).
        var dead = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (address, status) in hosts)
        {
            if (status == SiloStatus.Dead) dead.Add(address.ToParsableString());
        }
        List<TaskCompletionSource>? lost = null;
        lock (_lock)
        {
            foreach (var (silo, entry) in _watched)
            {
                if (!dead.Contains(silo)) continue;
                _dead.Add(silo);
                (lost ??= []).Add(entry.Lost);
            }
        }
        // Outside the lock: completing a signal is calling out, even with asynchronous continuations.
        if (lost is not null) foreach (TaskCompletionSource signal in lost) signal.TrySetResult();
    }
}
