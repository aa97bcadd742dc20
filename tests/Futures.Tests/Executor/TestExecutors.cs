using System.Collections.Concurrent;

namespace Futures.Tests;

/// <summary>
/// A custom executor that overrides only <c>Schedule</c> and <c>Shutdown</c>, as the contract
/// promises is enough: each call runs at once on the scheduling thread. Counts the items scheduled.
/// </summary>
internal sealed class InlineExecutor : Executor
{
    private int _scheduled;

    /// <summary>Called with each item before it runs (the check of a test).</summary>
    public Action<WorkItem>? OnSchedule { get; init; }

    public int ScheduledCount => Volatile.Read(ref _scheduled);

    public List<WorkItem> Items { get; } = [];

    public bool ShutdownCalled { get; private set; }

    protected override void Schedule(WorkItem item)
    {
        Interlocked.Increment(ref _scheduled);
        lock (Items) Items.Add(item);
        OnSchedule?.Invoke(item);
        item.Run();
    }

    public override void Shutdown(bool wait = true, bool cancelFutures = false)
    {
        ShutdownCalled = true;
        base.Shutdown(wait, cancelFutures);
    }
}

/// <summary>
/// A custom executor that overrides only <c>Schedule</c> and <c>Shutdown</c>: each call runs on a
/// new dedicated thread; Shutdown(wait) joins them and Shutdown(cancelFutures) cancels those not started.
/// Good enough to pass the whole executor contract suite.
/// </summary>
internal sealed class ThreadPerItemExecutor : Executor
{
    private readonly List<Thread> _threads = [];
    private readonly List<WorkItem> _items = [];

    protected override void Schedule(WorkItem item)
    {
        var thread = new Thread(static s => ((WorkItem)s!).Run()) { IsBackground = true, Name = "ThreadPerItem" };
        lock (_threads)
        {
            _threads.Add(thread);
            _items.Add(item);
        }
        thread.Start(item);
    }

    public override void Shutdown(bool wait = true, bool cancelFutures = false)
    {
        base.Shutdown(wait, cancelFutures);
        Thread[] threads;
        lock (_threads)
        {
            threads = [.. _threads];
            if (cancelFutures)
            {
                foreach (WorkItem item in _items) item.Future.Cancel();
            }
        }
        if (!wait) return;
        foreach (Thread t in threads) t.Join();
    }
}

/// <summary>
/// A custom executor that only queues: the test decides when each call runs
/// (<see cref="RunNext"/>), so the order of submissions and completions is fully deterministic.
/// </summary>
internal sealed class ManualExecutor : Executor
{
    private readonly BlockingCollection<WorkItem> _queue = [];
    private int _scheduled;

    /// <summary>Called with each item as it is scheduled, on the scheduling thread.</summary>
    public Action<WorkItem>? OnSchedule { get; init; }

    public int ScheduledCount => Volatile.Read(ref _scheduled);

    public int Pending => _queue.Count;

    /// <summary>Every item scheduled, in order.</summary>
    public List<WorkItem> Items { get; } = [];

    protected override void Schedule(WorkItem item)
    {
        Interlocked.Increment(ref _scheduled);
        OnSchedule?.Invoke(item);
        lock (Items) Items.Add(item);
        _queue.Add(item);
    }

    /// <summary>Takes the next scheduled item (waiting up to <paramref name="timeout"/> for one) and runs it here.</summary>
    public WorkItem RunNext(TimeSpan timeout)
    {
        if (!_queue.TryTake(out WorkItem? item, timeout)) throw new TimeoutException("no work item was scheduled");
        item.Run();
        return item;
    }

    /// <summary>Runs every item scheduled so far.</summary>
    public void RunAll()
    {
        while (_queue.TryTake(out WorkItem? item)) item.Run();
    }

    public override void Shutdown(bool wait = true, bool cancelFutures = false)
    {
        base.Shutdown(wait, cancelFutures);
        if (cancelFutures)
        {
            foreach (WorkItem item in _queue) item.Future.Cancel();
        }
        // "wait" means the submitted work has run: run what is left (cancelled items just return).
        if (wait) RunAll();
    }
}
