namespace Futures.Tests;

/// <summary>
/// Contract v2, "Timeouts": <see cref="Timeout.InfiniteTimeSpan"/> (−1 ms) waits forever wherever a
/// <c>TimeSpan?</c> timeout is taken, like <c>null</c>; every other negative value still means
/// "don't wait" (FutureResultTests, WaitTests). Each wait below is completed by another party only
/// once it has begun, so a wait that gave up at once fails the test.
/// </summary>
public sealed class InfiniteTimeoutTests : TestBase
{
    private static readonly TimeSpan Forever = Timeout.InfiniteTimeSpan;

    [Fact]
    public void Result_InfiniteTimeSpan_WaitsUntilDone()
    {
        var f = new Future<int>();
        using var completer = HelperThread.WhenBlocked(Thread.CurrentThread, () => f.SetResult(7));
        f.Result(Forever).Should().Be(7);
    }

    [Fact]
    public void NonGenericResult_InfiniteTimeSpan_WaitsUntilDone()
    {
        var f = new Future();
        using var completer = HelperThread.WhenBlocked(Thread.CurrentThread, f.SetResult);
        f.Invoking(x => x.Result(Forever)).Should().NotThrow();
        f.Done().Should().BeTrue();
    }

    [Fact]
    public void Exception_InfiniteTimeSpan_WaitsUntilDone()
    {
        var f = new Future<int>();
        var error = new IOException("late");
        using var completer = HelperThread.WhenBlocked(Thread.CurrentThread, () => f.SetException(error));
        f.Exception(Forever).Should().BeSameAs(error);
    }

    [Fact]
    public void Wait_InfiniteTimeSpan_WaitsUntilDone()
    {
        var f = new Future<int>();
        using var completer = HelperThread.WhenBlocked(Thread.CurrentThread, () => f.SetResult(1));
        DoneAndNotDoneFutures<Future<int>> result = Future.Wait([f], Forever);
        result.Done.Should().Equal(f);
        result.NotDone.Should().BeEmpty();
    }

    [Fact]
    public void AsCompleted_InfiniteTimeSpan_WaitsUntilDone()
    {
        var f = new Future<int>();
        using var completer = HelperThread.WhenBlocked(Thread.CurrentThread, () => f.SetResult(1));
        Future.AsCompleted([f], Forever).Should().Equal(f);
    }

    [Fact]
    public async Task WaitAsync_InfiniteTimeSpan_WaitsUntilDone()
    {
        var f = new Future<int>();
        Task<DoneAndNotDoneFutures<Future<int>>> wait = Future.WaitAsync([f], Forever);
        f.SetResult(1); // a wait that gave up at once has returned f in NotDone by now
        DoneAndNotDoneFutures<Future<int>> result = await wait.WaitAsync(UnexpectedTimeout);
        result.Done.Should().Equal(f);
    }

    [Fact]
    public async Task AsCompletedAsync_InfiniteTimeSpan_WaitsUntilDone()
    {
        var f = new Future<int>();
        await using IAsyncEnumerator<Future<int>> it = Future.AsCompletedAsync([f], Forever).GetAsyncEnumerator();
        ValueTask<bool> next = it.MoveNextAsync(); // suspends: nothing is done yet
        f.SetResult(1);
        (await next.AsTask().WaitAsync(UnexpectedTimeout)).Should().BeTrue();
        it.Current.Should().BeSameAs(f);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Map_InfiniteTimeSpan_WaitsForEveryResult(bool ordered)
    {
        using var ex = new ManualExecutor();
        IEnumerable<int> results = ordered
            ? ex.Map(static (int x) => x * 2, [1, 2], Forever)
            : ex.MapUnordered(static (int x) => x * 2, [1, 2], Forever);
        using IEnumerator<int> it = results.GetEnumerator();
        using var runner = HelperThread.WhenBlocked(Thread.CurrentThread, ex.RunAll);
        it.MoveNext().Should().BeTrue();
        it.Current.Should().Be(2);
        it.MoveNext().Should().BeTrue();
        it.Current.Should().Be(4);
        it.MoveNext().Should().BeFalse();
    }
}
