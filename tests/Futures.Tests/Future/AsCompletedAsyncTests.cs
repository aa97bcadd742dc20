namespace Futures.Tests;

/// <summary>Future.AsCompletedAsync: AsCompleted without blocking a thread, with a CancellationToken.</summary>
public class AsCompletedAsyncTests : TestBase
{
    [Fact]
    public async Task AsCompletedAsync_NoTimeout_YieldsEveryFutureOnce()
    {
        Future<int> cancelledAndNotified = FutureStates.CancelledAndNotified();
        Future<int> failed = FutureStates.Failed();
        Future<int> successful = FutureStates.Successful();
        var f1 = new Future<int>();
        var f2 = new Future<int>();
        await using IAsyncEnumerator<Future<int>> e = Future.AsCompletedAsync([cancelledAndNotified, failed, successful, f1, f2]).GetAsyncEnumerator();
        var completed = new List<Future<int>>();
        for (int i = 0; i < 3; i++)
        {
            (await e.MoveNextAsync()).Should().BeTrue();
            completed.Add(e.Current);
        }

        using var completer = HelperThread.Start(() =>
        {
            f1.SetResult(42);
            f2.SetResult(42);
        });
        while (await e.MoveNextAsync().AsTask().WaitAsync(UnexpectedTimeout)) completed.Add(e.Current);
        completer.Join();

        completed.Should().HaveCount(5).And.OnlyHaveUniqueItems()
            .And.Contain([cancelledAndNotified, failed, successful, f1, f2]);
        completed.Take(3).Should().Equal(cancelledAndNotified, failed, successful);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(100)]
    public async Task AsCompletedAsync_FutureTimesOut_YieldsDoneOnesThenThrows(int timeoutMs)
    {
        Future<int>[] alreadyCompleted = [FutureStates.CancelledAndNotified(), FutureStates.Failed(), FutureStates.Successful()];
        var future = new Future<int>();
        var completed = new List<Future<int>>();

        Func<Task> act = async () =>
        {
            await foreach (Future<int> f in Future.AsCompletedAsync([.. alreadyCompleted, future], TimeSpan.FromMilliseconds(timeoutMs)))
                completed.Add(f);
        };

        await act.Should().ThrowAsync<TimeoutException>().WithMessage("1 (of 4) futures unfinished");
        completed.Should().Equal(alreadyCompleted);
    }

    [Fact]
    public async Task AsCompletedAsync_DuplicateFutures_YieldedOnce()
    {
        var future1 = new Future<int>();
        var completed = new List<Future<int>>();
        Task enumerating = Collect(Future.AsCompletedAsync(Enumerable.Repeat(future1, 3), UnexpectedTimeout), completed);

        future1.SetResult(1);

        await enumerating.WaitAsync(UnexpectedTimeout);
        completed.Should().Equal(future1);
    }

    [Fact]
    public async Task AsCompletedAsync_ZeroTimeout_MessageCountsUnfinished()
    {
        Future<int>[] fs = [FutureStates.CancelledAndNotified(), FutureStates.Pending(), FutureStates.Running(), FutureStates.Successful()];

        Func<Task> act = () => Collect(Future.AsCompletedAsync(fs, TimeSpan.Zero), []);

        await act.Should().ThrowAsync<TimeoutException>().WithMessage("2 (of 4) futures unfinished");
    }

    [Fact]
    public async Task AsCompletedAsync_SeveralFinishWhileWaiting_YieldedInCompletionOrder()
    {
        var a = new Future<int>();
        var b = new Future<int>();
        var c = new Future<int>();
        await using IAsyncEnumerator<Future<int>> e = Future.AsCompletedAsync([a, b, c], UnexpectedTimeout).GetAsyncEnumerator();
        ValueTask<bool> first = e.MoveNextAsync();   // registers on all three, then waits
        first.IsCompleted.Should().BeFalse();

        c.SetResult(3);
        a.SetException(new Exception());
        b.Cancel();

        (await first).Should().BeTrue();
        e.Current.Should().BeSameAs(c);
        (await e.MoveNextAsync()).Should().BeTrue();
        e.Current.Should().BeSameAs(a);
        (await e.MoveNextAsync()).Should().BeTrue();
        e.Current.Should().BeSameAs(b);
        (await e.MoveNextAsync()).Should().BeFalse();
    }

    [Fact]
    public async Task AsCompletedAsync_AlreadyDoneFirstInInputOrder_ThenRestAsTheyFinish()
    {
        var p = new Future<int>();
        Future<int> d1 = FutureStates.Successful(1);
        var q = new Future<int>();
        Future<int> d2 = FutureStates.Cancelled();
        await using IAsyncEnumerator<Future<int>> e = Future.AsCompletedAsync([p, d1, q, d2], UnexpectedTimeout).GetAsyncEnumerator();

        (await e.MoveNextAsync()).Should().BeTrue();
        e.Current.Should().BeSameAs(d1);
        p.SetResult(2);                       // finishes while the already-done ones are being yielded
        (await e.MoveNextAsync()).Should().BeTrue();
        e.Current.Should().BeSameAs(d2);
        (await e.MoveNextAsync()).Should().BeTrue();
        e.Current.Should().BeSameAs(p);

        ValueTask<bool> last = e.MoveNextAsync();
        using var completer = HelperThread.Start(() => q.SetResult(3));
        completer.Join();
        (await last.AsTask().WaitAsync(UnexpectedTimeout)).Should().BeTrue();
        e.Current.Should().BeSameAs(q);
        (await e.MoveNextAsync()).Should().BeFalse();
    }

    [Fact]
    public async Task AsCompletedAsync_AlreadyCancelled_YieldedAtOnce()
    {
        Future<int> cancelled = FutureStates.Cancelled();
        var pending = new Future<int>();
        var completed = new List<Future<int>>();

        Func<Task> act = () => Collect(Future.AsCompletedAsync([pending, cancelled], TimeSpan.Zero), completed);

        await act.Should().ThrowAsync<TimeoutException>().WithMessage("1 (of 2) futures unfinished");
        completed.Should().Equal(cancelled);
    }

    [Fact]
    public async Task AsCompletedAsync_CancelledWhileWaiting_YieldsIt()
    {
        var f = new Future();
        var completed = new List<Future>();
        Task enumerating = Collect(Future.AsCompletedAsync([f], UnexpectedTimeout), completed);
        enumerating.IsCompleted.Should().BeFalse();

        f.Cancel();

        await enumerating.WaitAsync(UnexpectedTimeout);
        completed.Should().Equal(f);
    }

    [Fact]
    public async Task AsCompletedAsync_TimeoutCountsFromCall_NotFromEnumeration()
    {
        var f = new Future<int>();
        IAsyncEnumerable<Future<int>> sequence = Future.AsCompletedAsync([f], ExpectedTimeout);
        Future.Wait([f], ExpectedTimeout);      // started after the call, so the deadline has passed
        await using IAsyncEnumerator<Future<int>> e = sequence.GetAsyncEnumerator();

        Func<Task> act = async () => await e.MoveNextAsync().AsTask().WaitAsync(ExpectedTimeout);

        // Counted from the call, the deadline has passed: the first MoveNextAsync throws, it does not
        // wait a further ExpectedTimeout (which would end in WaitAsync's own TimeoutException, message differs).
        await act.Should().ThrowAsync<TimeoutException>().WithMessage("1 (of 1) futures unfinished");
    }

    [Fact]
    public async Task AsCompletedAsync_TokenAlreadyCancelled_ThrowsOperationCanceledEvenForDoneFutures()
    {
        Future<int> done = FutureStates.Successful();
        var pending = new Future<int>();
        using var cts = new CancellationTokenSource();
        cts.Cancel();

        var completed = new List<Future<int>>();

        Func<Task> act = () => Collect(Future.AsCompletedAsync([done, pending], UnexpectedTimeout, cts.Token), completed);

        (await act.Should().ThrowAsync<OperationCanceledException>()).Which.CancellationToken.Should().Be(cts.Token);
        completed.Should().BeEmpty();
        pending.State.Should().Be(FutureState.Pending);
    }

    [Fact]
    public async Task AsCompletedAsync_TokenCancelledWhileWaiting_ThrowsOperationCanceledAndLeavesFutures()
    {
        var f1 = new Future<int>();
        Future<int> f2 = FutureStates.Running();
        using var cts = new CancellationTokenSource();
        await using IAsyncEnumerator<Future<int>> e = Future.AsCompletedAsync([f1, f2], UnexpectedTimeout, cts.Token).GetAsyncEnumerator();
        ValueTask<bool> moving = e.MoveNextAsync();
        moving.IsCompleted.Should().BeFalse();

        using var canceller = HelperThread.Start(cts.Cancel);
        canceller.Join();

        Func<Task> act = () => moving.AsTask().WaitAsync(UnexpectedTimeout);
        (await act.Should().ThrowAsync<OperationCanceledException>()).Which.CancellationToken.Should().Be(cts.Token);
        f1.State.Should().Be(FutureState.Pending);
        f2.State.Should().Be(FutureState.Running);
        f1.SetResult(1);
        f2.SetResult(2);
    }

    [Fact]
    public async Task AsCompletedAsync_TokenCancelledBetweenItems_NextMoveThrowsThoughFutureDone()
    {
        Future<int> d1 = FutureStates.Successful(1);
        Future<int> d2 = FutureStates.Successful(2);
        using var cts = new CancellationTokenSource();
        await using IAsyncEnumerator<Future<int>> e = Future.AsCompletedAsync([d1, d2], cancellationToken: cts.Token).GetAsyncEnumerator();
        (await e.MoveNextAsync()).Should().BeTrue();

        cts.Cancel();

        Func<Task> act = async () => await e.MoveNextAsync();
        await act.Should().ThrowAsync<OperationCanceledException>();
    }

    [Fact]
    public async Task AsCompletedAsync_TokenGivenToEnumerator_EndsEnumeration()
    {
        // What `await foreach (... in AsCompletedAsync(fs).WithCancellation(token))` does.
        var f = new Future<int>();
        using var cts = new CancellationTokenSource();
        await using IAsyncEnumerator<Future<int>> e = Future.AsCompletedAsync([f], UnexpectedTimeout)
            .GetAsyncEnumerator(cts.Token);
        ValueTask<bool> moving = e.MoveNextAsync();
        moving.IsCompleted.Should().BeFalse();

        cts.Cancel();

        Func<Task> act = () => moving.AsTask().WaitAsync(UnexpectedTimeout);
        await act.Should().ThrowAsync<OperationCanceledException>();
        f.State.Should().Be(FutureState.Pending);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task AsCompletedAsync_CallTokenAndEnumeratorToken_EitherEndsEnumeration(bool cancelCallToken)
    {
        var f = new Future<int>();
        using var callCts = new CancellationTokenSource();
        using var enumeratorCts = new CancellationTokenSource();
        await using IAsyncEnumerator<Future<int>> e = Future.AsCompletedAsync([f], UnexpectedTimeout, callCts.Token)
            .GetAsyncEnumerator(enumeratorCts.Token);
        ValueTask<bool> moving = e.MoveNextAsync();
        moving.IsCompleted.Should().BeFalse();

        (cancelCallToken ? callCts : enumeratorCts).Cancel();

        Func<Task> act = () => moving.AsTask().WaitAsync(UnexpectedTimeout);
        await act.Should().ThrowAsync<OperationCanceledException>();
        f.State.Should().Be(FutureState.Pending);
    }

    [Fact]
    public async Task AsCompletedAsync_BreakOut_LeavesRemainingFuturesUsable()
    {
        Future<int> done = FutureStates.Successful();
        var pending = new Future<int>();

        await foreach (Future<int> f in Future.AsCompletedAsync([done, pending], UnexpectedTimeout))
        {
            f.Should().BeSameAs(done);
            break;
        }

        pending.SetResult(1);
        pending.Result(TimeSpan.Zero).Should().Be(1);
    }

    [Fact]
    public async Task AsCompletedAsync_ManyFuturesFinishedByRacingThreads_YieldsEachOnce()
    {
        const int Threads = 4;
        Future<int>[] fs = [.. Enumerable.Range(0, 200).Select(_ => new Future<int>())];
        using var start = new Barrier(Threads + 1);
        var completers = Enumerable.Range(0, Threads).Select(t => HelperThread.Start(() =>
        {
            start.SignalAndWait(UnexpectedTimeout);
            for (int i = t; i < fs.Length; i += Threads) fs[i].SetResult(i);
        })).ToList();

        var completed = new List<Future<int>>();
        IAsyncEnumerable<Future<int>> sequence = Future.AsCompletedAsync(fs, UnexpectedTimeout);
        start.SignalAndWait(UnexpectedTimeout);
        await Collect(sequence, completed).WaitAsync(UnexpectedTimeout);

        completers.ForEach(c => c.Join());
        completed.Should().HaveCount(fs.Length).And.OnlyHaveUniqueItems().And.Contain(fs);
    }

    [Fact]
    public async Task AsCompletedAsync_Empty_YieldsNothing()
    {
        var completed = new List<Future>();

        await Collect(Future.AsCompletedAsync(Array.Empty<Future>(), TimeSpan.Zero), completed);

        completed.Should().BeEmpty();
    }

    [Fact]
    public void AsCompletedAsync_NullArguments_ThrowAtCall()
    {
        Action nullSequence = () => _ = Future.AsCompletedAsync<Future>(null!);
        Action nullFuture = () => _ = Future.AsCompletedAsync(new Future[] { null! });

        nullSequence.Should().Throw<ArgumentNullException>();
        nullFuture.Should().Throw<ArgumentNullException>();
    }

    private static async Task Collect<TFuture>(IAsyncEnumerable<TFuture> source, List<TFuture> into)
    {
        await foreach (TFuture f in source) into.Add(f);
    }
}
