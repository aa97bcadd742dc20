namespace Futures.Tests;

/// <summary>Future.AsCompleted (Python's <c>concurrent.futures.as_completed</c>).</summary>
public class AsCompletedTests : TestBase
{
    // CPython: test_no_timeout
    [Fact]
    public void AsCompleted_NoTimeout_YieldsEveryFutureOnce()
    {
        Future<int> cancelledAndNotified = FutureStates.CancelledAndNotified();
        Future<int> failed = FutureStates.Failed();
        Future<int> successful = FutureStates.Successful();
        var f1 = new Future<int>();
        var f2 = new Future<int>();
        using var completer = HelperThread.WhenBlocked(Thread.CurrentThread, () =>
        {
            f1.SetResult(42);
            f2.SetResult(42);
        });

        List<Future<int>> completed = [.. Future.AsCompleted([cancelledAndNotified, failed, successful, f1, f2], UnexpectedTimeout)];

        completed.Should().HaveCount(5).And.OnlyHaveUniqueItems()
            .And.Contain([cancelledAndNotified, failed, successful, f1, f2]);
        completer.Join();
    }

    // CPython: test_future_times_out
    [Theory]
    [InlineData(0)]
    [InlineData(100)]
    public void AsCompleted_FutureTimesOut_YieldsDoneOnesThenThrows(int timeoutMs)
    {
        Future<int>[] alreadyCompleted = [FutureStates.CancelledAndNotified(), FutureStates.Failed(), FutureStates.Successful()];
        var future = new Future<int>();
        var completed = new List<Future<int>>();

        Action act = () =>
        {
            foreach (Future<int> f in Future.AsCompleted([.. alreadyCompleted, future], TimeSpan.FromMilliseconds(timeoutMs)))
                completed.Add(f);
        };

        act.Should().Throw<TimeoutException>().WithMessage("1 (of 4) futures unfinished");
        completed.Should().Equal(alreadyCompleted);
    }

    // CPython: test_duplicate_futures (bpo-20367, bpo-31641: any iterable)
    [Fact]
    public void AsCompleted_DuplicateFutures_YieldedOnce()
    {
        var future1 = new Future<int>();
        using var completer = HelperThread.WhenBlocked(Thread.CurrentThread, () => future1.SetResult(1));

        List<Future<int>> completed = [.. Future.AsCompleted(Enumerable.Repeat(future1, 3), UnexpectedTimeout)];

        completed.Should().Equal(future1);
        completer.Join();
    }

    // CPython: test_correct_timeout_exception_msg
    [Fact]
    public void AsCompleted_ZeroTimeout_MessageCountsUnfinished()
    {
        Future<int>[] fs = [FutureStates.CancelledAndNotified(), FutureStates.Pending(), FutureStates.Running(), FutureStates.Successful()];

        Action act = () => Future.AsCompleted(fs, TimeSpan.Zero).ToList();

        act.Should().Throw<TimeoutException>().WithMessage("2 (of 4) futures unfinished");
    }

    [Fact]
    public void AsCompleted_TimeoutWithDuplicates_MessageCountsDistinctFutures()
    {
        var pending = new Future<int>();
        Future<int> done = FutureStates.Successful();

        Action act = () => Future.AsCompleted([pending, done, pending, done], TimeSpan.Zero).ToList();

        act.Should().Throw<TimeoutException>().WithMessage("1 (of 2) futures unfinished");
    }

    [Fact]
    public void AsCompleted_AlreadyDone_YieldedFirstInInputOrderThenRestAsTheyFinish()
    {
        var p = new Future<int>();
        Future<int> d1 = FutureStates.Successful(1);
        var q = new Future<int>();
        Future<int> d2 = FutureStates.Failed();
        using IEnumerator<Future<int>> e = Future.AsCompleted([p, d1, q, d2], UnexpectedTimeout).GetEnumerator();

        e.MoveNext().Should().BeTrue();
        e.Current.Should().BeSameAs(d1);
        e.MoveNext().Should().BeTrue();
        e.Current.Should().BeSameAs(d2);

        q.SetResult(3);
        e.MoveNext().Should().BeTrue();
        e.Current.Should().BeSameAs(q);

        using (HelperThread.WhenBlocked(Thread.CurrentThread, () => p.SetResult(4)))
        {
            e.MoveNext().Should().BeTrue();
            e.Current.Should().BeSameAs(p);
        }
        e.MoveNext().Should().BeFalse();
    }

    [Fact]
    public void AsCompleted_FutureFinishingWhileAlreadyDoneOnesAreYielded_IsStillYielded()
    {
        var p = new Future<int>();
        Future<int> d = FutureStates.Successful();
        using IEnumerator<Future<int>> e = Future.AsCompleted([p, d], UnexpectedTimeout).GetEnumerator();
        e.MoveNext().Should().BeTrue();
        e.Current.Should().BeSameAs(d);

        p.SetResult(1);

        e.MoveNext().Should().BeTrue("p finished after the already-done futures were picked and must not be lost");
        e.Current.Should().BeSameAs(p);
        e.MoveNext().Should().BeFalse();
    }

    [Fact]
    public void AsCompleted_FailedFuture_IsYieldedNotThrown()
    {
        Future<int> failed = FutureStates.Failed(new InvalidOperationException());

        List<Future<int>> completed = [.. Future.AsCompleted([failed])];

        completed.Should().Equal(failed);
    }

    [Fact]
    public void AsCompleted_AlreadyCancelled_YieldedAtOnce()
    {
        // gh-109934: CPython waits forever on a future in state CANCELLED.
        Future<int> cancelled = FutureStates.Cancelled();
        var pending = new Future<int>();
        var completed = new List<Future<int>>();

        Action act = () =>
        {
            foreach (Future<int> f in Future.AsCompleted([pending, cancelled], TimeSpan.Zero)) completed.Add(f);
        };

        act.Should().Throw<TimeoutException>().WithMessage("1 (of 2) futures unfinished");
        completed.Should().Equal(cancelled);
    }

    [Fact]
    public void AsCompleted_CancelledWhileWaiting_YieldsIt()
    {
        var f = new Future();
        using var canceller = HelperThread.WhenBlocked(Thread.CurrentThread, () => f.Cancel().Should().BeTrue());

        List<Future> completed = [.. Future.AsCompleted([f], UnexpectedTimeout)];

        completed.Should().Equal(f);
        f.State.Should().Be(FutureState.Cancelled);
        canceller.Join();
    }

    [Fact]
    public void AsCompleted_NullTimeout_WaitsUntilDone()
    {
        var f = new Future<int>();
        using var completer = HelperThread.WhenBlocked(Thread.CurrentThread, () => f.SetResult(1));

        Future.AsCompleted([f], timeout: null).Should().Equal(f);
        completer.Join();
    }

    [Fact]
    public void AsCompleted_FinishingOneByOne_YieldedInThatOrder()
    {
        var a = new Future<int>();
        var b = new Future<int>();
        var c = new Future<int>();
        using IEnumerator<Future<int>> e = Future.AsCompleted([a, b, c], UnexpectedTimeout).GetEnumerator();

        using (HelperThread.WhenBlocked(Thread.CurrentThread, () => c.SetResult(3)))
        {
            e.MoveNext().Should().BeTrue();
        }
        e.Current.Should().BeSameAs(c);
        a.SetResult(1);
        e.MoveNext().Should().BeTrue();
        e.Current.Should().BeSameAs(a);
        b.SetException(new Exception());
        e.MoveNext().Should().BeTrue();
        e.Current.Should().BeSameAs(b);
        e.MoveNext().Should().BeFalse();
    }

    [Fact]
    public void AsCompleted_TimeoutCountsFromCall_NotFromEnumeration()
    {
        // Warm up the path below so that the test thread does not block on first-call work in it.
        WarmUpExpiredEnumeration();
        var f = new Future<int>();
        IEnumerable<Future<int>> sequence = Future.AsCompleted([f], ExpectedTimeout);
        Future.Wait([f], ExpectedTimeout);      // started after the call, so the deadline has passed
        using IEnumerator<Future<int>> e = sequence.GetEnumerator();
        // Were the deadline counted from MoveNext, the test thread would block there and this would complete f.
        using var completer = HelperThread.WhenBlocked(Thread.CurrentThread, () => f.SetResult(1));

        Exception? thrown = null;
        bool moved = false;
        try { moved = e.MoveNext(); }
        catch (Exception ex) { thrown = ex; }

        completer.Join();
        moved.Should().BeFalse();
        thrown.Should().BeOfType<TimeoutException>().Which.Message.Should().Be("1 (of 1) futures unfinished");
    }

    [Fact]
    public void AsCompleted_Empty_YieldsNothing()
    {
        Future.AsCompleted(Array.Empty<Future>(), TimeSpan.Zero).Should().BeEmpty();
    }

    [Fact]
    public void AsCompleted_NullArguments_ThrowAtCall()
    {
        FluentActions.Invoking(() => Future.AsCompleted<Future>(null!)).Should().Throw<ArgumentNullException>();
        FluentActions.Invoking(() => Future.AsCompleted(new Future[] { null! })).Should().Throw<ArgumentNullException>();
    }

    [Fact]
    public void AsCompleted_ManyFuturesFinishedByRacingThreads_YieldsEachOnce()
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
        IEnumerable<Future<int>> sequence = Future.AsCompleted(fs, UnexpectedTimeout);
        start.SignalAndWait(UnexpectedTimeout);   // completions race with the registration below
        foreach (Future<int> f in sequence) completed.Add(f);

        completers.ForEach(c => c.Join());
        completed.Should().HaveCount(fs.Length).And.OnlyHaveUniqueItems().And.Contain(fs);
    }

    private static void WarmUpExpiredEnumeration()
    {
        using IEnumerator<Future<int>> e = Future.AsCompleted([new Future<int>()], TimeSpan.Zero).GetEnumerator();
        try { e.MoveNext(); }
        catch (TimeoutException) { }
    }
}
