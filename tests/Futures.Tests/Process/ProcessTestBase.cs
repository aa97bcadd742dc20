using System.Diagnostics;

namespace Futures.Tests;

/// <summary>Shared helpers of the process-pool tests: every child a test starts must be gone when it ends.</summary>
public abstract class ProcessTestBase : TestBase, IDisposable
{
    /// <summary>Pools made by <see cref="NewPool"/>; shut down and checked at the end of the test.</summary>
    private readonly List<ProcessPoolExecutor> _pools = new();

    /// <summary>Pids started directly by a test (not by a pool).</summary>
    protected List<int> ExtraPids { get; } = new();

    /// <summary>A pool that this test owns: at the end it is shut down and all its children must be gone.</summary>
    protected ProcessPoolExecutor NewPool(int? maxWorkers = 1, Action? initializer = null, int? maxTasksPerChild = null,
        int? maxQueueSize = null, QueueFullMode queueFullMode = QueueFullMode.Wait, TimeSpan? taskTimeout = null,
        WorkerCrashMode workerCrashMode = WorkerCrashMode.BreakPool, string? name = null)
    {
        var pool = new ProcessPoolExecutor(maxWorkers, initializer, maxTasksPerChild, maxQueueSize, queueFullMode, taskTimeout, workerCrashMode, name);
        _pools.Add(pool);
        return pool;
    }

    /// <summary>
    /// Asserts that a call submitted to a pool that is breaking fails with <see cref="BrokenProcessPoolException"/>:
    /// either Submit throws it (the break came first) or the future fails with it.
    /// </summary>
    protected static void AssertBrokenOnSubmit(Func<Future> submit)
    {
        Future f;
        try
        {
            f = submit();
        }
        catch (BrokenProcessPoolException)
        {
            return;
        }
        f.Exception(UnexpectedTimeout).Should().BeOfType<BrokenProcessPoolException>();
    }

    /// <summary>Whether process <paramref name="pid"/> still exists (a zombie counts: it would not be reaped).</summary>
    protected static bool ProcessExists(int pid) => Directory.Exists($"/proc/{pid}");

    /// <summary>Asserts that every child of <paramref name="pool"/> is gone now.</summary>
    protected static void AssertNoChildren(ProcessPoolExecutor pool)
    {
        int[] pids;
        lock (pool.StartedPids) pids = pool.StartedPids.ToArray();
        pids.Where(ProcessExists).Should().BeEmpty("no worker may outlive Shutdown(wait: true)");
    }

    /// <summary>Waits (guarded) until process <paramref name="pid"/> is gone.</summary>
    protected static void WaitUntilGone(int pid)
    {
        var clock = Stopwatch.StartNew();
        while (ProcessExists(pid))
        {
            if (clock.Elapsed > UnexpectedTimeout) throw new TimeoutException($"process {pid} is still there");
            Thread.Sleep(20); // polling a condition no event reports: /proc
        }
    }

    /// <summary>Waits (guarded) until <paramref name="condition"/> holds, for state that no event reports (a gauge the manager publishes, /proc).</summary>
    protected static void WaitUntil(Func<bool> condition, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed > UnexpectedTimeout) throw new TimeoutException($"never true: {what}");
            Thread.Sleep(5); // polling a condition no event reports
        }
    }

    public virtual void Dispose()
    {
        foreach (ProcessPoolExecutor pool in _pools)
        {
            pool.Shutdown(wait: true, cancelFutures: true);
            AssertNoChildren(pool);
        }
        foreach (int pid in ExtraPids) WaitUntilGone(pid);
        GC.SuppressFinalize(this);
    }
}
