namespace Futures.Tests;

/// <summary>The thread initializer (CPython's <c>test_init</c>: InitializerMixin and FailingInitializerMixin on the thread pool).</summary>
public sealed class ThreadPoolInitializerTests : TestBase
{
    private const int WorkerCount = 2;

    [ThreadStatic]
    private static string? t_status;

    [Fact]
    public void Initializer_Succeeds_RunsOnEachWorkerBeforeItsWork() // test_initializer
    {
        int initialized = 0;
        using var gate = new ManualResetEventSlim();
        using var started = new CountdownEvent(WorkerCount);
        using var ex = new ThreadPoolExecutor(WorkerCount, initializer: () =>
        {
            t_status = "initialized";
            Interlocked.Increment(ref initialized);
        });
        // Block both workers at once, so that each of them runs one call.
        var futures = Enumerable.Range(0, WorkerCount).Select(_ => ex.Submit(() =>
        {
            started.Signal();
            gate.Wait(UnexpectedTimeout);
            return t_status;
        })).ToList();
        started.Wait(UnexpectedTimeout).Should().BeTrue();
        gate.Set();
        foreach (Future<string?> f in futures) f.Result(UnexpectedTimeout).Should().Be("initialized");
        ex.Shutdown();
        initialized.Should().Be(WorkerCount, "once per worker thread");
    }

    [Fact]
    public void Initializer_Throws_QueuedFuturesFailAndLaterSubmitsThrow() // FailingInitializerMixin.test_initializer
    {
        var error = new InvalidOperationException("error in initializer");
        using var gate = new ManualResetEventSlim();
        using var entered = new CountdownEvent(WorkerCount);
        int calls = 0;
        using var ex = new ThreadPoolExecutor(WorkerCount, initializer: () =>
        {
            entered.Signal();
            gate.Wait(UnexpectedTimeout); // let some futures be scheduled
            throw error;
        });
        var futures = Enumerable.Range(0, 5).Select(_ => ex.Submit(() => Interlocked.Increment(ref calls))).ToList();
        entered.Wait(UnexpectedTimeout).Should().BeTrue();
        gate.Set();

        foreach (Future<int> f in futures)
        {
            BrokenThreadPoolException broken = f.Invoking(x => x.Result(UnexpectedTimeout))
                .Should().Throw<BrokenThreadPoolException>().Which;
            broken.Message.Should().Be("A thread initializer failed, the thread pool is not usable anymore");
            broken.InnerException.Should().BeSameAs(error);
        }
        calls.Should().Be(0);

        ex.Invoking(e => e.Submit(static () => 0)).Should().Throw<BrokenThreadPoolException>()
            .WithMessage("A thread initializer failed, the thread pool is not usable anymore")
            .Which.InnerException.Should().BeSameAs(error);
        ex.Invoking(e => e.Map(static (int x) => x, [1])).Should().Throw<BrokenExecutorException>();
        ex.ToString().Should().Contain("broken");
    }

    [Fact]
    public void Initializer_Throws_AQueuedFutureCompletedByItsCaller_KeepsItsOutcome_TheOthersFail()
    {
        using var gate = new ManualResetEventSlim();
        using var entered = new ManualResetEventSlim();
        using var ex = new ThreadPoolExecutor(1, initializer: () =>
        {
            entered.Set();
            gate.Wait(UnexpectedTimeout);
            throw new InvalidOperationException("error in initializer");
        });
        Future<int> first = ex.Submit(static () => 1);
        Future<int> completedByCaller = ex.Submit(static () => 2);
        Future<int> last = ex.Submit(static () => 3);
        entered.Wait(UnexpectedTimeout).Should().BeTrue();
        using var failures = new CallbackFailures(completedByCaller);
        completedByCaller.SetResult(20); // user code completes a queued future (contract v2)
        gate.Set(); // the break fails what is queued (was: a throw at the completed one, and `last` never failed)

        first.Exception(UnexpectedTimeout).Should().BeOfType<BrokenThreadPoolException>();
        last.Exception(UnexpectedTimeout).Should().BeOfType<BrokenThreadPoolException>();
        completedByCaller.Result().Should().Be(20, "the caller's outcome stands");
        failures.WaitFor(1, UnexpectedTimeout).Should().BeTrue();
        failures.Reports.Should().ContainSingle().Which.Args.Exception.Message.Should().Be("Future in unexpected state");
    }

    [Fact]
    public async Task Initializer_Throws_SubmitAsyncThrowsBroken()
    {
        await using var ex = new ThreadPoolExecutor(1, initializer: static () => throw new InvalidOperationException("init"));
        Future<int> first = ex.Submit(static () => 1);
        first.Invoking(f => f.Result(UnexpectedTimeout)).Should().Throw<BrokenThreadPoolException>();
        Func<Task> submit = async () => await ex.SubmitAsync(static () => 1);
        await submit.Should().ThrowAsync<BrokenThreadPoolException>();
    }

    [Fact]
    public void Initializer_Throws_BrokenWinsOverShutdown()
    {
        var ex = new ThreadPoolExecutor(1, initializer: static () => throw new InvalidOperationException("init"));
        ex.Submit(static () => 1).Exception(UnexpectedTimeout).Should().BeOfType<BrokenThreadPoolException>();
        ex.Shutdown();
        ex.Invoking(e => e.Submit(static () => 1)).Should().Throw<BrokenThreadPoolException>("Python reports broken before shut down");
        ex.Threads.Should().OnlyContain(t => t.Join(UnexpectedTimeout));
    }

    [Fact]
    public void Initializer_ThrowsWithBoundedQueue_QueuedFuturesFail()
    {
        using var gate = new ManualResetEventSlim();
        using var ex = new ThreadPoolExecutor(1, maxQueueSize: 3, initializer: () =>
        {
            gate.Wait(UnexpectedTimeout);
            throw new InvalidOperationException("init");
        });
        var futures = Enumerable.Range(0, 3).Select(_ => ex.Submit(static () => 1)).ToList();
        gate.Set();
        futures.Should().OnlyContain(f => f.Exception(UnexpectedTimeout) is BrokenThreadPoolException);
    }
}
