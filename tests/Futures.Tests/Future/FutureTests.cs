namespace Futures.Tests;

/// <summary>The state machine: Cancel, Cancelled, Running, Done, SetRunningOrNotifyCancel, SetResult, SetException.</summary>
public class FutureTests : TestBase
{
    [Fact]
    public void Ctor_NewFuture_IsPending()
    {
        var f = new Future();

        f.State.Should().Be(FutureState.Pending);
        f.Done().Should().BeFalse();
        f.Running().Should().BeFalse();
        f.Cancelled().Should().BeFalse();
    }

    // CPython: test_cancel
    [Theory]
    [InlineData(FutureState.Pending, true, FutureState.Cancelled)]
    [InlineData(FutureState.Running, false, FutureState.Running)]
    [InlineData(FutureState.Cancelled, true, FutureState.Cancelled)]
    [InlineData(FutureState.CancelledAndNotified, true, FutureState.CancelledAndNotified)]
    [InlineData(FutureState.Finished, false, FutureState.Finished)]
    public void Cancel_InEachState_ReturnsWhetherCancelledAndMovesOnlyFromPending(FutureState state, bool expected, FutureState after)
    {
        Future<int> f = FutureStates.In(state);

        f.Cancel().Should().Be(expected);

        f.State.Should().Be(after);
    }

    // CPython: test_cancel (f5, the finished-with-exception future)
    [Fact]
    public void Cancel_FinishedWithException_ReturnsFalseAndKeepsException()
    {
        var error = new IOException();
        Future<int> f = FutureStates.Failed(error);

        f.Cancel().Should().BeFalse();

        f.State.Should().Be(FutureState.Finished);
        f.Exception(TimeSpan.Zero).Should().BeSameAs(error);
    }

    // CPython: test_cancelled, test_done, test_running
    [Theory]
    [InlineData(FutureState.Pending, false, false, false)]
    [InlineData(FutureState.Running, false, false, true)]
    [InlineData(FutureState.Cancelled, true, true, false)]
    [InlineData(FutureState.CancelledAndNotified, true, true, false)]
    [InlineData(FutureState.Finished, false, true, false)]
    public void Predicates_InEachState_MatchPython(FutureState state, bool cancelled, bool done, bool running)
    {
        Future<int> f = FutureStates.In(state);

        f.State.Should().Be(state);
        f.Cancelled().Should().Be(cancelled);
        f.Done().Should().Be(done);
        f.Running().Should().Be(running);
    }

    [Fact]
    public void Predicates_FinishedWithException_DoneNotCancelledNotRunning()
    {
        Future<int> f = FutureStates.Failed();

        f.Done().Should().BeTrue();
        f.Cancelled().Should().BeFalse();
        f.Running().Should().BeFalse();
    }

    [Fact]
    public void SetRunningOrNotifyCancel_Pending_ReturnsTrueAndRuns()
    {
        var f = new Future();

        f.SetRunningOrNotifyCancel().Should().BeTrue();

        f.State.Should().Be(FutureState.Running);
    }

    [Fact]
    public void SetRunningOrNotifyCancel_Cancelled_ReturnsFalseAndNotifies()
    {
        Future<int> f = FutureStates.Cancelled();

        f.SetRunningOrNotifyCancel().Should().BeFalse();

        f.State.Should().Be(FutureState.CancelledAndNotified);
        f.Cancelled().Should().BeTrue();
    }

    [Theory]
    [InlineData(FutureState.Running)]
    [InlineData(FutureState.CancelledAndNotified)]
    [InlineData(FutureState.Finished)]
    public void SetRunningOrNotifyCancel_OtherStates_ThrowsUnexpectedState(FutureState state)
    {
        Future<int> f = FutureStates.In(state);

        Action act = () => f.SetRunningOrNotifyCancel();

        act.Should().Throw<InvalidOperationException>().WithMessage("Future in unexpected state");
        f.State.Should().Be(state);
    }

    [Fact]
    public void SetResult_Running_Finishes()
    {
        Future<int> f = FutureStates.Running();

        f.SetResult(7);

        f.State.Should().Be(FutureState.Finished);
        f.Result(TimeSpan.Zero).Should().Be(7);
    }

    [Fact]
    public void SetResult_NonGeneric_FinishesWithoutException()
    {
        var f = new Future();

        f.SetResult();

        f.State.Should().Be(FutureState.Finished);
        f.Exception(TimeSpan.Zero).Should().BeNull();
        f.Invoking(x => x.Result(TimeSpan.Zero)).Should().NotThrow();
    }

    // CPython: test_multiple_set_result
    [Fact]
    public void SetResult_Twice_ThrowsInvalidStateAndKeepsFirstResult()
    {
        var f = new Future<int>();
        f.SetResult(1);

        Action act = () => f.SetResult(2);

        act.Should().Throw<InvalidStateException>()
            .WithMessage("Finished: Future<Int32>(state=Finished, returned Int32)");
        f.Done().Should().BeTrue();
        f.Result().Should().Be(1);
    }

    // CPython: test_multiple_set_exception
    [Fact]
    public void SetException_Twice_ThrowsInvalidStateAndKeepsFirstException()
    {
        var f = new Future<int>();
        var first = new ArgumentException();
        f.SetException(first);

        Action act = () => f.SetException(new Exception());

        act.Should().Throw<InvalidStateException>()
            .WithMessage("Finished: Future<Int32>(state=Finished, raised ArgumentException)");
        f.Exception().Should().BeSameAs(first);
    }

    [Fact]
    public void SetException_AfterSetResult_ThrowsInvalidStateAndKeepsResult()
    {
        var f = new Future<int>();
        f.SetResult(1);

        Action act = () => f.SetException(new Exception());

        act.Should().Throw<InvalidStateException>();
        f.Result().Should().Be(1);
        f.Exception().Should().BeNull();
    }

    [Fact]
    public void SetResult_NonGenericTwice_ThrowsInvalidState()
    {
        var f = new Future();
        f.SetResult();

        Action act = () => f.SetResult();

        act.Should().Throw<InvalidStateException>().WithMessage("Finished: Future(state=Finished)");
    }

    [Theory]
    [InlineData(FutureState.Cancelled)]
    [InlineData(FutureState.CancelledAndNotified)]
    public void SetResultAndSetException_Cancelled_ThrowInvalidStateAndStayCancelled(FutureState state)
    {
        Future<int> f = FutureStates.In(state);

        f.Invoking(x => x.SetResult(1)).Should().Throw<InvalidStateException>()
            .WithMessage($"{state}: Future<Int32>(state={state})");
        f.Invoking(x => x.SetException(new Exception())).Should().Throw<InvalidStateException>();
        ((Future)f).Invoking(x => x.SetResult()).Should().Throw<InvalidStateException>();

        f.State.Should().Be(state);
        f.Invoking(x => x.Result(TimeSpan.Zero)).Should().Throw<CancelledException>();
    }

    [Fact]
    public void SetException_Null_ThrowsArgumentNull()
    {
        var f = new Future();

        f.Invoking(x => x.SetException(null!)).Should().Throw<ArgumentNullException>();
        f.State.Should().Be(FutureState.Pending);
    }

    [Fact]
    public void SetResult_Pending_FinishesWithoutRunning()
    {
        // Python allows set_result on a PENDING future (executors that skip set_running_or_notify_cancel).
        var f = new Future<string>();

        f.SetResult("x");

        f.State.Should().Be(FutureState.Finished);
        f.Result().Should().Be("x");
    }

    [Fact]
    public void SetResult_ManyThreadsRacing_ExactlyOneWins()
    {
        const int Threads = 8;
        for (int round = 0; round < 50; round++)
        {
            var f = new Future<int>();
            using var start = new Barrier(Threads);
            int wins = 0, losses = 0;
            var helpers = Enumerable.Range(0, Threads).Select(i => HelperThread.Start(() =>
            {
                start.SignalAndWait(UnexpectedTimeout);
                try
                {
                    if (i % 2 == 0) f.SetResult(i); else f.SetException(new InvalidOperationException(i.ToString()));
                    Interlocked.Increment(ref wins);
                }
                catch (InvalidStateException)
                {
                    Interlocked.Increment(ref losses);
                }
            })).ToList();
            helpers.ForEach(h => h.Join());

            wins.Should().Be(1);
            losses.Should().Be(Threads - 1);
            f.State.Should().Be(FutureState.Finished);
        }
    }

    [Fact]
    public void Cancel_RacingSetRunningOrNotifyCancel_ExactlyOneSideWins()
    {
        for (int round = 0; round < 200; round++)
        {
            var f = new Future();
            using var start = new Barrier(2);
            bool cancelled = false;
            using var canceller = HelperThread.Start(() =>
            {
                start.SignalAndWait(UnexpectedTimeout);
                cancelled = f.Cancel();
            });
            start.SignalAndWait(UnexpectedTimeout);
            bool running = f.SetRunningOrNotifyCancel();
            canceller.Join();

            running.Should().Be(!cancelled);
            f.State.Should().Be(running ? FutureState.Running : FutureState.CancelledAndNotified);
        }
    }
}
