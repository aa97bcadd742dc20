namespace Futures.Tests;

/// <summary>
/// The completion fast path (Future.State.cs): a completion that finds no listener takes no lock,
/// and one that races a registrant must still tell it. Each race is run many times from a barrier,
/// and must hold in every interleaving: callbacks run exactly once and in order, a blocked Result()
/// and a Wait wake, and exactly one of two racing state changes wins.
/// </summary>
public sealed class FutureCompletionRaceTests : TestBase
{
    private const int Rounds = 1000;

    [Fact]
    public void SetResult_RacingAddDoneCallback_EveryCallbackRunsOnceInOrder()
    {
        for (int round = 0; round < Rounds; round++)
        {
            var f = new Future<int>();
            f.SetRunningOrNotifyCancel().Should().BeTrue();
            var calls = new List<(int N, Thread Thread)>();
            using var start = new Barrier(2);
            using var completer = HelperThread.Start(() =>
            {
                start.SignalAndWait();
                f.SetResult(round);
            });
            start.SignalAndWait();
            for (int i = 0; i < 3; i++)
            {
                int n = i;
                f.AddDoneCallback(done =>
                {
                    done.Result(TimeSpan.Zero).Should().Be(round);
                    lock (calls) calls.Add((n, Thread.CurrentThread));
                });
            }
            completer.Join();
            // Those added before the completion run on the completing thread, in order; those added
            // after run at once on the adding thread. The two groups may interleave (as before the
            // fast path, and in CPython), and together they are every callback once.
            lock (calls)
            {
                calls.Select(c => c.N).Should().BeEquivalentTo([0, 1, 2], "round {0}: each callback runs once", round);
                calls.Where(c => c.Thread == completer.Thread).Select(c => c.N).Should().BeInAscendingOrder();
                calls.Where(c => c.Thread != completer.Thread).Select(c => c.N).Should().BeInAscendingOrder();
                calls.Where(c => c.Thread == completer.Thread).Select(c => c.N)
                    .Should().Equal(Enumerable.Range(0, calls.Count(c => c.Thread == completer.Thread)), "the completer runs a prefix of the callbacks");
            }
        }
    }

    [Fact]
    public void SetResult_RacingBlockingResult_Wakes()
    {
        for (int round = 0; round < Rounds; round++)
        {
            var f = new Future<int>();
            f.SetRunningOrNotifyCancel().Should().BeTrue();
            using var start = new Barrier(2);
            using var completer = HelperThread.Start(() =>
            {
                start.SignalAndWait();
                f.SetResult(round);
            });
            start.SignalAndWait();
            f.Result(UnexpectedTimeout).Should().Be(round);
            completer.Join();
        }
    }

    [Fact]
    public void SetException_RacingWaitAndAsCompleted_BothSeeItDone()
    {
        var error = new IOException("raced");
        for (int round = 0; round < Rounds; round++)
        {
            var f = new Future<int>();
            using var start = new Barrier(3);
            using var completer = HelperThread.Start(() =>
            {
                start.SignalAndWait();
                f.SetException(error);
            });
            using var asCompleted = HelperThread.Start(() =>
            {
                start.SignalAndWait();
                Future.AsCompleted([f], UnexpectedTimeout).Should().Equal(f);
            });
            start.SignalAndWait();
            Future.Wait([f], UnexpectedTimeout, ReturnWhen.FirstException).Done.Should().Equal(f);
            completer.Join();
            asCompleted.Join();
            f.Exception(TimeSpan.Zero).Should().BeSameAs(error);
        }
    }

    [Fact]
    public void SetResultFromPending_RacingCancel_ExactlyOneWinsAndCallbacksRunOnce()
    {
        int cancelled = 0, finished = 0;
        for (int round = 0; round < Rounds; round++)
        {
            var f = new Future<int>();
            int callbackRuns = 0;
            if (round % 2 == 0) f.AddDoneCallback(_ => Interlocked.Increment(ref callbackRuns)); // half the rounds with a listener
            bool setWon = false;
            using var start = new Barrier(2);
            using var completer = HelperThread.Start(() =>
            {
                start.SignalAndWait();
                try
                {
                    f.SetResult(1);
                    setWon = true;
                }
                catch (InvalidStateException)
                {
                }
            });
            start.SignalAndWait();
            bool cancelWon = f.Cancel();
            completer.Join();
            cancelWon.Should().NotBe(setWon, "round {0}: exactly one of Cancel and SetResult wins", round);
            f.State.Should().Be(cancelWon ? FutureState.Cancelled : FutureState.Finished);
            if (round % 2 == 0) callbackRuns.Should().Be(1);
            if (cancelWon) cancelled++;
            else finished++;
        }
        (cancelled + finished).Should().Be(Rounds);
    }

    [Fact]
    public void SetRunningOrNotifyCancel_PendingWithCallback_RunsAndTheCallbackStillComes()
    {
        var f = new Future<string>();
        string? seen = null;
        f.AddDoneCallback(done => seen = done.Result());
        f.SetRunningOrNotifyCancel().Should().BeTrue();
        f.State.Should().Be(FutureState.Running);
        f.Running().Should().BeTrue();
        seen.Should().BeNull();
        f.SetResult("done");
        seen.Should().Be("done");
        f.State.Should().Be(FutureState.Finished);
    }

    [Fact]
    public void SetResult_RacingSetException_OneWinsTheOtherThrowsAndTheOutcomeIsTheWinners()
    {
        var error = new IOException("loser or winner");
        for (int round = 0; round < Rounds; round++)
        {
            var f = new Future<int>();
            f.SetRunningOrNotifyCancel().Should().BeTrue();
            bool exceptionWon = false;
            using var start = new Barrier(2);
            using var other = HelperThread.Start(() =>
            {
                start.SignalAndWait();
                try
                {
                    f.SetException(error);
                    exceptionWon = true;
                }
                catch (InvalidStateException)
                {
                }
            });
            start.SignalAndWait();
            bool resultWon;
            try
            {
                f.SetResult(7);
                resultWon = true;
            }
            catch (InvalidStateException)
            {
                resultWon = false;
            }
            other.Join();
            resultWon.Should().NotBe(exceptionWon, "round {0}", round);
            if (resultWon) f.Result(TimeSpan.Zero).Should().Be(7);
            else f.Exception(TimeSpan.Zero).Should().BeSameAs(error);
        }
    }
}
