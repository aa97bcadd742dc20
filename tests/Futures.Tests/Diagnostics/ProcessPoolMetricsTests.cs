using System.Diagnostics;

namespace Futures.Tests;

/// <summary>The process pool's instruments in scripted scenarios (issue 6): gauges, outcomes, times, workers started and replaced.</summary>
[Collection("ProcessPool")]
public sealed class ProcessPoolMetricsTests : ProcessTestBase
{
    private static string UniqueName() => $"procmetrics-{Guid.NewGuid():N}";

    /// <summary>The sum of <paramref name="instrument"/>'s measurements whose <paramref name="tag"/> is <paramref name="value"/>.</summary>
    private static double SumTagged(MetricsCollector metrics, string instrument, string tag, string value) =>
        metrics.Measurements.Where(m => m.Instrument == instrument && Equals(m.Tags.GetValueOrDefault(tag), value)).Sum(m => m.Value);

    [Fact]
    public void QueueDepth_BlockedPoolWithQueuedCalls_ReportsThem()
    {
        string name = UniqueName();
        using var metrics = new MetricsCollector(name);
        var pool = NewPool(maxWorkers: 1, name: name);
        Future<int> blocker = pool.Submit(ProcessTasks.SlowPid, 60_000); // ended by KillWorkers below
        Future<int> extra = pool.Submit(ProcessTasks.Pid);               // the one call queued behind the busy worker
        ProcessPoolExecutorTests.WaitUntilRunning(extra);
        var queued = Enumerable.Range(0, 5).Select(_ => pool.Submit(ProcessTasks.Pid)).ToList();

        metrics.Observe("futures.queue.depth").Should().Be(5, "calls not yet handed to a worker");
        WaitUntil(() => metrics.Observe("futures.workers.busy") == 1, "one busy worker");
        metrics.Observe("futures.workers.live").Should().Be(1);
        pool.ToString().Should().Be($"ProcessPoolExecutor(name={name}, workers=1/1/1, queued=5)");
        metrics.Measurements.Should().Contain(m => m.Instrument == "futures.queue.depth" && Equals(m.Tags["futures.executor.kind"], "process"));

        pool.KillWorkers();
        blocker.Exception(UnexpectedTimeout).Should().BeOfType<BrokenProcessPoolException>();
        extra.Exception(UnexpectedTimeout).Should().BeOfType<BrokenProcessPoolException>();
        queued.Should().OnlyContain(f => f.Cancelled());
        metrics.Sum("futures.tasks.completed", "cancelled").Should().Be(5);
        metrics.Sum("futures.tasks.completed", "broken").Should().Be(2);
        metrics.Sum("futures.workers.replaced").Should().Be(0, "a killed pool replaces nothing");
        pool.ToString().Should().EndWith("queued=0, broken)", "killing running workers breaks the pool, as in CPython");
    }

    [Fact]
    public void TasksCompleted_TaggedByOutcome_WithQueueAndRunTimes()
    {
        string name = UniqueName();
        using var metrics = new MetricsCollector(name);
        var pool = NewPool(maxWorkers: 1, name: name);
        pool.Submit(ProcessTasks.Square, 3).Result(UnexpectedTimeout).Should().Be(9);
        pool.Submit(ProcessTasks.Throw, "boom").Exception(UnexpectedTimeout).Should().BeOfType<InvalidOperationException>();
        pool.Submit(static (Unserializable u) => 1, new Unserializable()).Exception(UnexpectedTimeout)
            .Should().BeOfType<InvalidOperationException>("the argument failed to serialize in the parent");

        metrics.Sum("futures.tasks.completed", "result").Should().Be(1);
        metrics.Sum("futures.tasks.completed", "exception").Should().Be(2);
        metrics.Count("futures.task.queue_time").Should().Be(2, "the call that never left Submit was not queued");
        metrics.Count("futures.task.run_time").Should().Be(2);
        metrics.Measurements.Where(m => m.Instrument is "futures.task.queue_time" or "futures.task.run_time")
            .Should().OnlyContain(m => m.Value >= 0 && m.Value < UnexpectedTimeout.TotalSeconds);
        metrics.Sum("futures.workers.started").Should().Be(1);
    }

    [Fact]
    public void WorkersReplaced_CrashWithReplaceWorker_CountsOneWithReasonCrash()
    {
        string name = UniqueName();
        using var metrics = new MetricsCollector(name);
        var pool = NewPool(maxWorkers: 1, workerCrashMode: WorkerCrashMode.ReplaceWorker, name: name);
        int pid = pool.Submit(ProcessTasks.Pid).Result(UnexpectedTimeout);
        pool.Submit(ProcessTasks.Exit, 3).Exception(UnexpectedTimeout).Should().BeOfType<BrokenProcessPoolException>();

        metrics.Sum("futures.workers.replaced").Should().Be(1);
        SumTagged(metrics, "futures.workers.replaced", "futures.worker.replace_reason", "crash").Should().Be(1);
        metrics.Sum("futures.tasks.completed", "broken").Should().Be(1);

        pool.Submit(ProcessTasks.Pid).Result(UnexpectedTimeout).Should().NotBe(pid);
        metrics.Sum("futures.workers.started").Should().Be(2);
        metrics.Sum("futures.workers.replaced").Should().Be(1);
    }

    [Fact]
    public void WorkersReplaced_TaskTimeout_CountsOneWithReasonTaskTimeout_OutcomeTimedOut()
    {
        string name = UniqueName();
        using var metrics = new MetricsCollector(name);
        var pool = NewPool(maxWorkers: 1, taskTimeout: TimeSpan.FromSeconds(1), name: name);
        int pid = pool.Submit(ProcessTasks.Pid).Result(UnexpectedTimeout);
        pool.Submit(ProcessTasks.SlowPid, 60_000).Exception(UnexpectedTimeout).Should().BeOfType<TimeoutException>();

        metrics.Sum("futures.workers.replaced").Should().Be(1);
        SumTagged(metrics, "futures.workers.replaced", "futures.worker.replace_reason", "task_timeout").Should().Be(1);
        metrics.Sum("futures.tasks.completed", "timed_out").Should().Be(1);
        metrics.Sum("futures.tasks.completed", "broken").Should().Be(0);

        pool.Submit(ProcessTasks.Pid).Result(UnexpectedTimeout).Should().NotBe(pid);
        metrics.Sum("futures.workers.replaced").Should().Be(1, "the killed worker's exit is not counted again");
    }

    [Fact]
    public void WorkersReplaced_MaxTasksPerChild_CountsEachRetirement()
    {
        string name = UniqueName();
        using var metrics = new MetricsCollector(name);
        var pool = NewPool(maxWorkers: 1, maxTasksPerChild: 2, name: name);
        var pids = Enumerable.Range(0, 4).Select(_ => pool.Submit(ProcessTasks.Pid)).ToList().Select(f => f.Result(UnexpectedTimeout)).ToList();

        pids.Distinct().Should().HaveCount(2);
        SumTagged(metrics, "futures.workers.replaced", "futures.worker.replace_reason", "max_tasks_per_child").Should().Be(2,
            "each worker retires after its second call");
        metrics.Sum("futures.workers.replaced").Should().Be(2);
        metrics.Sum("futures.workers.started").Should().Be(2);
        metrics.Sum("futures.tasks.completed", "result").Should().Be(4);
    }

    [Fact]
    public void Gauges_AfterShutdown_PoolNoLongerReported()
    {
        string name = UniqueName();
        using var metrics = new MetricsCollector(name);
        var pool = NewPool(maxWorkers: 1, name: name);
        pool.Submit(ProcessTasks.Pid).Result(UnexpectedTimeout);
        WaitUntil(() => metrics.Observe("futures.workers.live") == 1, "one live worker");
        pool.Shutdown(wait: true);
        double.IsNaN(metrics.Observe("futures.workers.live")).Should().BeTrue("a pool whose workers are gone is unregistered");
    }

    [Fact]
    public void ToString_DescribesPool_AndIsTheDebuggerDisplay()
    {
        var pool = NewPool(maxWorkers: 3, name: "tostring-procpool");
        pool.ToString().Should().Be("ProcessPoolExecutor(name=tostring-procpool, workers=0/0/3, queued=0)");
        pool.Shutdown();
        pool.ToString().Should().Be("ProcessPoolExecutor(name=tostring-procpool, workers=0/0/3, queued=0, shut down)");
        typeof(ProcessPoolExecutor).GetCustomAttributes(typeof(DebuggerDisplayAttribute), inherit: false)
            .Cast<DebuggerDisplayAttribute>().Single().Value.Should().Be("{ToString(),nq}");

        var broken = NewPool(maxWorkers: 1, initializer: ProcessPoolFaultTests.FailingInitializer, name: "broken-procpool");
        broken.Submit(ProcessTasks.Pid).Exception(UnexpectedTimeout).Should().BeOfType<BrokenProcessPoolException>();
        broken.ToString().Should().StartWith("ProcessPoolExecutor(name=broken-procpool, workers=").And.EndWith("queued=0, broken)");
    }
}
