using System.Diagnostics.Metrics;
using Futures.Orleans.Grains;

namespace Futures.Orleans.Tests.InProcess;

[Collection(InProcessClusterCollection.Name)]
public sealed class OrleansExecutorTests(InProcessCluster fixture) : TestBase, IDisposable
{
    /// <summary>Holds gated tasks until the test opens it; the silos run in this process, so they see it.</summary>
    private static readonly ManualResetEventSlim s_gate = new(false);

    private static int s_started;

    private readonly List<OrleansExecutor> _executors = [];

    private OrleansExecutor NewExecutor(OrleansExecutorOptions? options = null)
    {
        var executor = new OrleansExecutor(fixture.Client, options);
        _executors.Add(executor);
        return executor;
    }

    public void Dispose()
    {
        s_gate.Set();
        foreach (OrleansExecutor executor in _executors) executor.Shutdown(wait: true, cancelFutures: true);
        s_gate.Reset();
    }

    private static int Square(int x) => x * x;

    private static int Gated(int x)
    {
        Interlocked.Increment(ref s_started);
        s_gate.Wait(UnexpectedTimeout);
        return x;
    }

    private static int Throw(int x) => throw new InvalidOperationException($"boom {x}");

    private static int ThrowCustom(int x) => throw new NoMessageConstructorException(x);

    private sealed class NoMessageConstructorException(int x) : Exception($"custom {x}");

    public record struct Point(int X, int Y);

    [Fact]
    public void Submit_StaticMethod_ReturnsResult()
    {
        OrleansExecutor executor = NewExecutor();
        executor.Submit(Square, 7).Result(UnexpectedTimeout).Should().Be(49);
    }

    [Fact]
    public void Submit_NonCapturingLambdaAndStructs_RoundTrip()
    {
        OrleansExecutor executor = NewExecutor();
        executor.Submit(static (Point p, string s) => $"{s}:{p.X + p.Y}", new Point(2, 3), "sum").Result(UnexpectedTimeout).Should().Be("sum:5");
        executor.Submit(static (Point p) => p with { X = p.X * 10 }, new Point(1, 2)).Result(UnexpectedTimeout).Should().Be(new Point(10, 2));
    }

    [Fact]
    public void Submit_Action_Completes()
    {
        OrleansExecutor executor = NewExecutor();
        Future future = executor.Submit(static (int x) => { _ = x; }, 1);
        future.Result(UnexpectedTimeout);
        future.State.Should().Be(FutureState.Finished);
    }

    [Fact]
    public void Submit_CapturingLambda_ThrowsArgumentException()
    {
        OrleansExecutor executor = NewExecutor();
        int k = 3;
        Action act = () => executor.Submit(x => x + k, 1);
        act.Should().Throw<ArgumentException>().WithMessage("*captures*k*pass the state as arguments*");
    }

    [Fact]
    public void Submit_Throws_RebuildsSameTypeWithRemoteInner()
    {
        OrleansExecutor executor = NewExecutor();
        Exception? e = executor.Submit(Throw, 5).Exception(UnexpectedTimeout);
        e.Should().BeOfType<InvalidOperationException>().Which.Message.Should().Be("boom 5");
        e!.InnerException.Should().BeOfType<RemoteException>().Which.RemoteType.Should().Be("System.InvalidOperationException");
        ((RemoteException)e.InnerException!).RemoteStackTrace.Should().Contain(nameof(Throw));
    }

    [Fact]
    public void Submit_ThrowsTypeWithoutMessageConstructor_GivesRemoteException()
    {
        OrleansExecutor executor = NewExecutor();
        Exception? e = executor.Submit(ThrowCustom, 2).Exception(UnexpectedTimeout);
        e.Should().BeOfType<RemoteException>().Which.RemoteType.Should().EndWith(nameof(NoMessageConstructorException));
        e!.Message.Should().Contain("custom 2");
    }

    [Fact]
    public void Map_ManyItems_YieldsInInputOrder()
    {
        OrleansExecutor executor = NewExecutor();
        executor.Map(Square, Enumerable.Range(0, 50), timeout: UnexpectedTimeout).Should().Equal(Enumerable.Range(0, 50).Select(x => x * x));
        executor.Map(static (int a, string b) => b + a, [1, 2, 3], ["a", "b"], timeout: UnexpectedTimeout).Should().Equal("a1", "b2");
    }

    [Fact]
    public void Map_ChunkSize_SendsOneTaskPerChunk()
    {
        OrleansExecutor executor = NewExecutor(new OrleansExecutorOptions { Name = $"chunks-{Guid.NewGuid():N}" });
        long tasks = 0;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == "Futures" && instrument.Name == "futures.tasks.completed") l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Key == "futures.executor.name" && (string?)tag.Value == executor.Name) Interlocked.Add(ref tasks, value);
            }
        });
        listener.Start();

        executor.Map(Square, Enumerable.Range(0, 23), timeout: UnexpectedTimeout, chunkSize: 5)
            .Should().Equal(Enumerable.Range(0, 23).Select(x => x * x));
        Interlocked.Read(ref tasks).Should().Be(5);
    }

    [Fact]
    public void Map_CallThrows_ThrowsAtItsValue()
    {
        OrleansExecutor executor = NewExecutor();
        using IEnumerator<int> results = executor.Map(static (int x) => x == 3 ? Throw(x) : x, Enumerable.Range(0, 6), timeout: UnexpectedTimeout).GetEnumerator();
        for (int i = 0; i < 3; i++)
        {
            results.MoveNext().Should().BeTrue();
            results.Current.Should().Be(i);
        }
        Action next = () => results.MoveNext();
        next.Should().Throw<InvalidOperationException>().WithMessage("boom 3");
    }

    [Fact]
    public void Cancel_WaitingBeyondMaxInFlight_Succeeds()
    {
        OrleansExecutor executor = NewExecutor(new OrleansExecutorOptions { MaxInFlight = 1 });
        Future<int> running = executor.Submit(Gated, 1);
        Future<int> waiting = executor.Submit(Gated, 2);
        SpinWait.SpinUntil(() => running.Running(), UnexpectedTimeout).Should().BeTrue();
        waiting.Cancel().Should().BeTrue();
        running.Cancel().Should().BeFalse();
        s_gate.Set();
        running.Result(UnexpectedTimeout).Should().Be(1);
        waiting.Cancelled().Should().BeTrue();
    }

    [Fact]
    public void WaitingBeyondMaxInFlight_CompletedByTheCaller_KeepsItsOutcome_TheNextCallRuns()
    {
        OrleansExecutor executor = NewExecutor(new OrleansExecutorOptions { MaxInFlight = 1 });
        Future<int> running = executor.Submit(Gated, 1);
        Future<int> completedByCaller = executor.Submit(Gated, 2);
        Future<int> next = executor.Submit(Square, 3);
        SpinWait.SpinUntil(() => running.Running(), UnexpectedTimeout).Should().BeTrue();
        completedByCaller.SetResult(20); // user code completes a waiting future (contract v2)
        s_gate.Set();
        running.Result(UnexpectedTimeout).Should().Be(1);
        next.Result(UnexpectedTimeout).Should().Be(9, "the completed call gives its in-flight slot back (was: a throw, and the slot lost)");
        completedByCaller.Result().Should().Be(20, "the caller's outcome stands");
    }

    [Fact]
    public void Shutdown_CancelFutures_CancelsWaitingAndFinishesRunning()
    {
        OrleansExecutor executor = NewExecutor(new OrleansExecutorOptions { MaxInFlight = 2 });
        Future<int>[] futures = Enumerable.Range(0, 6).Select(i => executor.Submit(Gated, i)).ToArray();
        executor.Shutdown(wait: false, cancelFutures: true);
        futures.Skip(2).Should().OnlyContain(f => f.Cancelled());
        s_gate.Set();
        futures[0].Result(UnexpectedTimeout).Should().Be(0);
        futures[1].Result(UnexpectedTimeout).Should().Be(1);
        executor.Shutdown(wait: true);
        Action submit = () => executor.Submit(Square, 1);
        submit.Should().Throw<InvalidOperationException>().WithMessage("cannot schedule new futures after shutdown");
    }

    [Fact]
    public void TaskTimeout_LongTask_FailsWithTimeout()
    {
        OrleansExecutor executor = NewExecutor(new OrleansExecutorOptions { TaskTimeout = TimeSpan.FromMilliseconds(300) });
        executor.Submit(Gated, 1).Exception(UnexpectedTimeout).Should().BeOfType<TimeoutException>();
        executor.Submit(Square, 3).Result(UnexpectedTimeout).Should().Be(9);
    }

    [Fact]
    public async Task AwaitAndAsCompleted_Work()
    {
        OrleansExecutor executor = NewExecutor();
        (await executor.Submit(Square, 4)).Should().Be(16);
        Future<int>[] futures = Enumerable.Range(0, 10).Select(i => executor.Submit(Square, i)).ToArray();
        Future.AsCompleted(futures, UnexpectedTimeout).Select(f => f.Result()).Should().BeEquivalentTo(Enumerable.Range(0, 10).Select(x => x * x));
        await executor.DisposeAsync();
    }
}
