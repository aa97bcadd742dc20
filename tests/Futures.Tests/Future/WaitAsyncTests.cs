using System.Diagnostics;

namespace Futures.Tests;

/// <summary>Future.WaitAsync: Wait without blocking a thread, with a CancellationToken.</summary>
public class WaitAsyncTests : TestBase
{
    /// <summary>Timer-based waits may end up to a tick early as a Stopwatch measures them.</summary>
    private static readonly TimeSpan TimerSlack = TimeSpan.FromMilliseconds(20);

    [Fact]
    public async Task WaitAsync_SameFutureTwice_CountsOnce()
    {
        var f = new Future<int>();
        Task<DoneAndNotDoneFutures<Future<int>>> waiting = Future.WaitAsync([f, f], UnexpectedTimeout);
        waiting.IsCompleted.Should().BeFalse();

        f.SetResult(2);

        var (done, notDone) = await WhenMet(waiting);
        done.ShouldBeExactly(f);
        notDone.ShouldBeExactly();
    }

    [Fact]
    public async Task WaitAsync_FirstCompleted_CompletesWhenOneFinishes()
    {
        var f1 = new Future<int>();
        var f2 = new Future<int>();
        var waiting = Future.WaitAsync([f1, f2], UnexpectedTimeout, ReturnWhen.FirstCompleted);
        waiting.IsCompleted.Should().BeFalse();

        using var completer = HelperThread.Start(() => f1.SetResult(42));
        completer.Join();

        var (done, notDone) = await WhenMet(waiting);
        done.ShouldBeExactly(f1);
        notDone.ShouldBeExactly(f2);
    }

    [Fact]
    public async Task WaitAsync_FirstCompletedWithCancelledFuture_CompletesAtOnce()
    {
        Future<int> cancelled = FutureStates.Cancelled();
        var f1 = new Future<int>();

        var (done, notDone) = await WhenMet(Future.WaitAsync([cancelled, f1], UnexpectedTimeout, ReturnWhen.FirstCompleted));

        done.ShouldBeExactly(cancelled);
        notDone.ShouldBeExactly(f1);
    }

    [Fact]
    public async Task WaitAsync_FirstCompletedSomeAlreadyCompleted_ReturnsThem()
    {
        Future<int> cancelledAndNotified = FutureStates.CancelledAndNotified();
        Future<int> successful = FutureStates.Successful();
        var f1 = new Future<int>();

        var (done, notDone) = await WhenMet(Future.WaitAsync([cancelledAndNotified, successful, f1], UnexpectedTimeout, ReturnWhen.FirstCompleted));

        done.ShouldBeExactly(cancelledAndNotified, successful);
        notDone.ShouldBeExactly(f1);
    }

    [Fact]
    public async Task WaitAsync_FirstException_CompletesWhenOneFails()
    {
        var f1 = new Future<int>();
        var f2 = new Future<int>();
        var f3 = new Future<int>();
        var waiting = Future.WaitAsync([f1, f2, f3], UnexpectedTimeout, ReturnWhen.FirstException);

        using var completer = HelperThread.Start(() =>
        {
            f1.SetResult(42);
            f2.SetException(new Exception("this is an exception"));
        });
        completer.Join();

        var (done, notDone) = await WhenMet(waiting);
        done.ShouldBeExactly(f1, f2);
        notDone.ShouldBeExactly(f3);
    }

    [Fact]
    public async Task WaitAsync_FirstExceptionOneAlreadyFailed_CompletesAtOnce()
    {
        Future<int> failed = FutureStates.Failed();
        var f1 = new Future<int>();

        var (done, notDone) = await WhenMet(Future.WaitAsync([failed, f1], UnexpectedTimeout, ReturnWhen.FirstException));

        done.ShouldBeExactly(failed);
        notDone.ShouldBeExactly(f1);
    }

    [Fact]
    public async Task WaitAsync_FirstExceptionWithoutFailure_BehavesAsAllCompleted()
    {
        var f1 = new Future<int>();
        var f2 = new Future<int>();
        var waiting = Future.WaitAsync([f1, f2], UnexpectedTimeout, ReturnWhen.FirstException);

        f1.SetResult(1);
        (await Task.WhenAny(waiting, Task.Delay(ExpectedTimeout))).Should().NotBeSameAs(waiting, "a success is not an exception");
        f2.SetResult(2);

        var (done, notDone) = await WhenMet(waiting);
        done.ShouldBeExactly(f1, f2);
        notDone.ShouldBeExactly();
    }

    [Fact]
    public async Task WaitAsync_FirstExceptionWithCancelledFuture_CancelIsNotAnException()
    {
        Future<int> cancelled = FutureStates.Cancelled();
        var f1 = new Future<int>();
        var waiting = Future.WaitAsync([cancelled, f1], UnexpectedTimeout, ReturnWhen.FirstException);

        (await Task.WhenAny(waiting, Task.Delay(ExpectedTimeout))).Should().NotBeSameAs(waiting, "a cancelled future is not a failure");
        f1.Cancel();

        var (done, notDone) = await WhenMet(waiting);
        done.ShouldBeExactly(cancelled, f1);
        notDone.ShouldBeExactly();
    }

    [Fact]
    public async Task WaitAsync_AllCompleted_CompletesWhenAllDone()
    {
        Future<int> successful = FutureStates.Successful();
        Future<int> cancelledAndNotified = FutureStates.CancelledAndNotified();
        Future<int> failed = FutureStates.Failed();
        var f1 = new Future<int>();
        var f2 = new Future<int>();
        var waiting = Future.WaitAsync([successful, cancelledAndNotified, failed, f1, f2]);

        f1.SetException(new DivideByZeroException());
        waiting.IsCompleted.Should().BeFalse();
        f2.SetResult(42);

        var (done, notDone) = await waiting.WaitAsync(UnexpectedTimeout);
        done.ShouldBeExactly(successful, cancelledAndNotified, failed, f1, f2);
        notDone.ShouldBeExactly();
    }

    [Fact]
    public async Task WaitAsync_Timeout_ReturnsUnfinishedInNotDone()
    {
        Future<int> cancelledAndNotified = FutureStates.CancelledAndNotified();
        Future<int> failed = FutureStates.Failed();
        Future<int> successful = FutureStates.Successful();
        var future = new Future<int>();
        var clock = Stopwatch.StartNew();

        var (done, notDone) = await Future.WaitAsync([cancelledAndNotified, failed, successful, future], ExpectedTimeout)
            .WaitAsync(UnexpectedTimeout);

        clock.Elapsed.Should().BeGreaterThanOrEqualTo(ExpectedTimeout - TimerSlack);
        done.ShouldBeExactly(cancelledAndNotified, failed, successful);
        notDone.ShouldBeExactly(future);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public async Task WaitAsync_ZeroOrNegativeTimeout_DoesNotWait(int seconds)
    {
        var pending = new Future<int>();
        Future<int> successful = FutureStates.Successful();

        var (done, notDone) = await Future.WaitAsync([pending, successful], TimeSpan.FromSeconds(seconds)).WaitAsync(UnexpectedTimeout);

        done.ShouldBeExactly(successful);
        notDone.ShouldBeExactly(pending);
    }

    [Theory]
    [InlineData(ReturnWhen.FirstCompleted)]
    [InlineData(ReturnWhen.FirstException)]
    [InlineData(ReturnWhen.AllCompleted)]
    public async Task WaitAsync_AlreadyCancelledFuture_CountsAsDoneAtOnce(ReturnWhen returnWhen)
    {
        Future<int> cancelled = FutureStates.Cancelled();

        var (done, notDone) = await WhenMet(Future.WaitAsync([cancelled], UnexpectedTimeout, returnWhen));

        done.ShouldBeExactly(cancelled);
        notDone.ShouldBeExactly();
    }

    [Fact]
    public async Task WaitAsync_FuturesCancelledWhileWaiting_Completes()
    {
        var f1 = new Future();
        var f2 = new Future<int>();
        var waiting = Future.WaitAsync<Future>([f1, f2], UnexpectedTimeout);

        using var canceller = HelperThread.Start(() =>
        {
            f1.Cancel();
            f2.Cancel();
        });
        canceller.Join();

        var (done, notDone) = await WhenMet(waiting);
        done.ShouldBeExactly(f1, f2);
        notDone.ShouldBeExactly();
    }

    [Fact]
    public async Task WaitAsync_TokenAlreadyCancelled_ThrowsOperationCanceledAndLeavesFutures()
    {
        var f = new Future<int>();
        using var cts = new CancellationTokenSource();
        cts.Cancel();

        Func<Task> act = () => Future.WaitAsync([f], UnexpectedTimeout, cancellationToken: cts.Token);

        (await act.Should().ThrowAsync<OperationCanceledException>()).Which.CancellationToken.Should().Be(cts.Token);
        f.State.Should().Be(FutureState.Pending);
    }

    [Fact]
    public async Task WaitAsync_TokenCancelledWhileWaiting_ThrowsOperationCanceledAndLeavesFutures()
    {
        var f1 = new Future<int>();
        Future<int> f2 = FutureStates.Running();
        using var cts = new CancellationTokenSource();
        var waiting = Future.WaitAsync([f1, f2], UnexpectedTimeout, ReturnWhen.AllCompleted, cts.Token);
        waiting.IsCompleted.Should().BeFalse();

        using var canceller = HelperThread.Start(cts.Cancel);
        canceller.Join();

        Func<Task> act = () => waiting.WaitAsync(UnexpectedTimeout);
        (await act.Should().ThrowAsync<OperationCanceledException>()).Which.CancellationToken.Should().Be(cts.Token);
        f1.State.Should().Be(FutureState.Pending);
        f2.State.Should().Be(FutureState.Running);
        f1.SetResult(1);   // the abandoned wait is no obstacle
        f2.SetResult(2);
    }

    [Fact]
    public async Task WaitAsync_TokenNotCancelled_DoesNotDisturb()
    {
        var f = new Future<int>();
        using var cts = new CancellationTokenSource();
        var waiting = Future.WaitAsync([f], null, ReturnWhen.AllCompleted, cts.Token);

        f.SetResult(1);

        var (done, _) = await WhenMet(waiting);
        done.ShouldBeExactly(f);
    }

    [Fact]
    public async Task WaitAsync_ManyFuturesFinishedByRacingThreads_CompletesWithAllDone()
    {
        const int Threads = 4;
        Future[] fs = [.. Enumerable.Range(0, 100).Select(_ => new Future())];
        using var start = new Barrier(Threads + 1);
        var completers = Enumerable.Range(0, Threads).Select(t => HelperThread.Start(() =>
        {
            start.SignalAndWait(UnexpectedTimeout);
            for (int i = t; i < fs.Length; i += Threads) fs[i].SetResult();
        })).ToList();

        start.SignalAndWait(UnexpectedTimeout);   // completions race with the registration inside WaitAsync
        var waiting = Future.WaitAsync(fs, UnexpectedTimeout);
        completers.ForEach(c => c.Join());

        var (done, notDone) = await WhenMet(waiting);
        done.ShouldBeExactly(fs);
        notDone.ShouldBeExactly();
    }

    [Fact]
    public async Task WaitAsync_Empty_ReturnsEmptySets()
    {
        var (done, notDone) = await WhenMet(Future.WaitAsync(Array.Empty<Future<int>>(), UnexpectedTimeout, ReturnWhen.FirstException));

        done.Should().BeEmpty();
        notDone.Should().BeEmpty();
    }

    [Fact]
    public void WaitAsync_UndefinedReturnWhen_ThrowsArgumentOutOfRangeAtCall()
    {
        var f = new Future<int>();
        Action act = () => _ = Future.WaitAsync([f], TimeSpan.Zero, (ReturnWhen)(-1));

        act.Should().Throw<ArgumentOutOfRangeException>().WithParameterName("returnWhen");
    }

    [Fact]
    public async Task WaitAsync_HugeTimeout_WaitsUntilDone()
    {
        var f = new Future<int>();
        var waiting = Future.WaitAsync([f], TimeSpan.FromDays(1000));

        f.SetResult(1);

        var (done, _) = await waiting.WaitAsync(UnexpectedTimeout);
        done.ShouldBeExactly(f);
    }

    [Fact]
    public void WaitAsync_NullArguments_ThrowAtCall()
    {
        Action nullSequence = () => _ = Future.WaitAsync<Future>(null!);
        Action nullFuture = () => _ = Future.WaitAsync(new Future[] { null! });

        nullSequence.Should().Throw<ArgumentNullException>();
        nullFuture.Should().Throw<ArgumentNullException>();
    }

    /// <summary>Awaits a wait that had the guard timeout and checks it ended because its condition was met.</summary>
    private static async Task<DoneAndNotDoneFutures<TFuture>> WhenMet<TFuture>(Task<DoneAndNotDoneFutures<TFuture>> waiting)
        where TFuture : Future
    {
        var clock = Stopwatch.StartNew();
        DoneAndNotDoneFutures<TFuture> result = await waiting;
        clock.Elapsed.Should().BeLessThan(UnexpectedTimeout - TimerSlack, "the wait should end because its condition was met, not by the guard timeout");
        return result;
    }
}
