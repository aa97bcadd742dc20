using System.Collections.Concurrent;
using System.Text.RegularExpressions;

namespace Futures.Tests;

/// <summary>
/// What only the thread pool does (CPython's <c>ThreadPoolExecutorTest</c> and <c>ThreadPoolShutdownTest</c>):
/// worker threads, their names and number, and Shutdown's effect on them.
/// </summary>
public sealed class ThreadPoolExecutorTests : TestBase
{
    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void Ctor_MaxWorkersNotPositive_ThrowsArgumentOutOfRange(int maxWorkers) // test_max_workers_negative
    {
        Action act = () => _ = new ThreadPoolExecutor(maxWorkers);
        act.Should().Throw<ArgumentOutOfRangeException>().WithMessage("max_workers must be greater than 0*").WithParameterName("maxWorkers");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void Ctor_MaxQueueSizeNotPositive_ThrowsArgumentOutOfRange(int maxQueueSize)
    {
        Action act = () => _ = new ThreadPoolExecutor(2, maxQueueSize: maxQueueSize);
        act.Should().Throw<ArgumentOutOfRangeException>().WithParameterName("maxQueueSize");
    }

    [Fact]
    public void DefaultMaxWorkers_IsPythonsFormula() // test_default_workers
    {
        ThreadPoolExecutor.DefaultMaxWorkers.Should().Be(Math.Min(32, Environment.ProcessorCount + 4));
        using var ex = new ThreadPoolExecutor();
        ex.MaxWorkers.Should().Be(ThreadPoolExecutor.DefaultMaxWorkers);
        using var four = new ThreadPoolExecutor(4);
        four.MaxWorkers.Should().Be(4);
    }

    [Fact]
    public void Name_NotGiven_IsTheThreadNamePrefix()
    {
        using var named = new ThreadPoolExecutor(1, threadNamePrefix: "Special", name: "orders");
        named.Name.Should().Be("orders");
        named.ToString().Should().Contain("orders");
        using var prefixed = new ThreadPoolExecutor(1, threadNamePrefix: "Special");
        prefixed.Name.Should().Be("Special");
        using var plain = new ThreadPoolExecutor(1);
        plain.Name.Should().MatchRegex(@"^ThreadPoolExecutor-\d+$");
    }

    [Fact]
    public void Ctor_NothingSubmitted_StartsNoThread()
    {
        using var ex = new ThreadPoolExecutor(4);
        ex.ThreadCount.Should().Be(0);
    }

    [Fact]
    public void Submit_SequentialWaitedCalls_ReuseOneThread() // test_idle_thread_reuse
    {
        using var ex = new ThreadPoolExecutor();
        ex.Submit(static (int a, int b) => a * b, 21, 2).Result(UnexpectedTimeout).Should().Be(42);
        ex.Submit(static (int a, int b) => a * b, 6, 7).Result(UnexpectedTimeout).Should().Be(42);
        ex.Submit(static (int a, int b) => a * b, 3, 14).Result(UnexpectedTimeout).Should().Be(42);
        ex.ThreadCount.Should().Be(1);
    }

    [Fact]
    public void Submit_ManyBlockedCalls_StartExactlyMaxWorkers() // test_saturation
    {
        using var gate = new ManualResetEventSlim();
        var ex = new ThreadPoolExecutor(maxWorkers: 4);
        var fs = Enumerable.Range(0, 15 * 4).Select(_ => ex.Submit(g => g.Wait(UnexpectedTimeout), gate)).ToList();
        ex.ThreadCount.Should().Be(4);
        gate.Set();
        ex.Shutdown(wait: true);
        fs.Should().OnlyContain(f => f.Done());
        ex.ThreadCount.Should().Be(4);
    }

    [Fact]
    public void Workers_AreDedicatedBackgroundThreads()
    {
        using var ex = new ThreadPoolExecutor(2);
        ex.Submit(static () => (Thread.CurrentThread.IsBackground, Thread.CurrentThread.IsThreadPoolThread))
            .Result(UnexpectedTimeout).Should().Be((true, false));
    }

    [Fact]
    public void ThreadNames_WithPrefix_ArePrefixUnderscoreN() // test_thread_names_assigned
    {
        using var gate = new ManualResetEventSlim();
        using var started = new CountdownEvent(5);
        var ex = new ThreadPoolExecutor(maxWorkers: 5, threadNamePrefix: "SpecialPool");
        var names = new ConcurrentBag<string?>();
        for (int i = 0; i < 5; i++) ex.Submit(() => { names.Add(Thread.CurrentThread.Name); started.Signal(); gate.Wait(UnexpectedTimeout); });
        started.Wait(UnexpectedTimeout).Should().BeTrue();
        gate.Set();
        ex.Shutdown();
        names.Should().BeEquivalentTo(Enumerable.Range(0, 5).Select(n => $"SpecialPool_{n}"));
        ex.Threads.Select(t => t.Name).Should().Equal(Enumerable.Range(0, 5).Select(n => $"SpecialPool_{n}"));
    }

    [Fact]
    public void ThreadNames_Default_AreUniquePerExecutor() // test_thread_names_default
    {
        using var a = new ThreadPoolExecutor(2);
        using var b = new ThreadPoolExecutor(2);
        string? nameA = a.Submit(static () => Thread.CurrentThread.Name).Result(UnexpectedTimeout);
        string? nameB = b.Submit(static () => Thread.CurrentThread.Name).Result(UnexpectedTimeout);
        nameA.Should().MatchRegex(@"^ThreadPoolExecutor-\d+_0$").And.Be($"{a.Name}_0");
        nameB.Should().MatchRegex(@"^ThreadPoolExecutor-\d+_0$").And.NotBe(nameA);
        int ka = int.Parse(Regex.Match(a.Name, @"\d+").Value), kb = int.Parse(Regex.Match(b.Name, @"\d+").Value);
        kb.Should().BeGreaterThan(ka);
    }

    [Fact]
    public void Shutdown_Wait_JoinsEveryWorker() // test_threads_terminate
    {
        using var release = new SemaphoreSlim(0);
        using var started = new CountdownEvent(3);
        var ex = new ThreadPoolExecutor(WorkerCount);
        for (int i = 0; i < 3; i++) ex.Submit(() => { started.Signal(); release.Wait(UnexpectedTimeout); });
        started.Wait(UnexpectedTimeout).Should().BeTrue();
        ex.ThreadCount.Should().Be(3);
        release.Release(3);
        ex.Shutdown();
        ex.Threads.Should().HaveCount(3).And.OnlyContain(t => !t.IsAlive);
    }

    [Fact]
    public void Using_MapThenDispose_JoinsEveryWorker() // test_context_manager_shutdown
    {
        ThreadPoolExecutor executor;
        using (var e = new ThreadPoolExecutor(maxWorkers: 5))
        {
            executor = e;
            e.Map(Math.Abs, Enumerable.Range(-5, 10)).Should().Equal(5, 4, 3, 2, 1, 0, 1, 2, 3, 4);
        }
        executor.Threads.Should().NotBeEmpty().And.OnlyContain(t => !t.IsAlive);
    }

    [Fact]
    public void Shutdown_NoWait_WorkersFinishTheWorkAndExit() // test_shutdown_no_wait
    {
        var executor = new ThreadPoolExecutor(maxWorkers: 5);
        IEnumerable<int> res = executor.Map(static (int x) => { Thread.Sleep(10); return Math.Abs(x); }, Enumerable.Range(-5, 10));
        executor.Shutdown(wait: false);
        foreach (Thread t in executor.Threads) t.Join(UnexpectedTimeout).Should().BeTrue();
        res.Should().Equal(5, 4, 3, 2, 1, 0, 1, 2, 3, 4);
    }

    [Fact]
    public async Task DisposeAsync_AwaitsEveryWorkerExit()
    {
        var ex = new ThreadPoolExecutor(3);
        var fs = Enumerable.Range(0, 10).Select(i => ex.Submit(static (int ms) => Thread.Sleep(ms), 5)).ToList();
        await ex.DisposeAsync();
        fs.Should().OnlyContain(f => f.Done());
        ex.Threads.Should().OnlyContain(t => !t.IsAlive || t.Join(UnexpectedTimeout));
    }

    [Fact]
    public void Shutdown_CancelFutures_CancelsWhatHasNotStarted() // test_cancel_futures
    {
        using var release = new ManualResetEventSlim();
        using var started = new CountdownEvent(2);
        var ex = new ThreadPoolExecutor(2);
        var running = Enumerable.Range(0, 2).Select(_ => ex.Submit(() => { started.Signal(); release.Wait(UnexpectedTimeout); return 1; })).ToList();
        started.Wait(UnexpectedTimeout).Should().BeTrue();
        var queued = Enumerable.Range(0, 50).Select(_ => ex.Submit(static () => 2)).ToList();

        var shutdown = Background.Start(() => ex.Shutdown(wait: true, cancelFutures: true));
        // A cancelled future is done at once; the workers are still blocked, so none of these can start.
        Future.Wait(queued, UnexpectedTimeout).NotDone.Should().BeEmpty();
        queued.Should().OnlyContain(f => f.Cancelled(), "shutdown cancels before it waits");
        shutdown.Finished.Should().BeFalse("shutdown(wait) waits for the running calls");
        release.Set();
        shutdown.Join(UnexpectedTimeout).Should().BeTrue();
        running.Should().OnlyContain(f => f.Result(TimeSpan.Zero) == 1);
    }

    [Fact]
    public void Shutdown_CancelFuturesNoWait_ReturnsWhileWorkRuns() // test_cancel_futures_wait_false (in-process part)
    {
        using var release = new ManualResetEventSlim();
        using var started = new ManualResetEventSlim();
        var ex = new ThreadPoolExecutor(1);
        Future<int> running = ex.Submit(() => { started.Set(); release.Wait(UnexpectedTimeout); return 1; });
        Future<int> queued = ex.Submit(static () => 2);
        started.Wait(UnexpectedTimeout).Should().BeTrue();
        ex.Shutdown(wait: false, cancelFutures: true);
        queued.Cancelled().Should().BeTrue();
        running.Running().Should().BeTrue();
        release.Set();
        running.Result(UnexpectedTimeout).Should().Be(1);
        ex.Threads.Single().Join(UnexpectedTimeout).Should().BeTrue();
    }

    [Fact]
    public void Shutdown_FromInsideAWorker_DoesNotDeadlock()
    {
        var ex = new ThreadPoolExecutor(2);
        Future f = ex.Submit(e => e.Shutdown(wait: true), ex);
        f.Exception(UnexpectedTimeout).Should().BeNull();
        ex.Shutdown();
        ex.Threads.Should().OnlyContain(t => !t.IsAlive);
    }

    [Fact]
    public void Submit_Throwing_ResultRethrowsTheSameObjectWithItsStack()
    {
        using var ex = new ThreadPoolExecutor(1);
        var error = new InvalidOperationException("from the worker");
        Future<int> f = ex.Submit(static (Exception e) => ThrowIt(e), (Exception)error);
        f.Invoking(x => x.Result(UnexpectedTimeout)).Should().Throw<InvalidOperationException>().Which.Should().BeSameAs(error);
        f.Exception(TimeSpan.Zero).Should().BeSameAs(error);
        error.StackTrace.Should().Contain(nameof(ThrowIt));
    }

    [Fact]
    public void Submit_DiscardedFuture_DoesNotKeepTheCallAlive() // test_no_stale_references
    {
        using var ex = new ThreadPoolExecutor(WorkerCount);
        // Several calls first, so the queue has been through the states that might pin what it held.
        for (int i = 0; i < 3; i++) ex.Submit(static () => 0).Result(UnexpectedTimeout);
        WeakReference target = SubmitAndForget(ex);
        // Submit and wait for one more call, so the worker has moved on from the first.
        ex.Submit(static () => 0).Result(UnexpectedTimeout);
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        target.IsAlive.Should().BeFalse("the executor must not hold on to a finished call while it runs");
        ex.Shutdown();
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        target.IsAlive.Should().BeFalse("the executor must not hold on to a finished call");
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static WeakReference SubmitAndForget(ThreadPoolExecutor ex)
    {
        var obj = new MyObject();
        ex.Submit(obj.MyMethod).Result(UnexpectedTimeout);
        return new WeakReference(obj);
    }

    private sealed class MyObject
    {
        public void MyMethod() { }
    }

    private const int WorkerCount = 5;

    private static int ThrowIt(Exception e) => throw e;
}
