using System.Runtime.CompilerServices;

namespace Futures.Tests;

/// <summary>
/// Contract v2: a ThreadPoolExecutor that is never shut down and no longer referenced lets its idle
/// workers end (CPython's workers hold the executor weakly and wake when it is collected); the
/// work it accepted still runs. Synchronised by the collector itself (collect until the weak
/// reference dies, then the finalizer has run) and by events, never by sleeping.
/// </summary>
public sealed class ThreadPoolCollectedTests : TestBase
{
    [Fact]
    public void Unreferenced_IdleWorkers_EndOnceTheExecutorIsCollected()
    {
        (WeakReference executor, Thread[] workers) = UseAndForget();

        CollectUntilDead(executor).Should().BeTrue("nothing but the test's weak reference refers to the executor; its idle workers must not keep it alive");
        foreach (Thread worker in workers)
        {
            worker.Join(UnexpectedTimeout).Should().BeTrue($"idle worker '{worker.Name}' should end once its executor is gone");
        }
    }

    [Fact]
    public void Unreferenced_WorkAcceptedStillRuns_ThenTheWorkersEnd()
    {
        using var release = new ManualResetEventSlim();
        using var started = new ManualResetEventSlim();
        (WeakReference executor, Future<int> running, Future<int> queued, Func<Thread[]> workers) = SubmitAndForget(started, release);
        started.Wait(UnexpectedTimeout).Should().BeTrue();

        CollectUntilDead(executor).Should().BeTrue("a running call does not keep its executor alive");
        running.Done().Should().BeFalse();
        release.Set();

        running.Result(UnexpectedTimeout).Should().Be(1);
        queued.Result(UnexpectedTimeout).Should().Be(2, "a call accepted before the executor was collected still runs");
        foreach (Thread worker in workers())
        {
            worker.Join(UnexpectedTimeout).Should().BeTrue($"worker '{worker.Name}' should end once the accepted work is done");
        }
    }

    /// <summary>Uses a pool (two workers, both idle afterwards) and returns only a weak reference to it.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static (WeakReference, Thread[]) UseAndForget()
    {
        var pool = new ThreadPoolExecutor(maxWorkers: 2);
        using var both = new Barrier(2);
        Future<int>[] fs = [pool.Submit(() => both.SignalAndWait(UnexpectedTimeout) ? 1 : 0), pool.Submit(() => both.SignalAndWait(UnexpectedTimeout) ? 1 : 0)];
        fs.Sum(f => f.Result(UnexpectedTimeout)).Should().Be(2);
        pool.ThreadCount.Should().Be(2);
        return (new WeakReference(pool), pool.Threads);
    }

    /// <summary>Submits a call that waits for <paramref name="release"/> and one queued behind it (one worker), and forgets the pool.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static (WeakReference, Future<int>, Future<int>, Func<Thread[]>) SubmitAndForget(ManualResetEventSlim started, ManualResetEventSlim release)
    {
        var pool = new ThreadPoolExecutor(maxWorkers: 1);
        Future<int> running = pool.Submit(() =>
        {
            started.Set();
            release.Wait(UnexpectedTimeout);
            return 1;
        });
        Future<int> queued = pool.Submit(static () => 2);
        ThreadPoolCore core = pool.Core; // the workers' side, which outlives the executor by design
        return (new WeakReference(pool), running, queued, () => core.Threads);
    }

    /// <summary>Collects (and runs finalizers) until <paramref name="target"/> is dead; a bounded number of rounds.</summary>
    private static bool CollectUntilDead(WeakReference target)
    {
        for (int i = 0; i < 20 && target.IsAlive; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }
        GC.Collect();
        GC.WaitForPendingFinalizers(); // the executor's finalizer releases its core
        return !target.IsAlive;
    }
}
