using System.Diagnostics;

namespace Futures.Tests;

/// <summary>Future.Wait (Python's <c>concurrent.futures.wait</c>), futures completed from helper threads.</summary>
public class WaitTests : TestBase
{
    // CPython: test_20369
    [Fact]
    public void Wait_SameFutureTwice_CountsOnce()
    {
        var f = new Future<int>();
        using var completer = HelperThread.WhenBlocked(Thread.CurrentThread, () => f.SetResult(2));

        var (done, notDone) = WaitUntilMet([f, f], ReturnWhen.AllCompleted);

        done.ShouldBeExactly(f);
        notDone.ShouldBeExactly();
        completer.Join();
    }

    [Fact]
    public void Wait_DuplicatesNotDone_CountOnce()
    {
        var f = new Future<int>();

        var (done, notDone) = Future.Wait([f, f, f], TimeSpan.Zero);

        done.ShouldBeExactly();
        notDone.ShouldBeExactly(f);
    }

    // CPython: test_first_completed
    [Fact]
    public void Wait_FirstCompleted_ReturnsWhenOneFinishes()
    {
        var f1 = new Future<int>();
        var f2 = new Future<int>();
        using var completer = HelperThread.WhenBlocked(Thread.CurrentThread, () => f1.SetResult(42));

        var (done, notDone) = WaitUntilMet([f1, f2], ReturnWhen.FirstCompleted);

        done.ShouldBeExactly(f1);
        notDone.ShouldBeExactly(f2);
        completer.Join();
    }

    [Fact]
    public void Wait_FirstCompletedNoneFinishes_WaitsForTimeout()
    {
        var f1 = new Future<int>();
        var f2 = new Future<int>();
        var clock = Stopwatch.StartNew();

        var (done, notDone) = Future.Wait([f1, f2], ExpectedTimeout, ReturnWhen.FirstCompleted);

        clock.Elapsed.Should().BeGreaterThanOrEqualTo(ExpectedTimeout);
        done.ShouldBeExactly();
        notDone.ShouldBeExactly(f1, f2);
    }

    // CPython: test_first_completed, with the gh-109934 fix: its CANCELLED_FUTURE counts as done.
    [Fact]
    public void Wait_FirstCompletedWithCancelledFuture_ReturnsAtOnce()
    {
        Future<int> cancelled = FutureStates.Cancelled();
        var f1 = new Future<int>();

        var (done, notDone) = WaitUntilMet([cancelled, f1], ReturnWhen.FirstCompleted);

        done.ShouldBeExactly(cancelled);
        notDone.ShouldBeExactly(f1);
    }

    // CPython: test_first_completed_some_already_completed
    [Fact]
    public void Wait_FirstCompletedSomeAlreadyCompleted_ReturnsThemAtOnce()
    {
        Future<int> cancelledAndNotified = FutureStates.CancelledAndNotified();
        Future<int> successful = FutureStates.Successful();
        var f1 = new Future<int>();

        var (finished, pending) = WaitUntilMet([cancelledAndNotified, successful, f1], ReturnWhen.FirstCompleted);

        finished.ShouldBeExactly(cancelledAndNotified, successful);
        pending.ShouldBeExactly(f1);
    }

    // CPython: test_first_exception
    [Fact]
    public void Wait_FirstException_ReturnsWhenOneFails()
    {
        var f1 = new Future<int>();
        var f2 = new Future<int>();
        var f3 = new Future<int>();
        using var completer = HelperThread.WhenBlocked(Thread.CurrentThread, () =>
        {
            f1.SetResult(42);                               // f1 finishes before f2 raises
            f2.SetException(new Exception("this is an exception"));
        });

        var (finished, pending) = WaitUntilMet([f1, f2, f3], ReturnWhen.FirstException);

        finished.ShouldBeExactly(f1, f2);
        pending.ShouldBeExactly(f3);
        completer.Join();
    }

    // CPython: test_first_exception_some_already_complete (CANCELLED_FUTURE counts as done: gh-109934)
    [Fact]
    public void Wait_FirstExceptionSomeAlreadyComplete_ReturnsWhenOneFails()
    {
        Future<int> successful = FutureStates.Successful();
        Future<int> cancelled = FutureStates.Cancelled();
        Future<int> cancelledAndNotified = FutureStates.CancelledAndNotified();
        var f1 = new Future<int>();
        var f2 = new Future<int>();
        using var completer = HelperThread.WhenBlocked(Thread.CurrentThread, () => f1.SetException(new DivideByZeroException()));

        var (finished, pending) = WaitUntilMet([successful, cancelled, cancelledAndNotified, f1, f2], ReturnWhen.FirstException);

        finished.ShouldBeExactly(successful, cancelled, cancelledAndNotified, f1);
        pending.ShouldBeExactly(f2);
        completer.Join();
    }

    // CPython: test_first_exception_one_already_failed
    [Fact]
    public void Wait_FirstExceptionOneAlreadyFailed_ReturnsAtOnce()
    {
        Future<int> failed = FutureStates.Failed();
        var f1 = new Future<int>();

        var (finished, pending) = WaitUntilMet([failed, f1], ReturnWhen.FirstException);

        finished.ShouldBeExactly(failed);
        pending.ShouldBeExactly(f1);
    }

    [Fact]
    public void Wait_FirstExceptionWithoutFailure_BehavesAsAllCompleted()
    {
        var f1 = new Future<int>();
        var f2 = new Future<int>();
        using var returned = new ManualResetEventSlim();
        using var completer = HelperThread.WhenBlocked(Thread.CurrentThread, () =>
        {
            f1.SetResult(1);
            // Had Wait returned on f1's success, it would have said so by now; it must not.
            returned.Wait(ExpectedTimeout);
            f2.SetResult(2);
        });

        var (finished, pending) = WaitUntilMet([f1, f2], ReturnWhen.FirstException);
        returned.Set();

        finished.ShouldBeExactly(f1, f2);
        pending.ShouldBeExactly();
        completer.Join();
    }

    [Fact]
    public void Wait_FirstExceptionWithCancelledFuture_CancelIsNotAnException()
    {
        Future<int> cancelled = FutureStates.Cancelled();
        var f1 = new Future<int>();
        var clock = Stopwatch.StartNew();

        var (finished, pending) = Future.Wait([cancelled, f1], ExpectedTimeout, ReturnWhen.FirstException);

        clock.Elapsed.Should().BeGreaterThanOrEqualTo(ExpectedTimeout, "a cancelled future is not a failure");
        finished.ShouldBeExactly(cancelled);
        pending.ShouldBeExactly(f1);
    }

    // CPython: test_all_completed
    [Fact]
    public void Wait_AllCompleted_ReturnsWhenAllDone()
    {
        Future<int> successful = FutureStates.Successful();
        Future<int> cancelledAndNotified = FutureStates.CancelledAndNotified();
        Future<int> failed = FutureStates.Failed();
        var f1 = new Future<int>();
        var f2 = new Future<int>();
        using var completer = HelperThread.WhenBlocked(Thread.CurrentThread, () =>
        {
            f1.SetException(new DivideByZeroException());
            f2.SetResult(42);
        });

        var (finished, pending) = WaitUntilMet([successful, cancelledAndNotified, failed, f1, f2], ReturnWhen.AllCompleted);

        finished.ShouldBeExactly(successful, cancelledAndNotified, failed, f1, f2);
        pending.ShouldBeExactly();
        completer.Join();
    }

    [Fact]
    public void Wait_DefaultReturnWhen_IsAllCompleted()
    {
        var f1 = new Future<int>();
        var f2 = new Future<int>();
        using var completer = HelperThread.WhenBlocked(Thread.CurrentThread, () =>
        {
            f1.SetResult(1);
            f2.SetResult(2);
        });

        var (finished, pending) = Future.Wait([f1, f2]);

        finished.ShouldBeExactly(f1, f2);
        pending.ShouldBeExactly();
        completer.Join();
    }

    // CPython: test_timeout
    [Fact]
    public void Wait_Timeout_ReturnsUnfinishedInNotDone()
    {
        Future<int> cancelledAndNotified = FutureStates.CancelledAndNotified();
        Future<int> failed = FutureStates.Failed();
        Future<int> successful = FutureStates.Successful();
        var future = new Future<int>();
        var clock = Stopwatch.StartNew();

        var (finished, pending) = Future.Wait([cancelledAndNotified, failed, successful, future], ExpectedTimeout, ReturnWhen.AllCompleted);

        clock.Elapsed.Should().BeGreaterThanOrEqualTo(ExpectedTimeout);
        finished.ShouldBeExactly(cancelledAndNotified, failed, successful);
        pending.ShouldBeExactly(future);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void Wait_ZeroOrNegativeTimeout_DoesNotWait(int seconds)
    {
        var pending = new Future<int>();
        Future<int> successful = FutureStates.Successful();

        var result = Future.Wait([pending, successful], TimeSpan.FromSeconds(seconds));

        result.Done.ShouldBeExactly(successful);
        result.NotDone.ShouldBeExactly(pending);
    }

    // CPython: ThreadPoolWaitTests.test_pending_calls_race (bpo-14406)
    [Fact]
    public void Wait_ManyFuturesCompletedByRacingThreads_ReturnsAllDone()
    {
        const int Threads = 4, PerThread = 25;
        Future[] fs = [.. Enumerable.Range(0, Threads * PerThread).Select(_ => new Future())];
        using var start = new Barrier(Threads);
        var completers = Enumerable.Range(0, Threads).Select(t => HelperThread.Start(() =>
        {
            start.SignalAndWait(UnexpectedTimeout);
            for (int i = t; i < fs.Length; i += Threads) fs[i].SetResult();
        })).ToList();

        var (finished, pending) = WaitUntilMet(fs, ReturnWhen.AllCompleted);

        finished.ShouldBeExactly(fs);
        pending.ShouldBeExactly();
        completers.ForEach(c => c.Join());
    }

    [Theory]
    [InlineData(ReturnWhen.FirstCompleted)]
    [InlineData(ReturnWhen.FirstException)]
    [InlineData(ReturnWhen.AllCompleted)]
    public void Wait_AlreadyCancelledFuture_CountsAsDoneAtOnce(ReturnWhen returnWhen)
    {
        // gh-92001: CPython hangs here, because only SetRunningOrNotifyCancel notified waiters.
        Future<int> cancelled = FutureStates.Cancelled();

        var (finished, pending) = WaitUntilMet([cancelled], returnWhen);

        finished.ShouldBeExactly(cancelled);
        pending.ShouldBeExactly();
    }

    [Fact]
    public void Wait_FuturesCancelledWhileWaiting_AllCompletedWakes()
    {
        var f1 = new Future();
        var f2 = new Future<int>();
        using var canceller = HelperThread.WhenBlocked(Thread.CurrentThread, () =>
        {
            f1.Cancel().Should().BeTrue();
            f2.Cancel().Should().BeTrue();
        });

        var (finished, pending) = WaitUntilMet<Future>([f1, f2], ReturnWhen.AllCompleted);

        finished.ShouldBeExactly(f1, f2);
        pending.ShouldBeExactly();
        f1.State.Should().Be(FutureState.Cancelled, "Wait leaves the futures as they are");
        canceller.Join();
    }

    [Fact]
    public void Wait_FutureCancelledWhileWaiting_FirstCompletedWakes()
    {
        var f1 = new Future<int>();
        var f2 = new Future<int>();
        using var canceller = HelperThread.WhenBlocked(Thread.CurrentThread, () => f2.Cancel());

        var (finished, pending) = WaitUntilMet([f1, f2], ReturnWhen.FirstCompleted);

        finished.ShouldBeExactly(f2);
        pending.ShouldBeExactly(f1);
        canceller.Join();
    }

    [Fact]
    public void Wait_Empty_ReturnsEmptySets()
    {
        var (finished, pending) = WaitUntilMet(Array.Empty<Future>(), ReturnWhen.FirstCompleted);

        finished.Should().BeEmpty();
        pending.Should().BeEmpty();
    }

    [Fact]
    public void Wait_NullArguments_ThrowArgumentNull()
    {
        FluentActions.Invoking(() => Future.Wait<Future>(null!)).Should().Throw<ArgumentNullException>();
        FluentActions.Invoking(() => Future.Wait(new Future[] { new Future(), null! })).Should().Throw<ArgumentNullException>();
    }

    [Fact]
    public void Wait_UndefinedReturnWhen_ThrowsArgumentOutOfRange()
    {
        // CPython: ValueError("Invalid return condition").
        var f = new Future<int>();

        FluentActions.Invoking(() => Future.Wait([f], TimeSpan.Zero, (ReturnWhen)42))
            .Should().Throw<ArgumentOutOfRangeException>().WithParameterName("returnWhen");
    }

    [Fact]
    public void Wait_SameFutureInTwoConcurrentWaits_BothWoken()
    {
        var f = new Future<int>();
        DoneAndNotDoneFutures<Future<int>> other = default;
        using var otherWaiter = HelperThread.Start(() => other = Future.Wait([f], UnexpectedTimeout));
        HelperThread.WaitUntilBlocked(otherWaiter.Thread);
        using var completer = HelperThread.WhenBlocked(Thread.CurrentThread, () => f.SetResult(1));

        var (done, _) = WaitUntilMet([f], ReturnWhen.FirstCompleted);

        completer.Join();
        otherWaiter.Join();
        done.ShouldBeExactly(f);
        other.Done.ShouldBeExactly(f);
    }

    [Fact]
    public void Wait_LazyEnumerable_EnumeratedOnce()
    {
        Future<int>[] fs = [FutureStates.Successful(1), FutureStates.Successful(2)];
        int enumerations = 0;
        IEnumerable<Future<int>> Lazy()
        {
            enumerations++;
            foreach (Future<int> f in fs) yield return f;
        }

        var (finished, _) = Future.Wait(Lazy(), TimeSpan.Zero);

        finished.ShouldBeExactly(fs);
        enumerations.Should().Be(1);
    }

    [Fact]
    public void Wait_MixedFutureTypes_ReturnsThemTyped()
    {
        var plain = new Future();
        var typed = new Future<string>();
        plain.SetResult();

        DoneAndNotDoneFutures<Future> result = Future.Wait<Future>([plain, typed], TimeSpan.Zero);

        result.Done.ShouldBeExactly(plain);
        result.NotDone.ShouldBeExactly(typed);
    }

    /// <summary>Waits with the guard timeout and checks that the wait ended because <paramref name="returnWhen"/> was met.</summary>
    private static DoneAndNotDoneFutures<TFuture> WaitUntilMet<TFuture>(IEnumerable<TFuture> fs, ReturnWhen returnWhen)
        where TFuture : Future
    {
        var clock = Stopwatch.StartNew();
        DoneAndNotDoneFutures<TFuture> result = Future.Wait(fs, UnexpectedTimeout, returnWhen);
        clock.Elapsed.Should().BeLessThan(UnexpectedTimeout, "Wait should end because {0} was met, not by the guard timeout", returnWhen);
        return result;
    }
}
