namespace Futures.Tests;

/// <summary>
/// The Executor base as an extension point: every Submit, SubmitAsync and Map shape reaches a
/// custom executor's <c>Schedule</c>, and the base does the argument and shutdown checks.
/// </summary>
public sealed class CustomExecutorTests : TestBase
{
    [Fact]
    public async Task Schedule_EverySubmitShape_ReceivesTheCallAndItsFuture()
    {
        using var ex = new InlineExecutor();
        Func<int> f0 = static () => 0;
        Func<int, int> f1 = static a => a;
        Func<int, int, int> f2 = static (a, b) => a + b;
        Func<int, int, int, int> f3 = static (a, b, c) => a + b + c;
        Action a0 = static () => { };
        Action<int> a1 = static _ => { };
        Action<int, int> a2 = static (_, _) => { };
        Action<int, int, int> a3 = static (_, _, _) => { };

        Future[] futures =
        [
            ex.Submit(f0), ex.Submit(f1, 1), ex.Submit(f2, 1, 2), ex.Submit(f3, 1, 2, 3),
            ex.Submit(a0), ex.Submit(a1, 1), ex.Submit(a2, 1, 2), ex.Submit(a3, 1, 2, 3),
            await ex.SubmitAsync(f0), await ex.SubmitAsync(f1, 1), await ex.SubmitAsync(f2, 1, 2), await ex.SubmitAsync(f3, 1, 2, 3),
            await ex.SubmitAsync(a0), await ex.SubmitAsync(a1, 1), await ex.SubmitAsync(a2, 1, 2), await ex.SubmitAsync(a3, 1, 2, 3),
        ];
        Delegate[] functions = [f0, f1, f2, f3, a0, a1, a2, a3, f0, f1, f2, f3, a0, a1, a2, a3];

        ex.ScheduledCount.Should().Be(16);
        for (int i = 0; i < 16; i++)
        {
            WorkItem item = ex.Items[i];
            item.Future.Should().BeSameAs(futures[i]);
            item.Function.Should().BeSameAs(functions[i]);
            item.GetArguments().Should().Equal(Enumerable.Range(1, i % 4).Cast<object?>());
            futures[i].Done().Should().BeTrue();
        }
        futures[0].Should().BeOfType<Future<int>>();
        futures[4].GetType().Should().Be(typeof(Future), "an Action's future is a plain Future");
        ((Future<int>)futures[3]).Result(TimeSpan.Zero).Should().Be(6);
        ((Future<int>)futures[11]).Result(TimeSpan.Zero).Should().Be(6);
    }

    [Fact]
    public void Schedule_MapAndMapUnordered_OneItemPerCall()
    {
        using var ex = new InlineExecutor();
        ex.Map(static (int x) => x + 1, [1, 2, 3]).Should().Equal(2, 3, 4);
        ex.ScheduledCount.Should().Be(3);
        ex.Map(static (int x, string y) => y + x, [1, 2, 3], ["a", "b"]).Should().Equal("a1", "b2");
        ex.ScheduledCount.Should().Be(5, "two sequences are zipped up to the shorter");
        ex.MapUnordered(static (int x) => x, [1, 2, 3]).Should().BeEquivalentTo([1, 2, 3]);
        ex.ScheduledCount.Should().Be(8);
        ex.Map(static (int x) => x, Enumerable.Range(0, 10), chunkSize: 3).Should().Equal(Enumerable.Range(0, 10));
        ex.ScheduledCount.Should().Be(18, "an executor that does not batch ignores chunkSize");
        ex.Items[3].GetArguments().Should().Equal(1, "a");
    }

    [Fact]
    public async Task Submit_AfterShutdown_NeverReachesSchedule()
    {
        var ex = new InlineExecutor();
        ex.Shutdown();
        ex.ShutdownCalled.Should().BeTrue();
        ex.Invoking(e => e.Submit(static () => 1)).Should().Throw<InvalidOperationException>().WithMessage("cannot schedule new futures after shutdown");
        Func<Task> submitAsync = async () => await ex.SubmitAsync(static () => { });
        await submitAsync.Should().ThrowAsync<InvalidOperationException>().WithMessage("cannot schedule new futures after shutdown");
        ex.ScheduledCount.Should().Be(0);
    }

    [Fact]
    public async Task SubmitAsync_TokenAlreadyCancelled_ThrowsAndNeverSchedules()
    {
        using var ex = new InlineExecutor();
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();
        Func<Task> submit = async () => await ex.SubmitAsync(static () => 1, cts.Token);
        await submit.Should().ThrowAsync<OperationCanceledException>();
        ex.ScheduledCount.Should().Be(0);
    }

    [Fact]
    public void Dispose_ShutsDownAndWaits()
    {
        var ex = new ManualExecutor();
        Future<int> f = ex.Submit(static () => 3);
        f.Done().Should().BeFalse();
        ex.Dispose();
        f.Result(TimeSpan.Zero).Should().Be(3, "Dispose is Shutdown(wait: true)");
        ex.Invoking(e => e.Submit(static () => 1)).Should().Throw<InvalidOperationException>();
    }

    [Fact]
    public async Task DisposeAsync_OnCustomExecutor_ShutsDownAndWaits()
    {
        var ex = new ManualExecutor();
        Future<int> f = ex.Submit(static () => 3);
        await ex.DisposeAsync();
        f.Result(TimeSpan.Zero).Should().Be(3);
        ex.Invoking(e => e.Submit(static () => 1)).Should().Throw<InvalidOperationException>();
    }

    [Fact]
    public void Shutdown_CancelFutures_CancelsNotStarted()
    {
        var ex = new ManualExecutor();
        Future<int> first = ex.Submit(static () => 1);
        Future<int> second = ex.Submit(static () => 2);
        ex.RunNext(UnexpectedTimeout);
        ex.Shutdown(wait: true, cancelFutures: true);
        first.Result(TimeSpan.Zero).Should().Be(1);
        second.Cancelled().Should().BeTrue();
    }

    [Fact]
    public void WorkItemRun_FutureCancelled_ReturnsWithoutCalling()
    {
        var ex = new ManualExecutor();
        int calls = 0;
        Future f = ex.Submit(() => { Interlocked.Increment(ref calls); });
        f.Cancel().Should().BeTrue();
        ex.RunNext(UnexpectedTimeout);
        calls.Should().Be(0);
        f.State.Should().Be(FutureState.CancelledAndNotified);
        ex.Dispose();
    }

    [Fact]
    public void WorkItemRun_CallThrows_DoesNotThrowAndFutureRethrowsSameObject()
    {
        var ex = new ManualExecutor();
        var error = new InvalidOperationException("boom");
        Future<int> f = ex.Submit(static (Exception e) => Throw(e), (Exception)error);
        ex.Invoking(e => e.RunNext(UnexpectedTimeout)).Should().NotThrow();
        f.Exception(TimeSpan.Zero).Should().BeSameAs(error);
        f.Invoking(x => x.Result(TimeSpan.Zero)).Should().Throw<InvalidOperationException>()
            .Which.Should().BeSameAs(error);
        error.StackTrace.Should().Contain(nameof(Throw), "the original stack is kept");
        ex.Dispose();
    }

    [Fact]
    public void WorkItemRun_CalledTwice_ReportsUnexpectedStateAndDoesNotCallAgain()
    {
        // Contract v2: nothing escapes a work item; what would (CPython: RuntimeError) is reported
        // like a done-callback failure.
        int calls = 0;
        var ex = new ManualExecutor();
        Future<int> f = ex.Submit(() => ++calls);
        using var failures = new CallbackFailures(f);
        WorkItem item = ex.RunNext(UnexpectedTimeout);
        item.Invoking(i => i.Run()).Should().NotThrow();
        calls.Should().Be(1);
        f.Result().Should().Be(1);
        failures.Reports.Should().ContainSingle().Which.Args.Exception.Message.Should().Be("Future in unexpected state");
        ex.Dispose();
    }

    private static int Throw(Exception e) => throw e;
}
