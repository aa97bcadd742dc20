namespace Futures.Tests;

public class ThreadPoolMetricsTests : TestBase
{
    private static string UniqueName() => $"metrics-{Guid.NewGuid():N}";

    [Fact]
    public void QueueDepth_BlockedPoolWithQueuedTasks_ReportsThem()
    {
        string name = UniqueName();
        using var metrics = new MetricsCollector(name);
        using var started = new ManualResetEventSlim();
        using var gate = new ManualResetEventSlim();
        using var executor = new ThreadPoolExecutor(maxWorkers: 1, name: name);
        var blocker = executor.Submit(() => { started.Set(); gate.Wait(UnexpectedTimeout); });
        started.Wait(UnexpectedTimeout).Should().BeTrue();
        var queued = Enumerable.Range(0, 5).Select(_ => executor.Submit(static () => { })).ToList();

        metrics.Observe("futures.queue.depth").Should().Be(5);
        metrics.Observe("futures.workers.busy").Should().Be(1);
        metrics.Observe("futures.workers.live").Should().Be(1);

        gate.Set();
        Future.Wait(queued.Append(blocker), UnexpectedTimeout).NotDone.Should().BeEmpty();
    }

    [Fact]
    public void TasksCompleted_TaggedByOutcome()
    {
        string name = UniqueName();
        using var metrics = new MetricsCollector(name);
        using var gate = new ManualResetEventSlim();
        using var started = new ManualResetEventSlim();
        var executor = new ThreadPoolExecutor(maxWorkers: 1, name: name);
        var blocker = executor.Submit(() => { started.Set(); gate.Wait(UnexpectedTimeout); });
        started.Wait(UnexpectedTimeout).Should().BeTrue();
        var ok = executor.Submit(static () => 1);
        var failing = executor.Submit(static () => throw new InvalidOperationException("boom"));
        var cancelled = executor.Submit(static () => 2);
        cancelled.Cancel().Should().BeTrue();
        gate.Set();
        executor.Shutdown(wait: true);

        metrics.Sum("futures.tasks.completed", "result").Should().Be(2); // the blocker and ok
        metrics.Sum("futures.tasks.completed", "exception").Should().Be(1);
        metrics.Sum("futures.tasks.completed", "cancelled").Should().Be(1);
        metrics.Count("futures.task.queue_time").Should().Be(3);
        metrics.Count("futures.task.run_time").Should().Be(3);
        metrics.Sum("futures.workers.started").Should().Be(1);
        ok.Result().Should().Be(1);
        failing.Exception().Should().BeOfType<InvalidOperationException>();
    }

    [Fact]
    public void TasksCompleted_BrokenByInitializer_CountedAsBroken()
    {
        string name = UniqueName();
        using var metrics = new MetricsCollector(name);
        using var release = new ManualResetEventSlim();
        var executor = new ThreadPoolExecutor(maxWorkers: 1, name: name,
            initializer: () => { release.Wait(UnexpectedTimeout); throw new InvalidOperationException("init"); });
        var futures = Enumerable.Range(0, 3).Select(_ => executor.Submit(static () => 1)).ToList();
        release.Set();
        Future.Wait(futures, UnexpectedTimeout).NotDone.Should().BeEmpty();
        executor.Shutdown();
        metrics.Sum("futures.tasks.completed", "broken").Should().Be(3);
    }

    [Fact]
    public void ToString_DescribesExecutor()
    {
        var executor = new ThreadPoolExecutor(maxWorkers: 3, name: "tostring-pool");
        executor.ToString().Should().Be("ThreadPoolExecutor(name=tostring-pool, threads=0/3, queued=0)");
        executor.Shutdown();
        executor.ToString().Should().Be("ThreadPoolExecutor(name=tostring-pool, threads=0/3, queued=0, shut down)");
    }
}
