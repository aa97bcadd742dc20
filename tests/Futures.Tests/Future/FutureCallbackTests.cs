namespace Futures.Tests;

/// <summary>AddDoneCallback and Future.CallbackFailed.</summary>
public class FutureCallbackTests : TestBase
{
    // CPython: test_done_callback_with_result
    [Fact]
    public void AddDoneCallback_ThenSetResult_CallbackSeesResult()
    {
        int? seen = null;
        var f = new Future<int>();
        f.AddDoneCallback(x => seen = x.Result());

        f.SetResult(5);

        seen.Should().Be(5);
    }

    // CPython: test_done_callback_with_exception
    [Fact]
    public void AddDoneCallback_ThenSetException_CallbackSeesException()
    {
        Exception? seen = null;
        var error = new Exception("test");
        var f = new Future<int>();
        f.AddDoneCallback(x => seen = x.Exception());

        f.SetException(error);

        seen.Should().BeSameAs(error);
    }

    // CPython: test_done_callback_with_cancel
    [Fact]
    public void AddDoneCallback_ThenCancel_CallbackSeesCancelled()
    {
        bool? wasCancelled = null;
        var f = new Future();
        f.AddDoneCallback(x => wasCancelled = x.Cancelled());

        f.Cancel().Should().BeTrue();

        wasCancelled.Should().BeTrue();
    }

    // CPython: test_done_callback_raises
    [Fact]
    public void AddDoneCallback_CallbackThrows_ReportedAndLaterCallbacksRun()
    {
        bool raisingWasCalled = false, fnWasCalled = false;
        var error = new Exception("doh!");
        var f = new Future<int>();
        using var failures = new CallbackFailures(f);
        f.AddDoneCallback(_ =>
        {
            raisingWasCalled = true;
            throw error;
        });
        f.AddDoneCallback(_ => fnWasCalled = true);

        f.Invoking(x => x.SetResult(5)).Should().NotThrow();

        raisingWasCalled.Should().BeTrue();
        fnWasCalled.Should().BeTrue();
        failures.Reports.Should().ContainSingle();
        failures.Reports[0].Args.Future.Should().BeSameAs(f);
        failures.Reports[0].Args.Exception.Should().BeSameAs(error);
        failures.Reports[0].Thread.Should().BeSameAs(Thread.CurrentThread);
    }

    // CPython: test_done_callback_already_successful
    [Fact]
    public void AddDoneCallback_AlreadySucceeded_RunsAtOnce()
    {
        int? seen = null;
        Future<int> f = FutureStates.Successful(5);

        f.AddDoneCallback(x => seen = x.Result());

        seen.Should().Be(5);
    }

    // CPython: test_done_callback_already_failed
    [Fact]
    public void AddDoneCallback_AlreadyFailed_RunsAtOnce()
    {
        Exception? seen = null;
        var error = new Exception("test");
        Future<int> f = FutureStates.Failed(error);

        f.AddDoneCallback(x => seen = x.Exception());

        seen.Should().BeSameAs(error);
    }

    // CPython: test_done_callback_already_cancelled
    [Theory]
    [InlineData(FutureState.Cancelled)]
    [InlineData(FutureState.CancelledAndNotified)]
    public void AddDoneCallback_AlreadyCancelled_RunsAtOnce(FutureState state)
    {
        bool? wasCancelled = null;
        Future<int> f = FutureStates.In(state);

        f.AddDoneCallback(x => wasCancelled = x.Cancelled());

        wasCancelled.Should().BeTrue();
    }

    // CPython: test_done_callback_raises_already_succeeded
    [Fact]
    public void AddDoneCallback_AlreadyDoneAndCallbackThrows_ReportedOnCallerThreadNotThrown()
    {
        var error = new Exception("doh!");
        Future<int> f = FutureStates.Successful(5);
        using var failures = new CallbackFailures(f);

        f.Invoking(x => x.AddDoneCallback(_ => throw error)).Should().NotThrow();

        failures.Reports.Should().ContainSingle();
        failures.Reports[0].Args.Exception.Should().BeSameAs(error);
        failures.Reports[0].Args.Future.Should().BeSameAs(f);
        failures.Reports[0].Thread.Should().BeSameAs(Thread.CurrentThread);
    }

    [Fact]
    public void AddDoneCallback_Several_RunInOrderAdded()
    {
        var order = new List<int>();
        var f = new Future();
        for (int i = 0; i < 5; i++)
        {
            int n = i;
            f.AddDoneCallback(_ => order.Add(n));
        }

        f.SetResult();

        order.Should().Equal(0, 1, 2, 3, 4);
    }

    [Fact]
    public void AddDoneCallback_GenericAndNonGenericMixed_RunInOrderAdded()
    {
        var order = new List<string>();
        var f = new Future<int>();
        f.AddDoneCallback((Future x) => order.Add("base"));
        f.AddDoneCallback((Future<int> x) => order.Add("typed " + x.Result()));
        f.AddDoneCallback((Future x) => order.Add("base again"));

        f.SetResult(3);

        order.Should().Equal("base", "typed 3", "base again");
    }

    [Fact]
    public void AddDoneCallback_CompletedOnAnotherThread_RunsOnCompletingThreadBeforeSetResultReturns()
    {
        Thread? ranOn = null;
        bool doneWhenCallbackRan = false;
        var f = new Future<int>();
        f.AddDoneCallback(x =>
        {
            ranOn = Thread.CurrentThread;
            doneWhenCallbackRan = x.Done();
        });
        bool ranBeforeSetResultReturned = false;

        using var completer = HelperThread.Start(() =>
        {
            f.SetResult(1);
            ranBeforeSetResultReturned = ranOn is not null;
        });
        completer.Join();

        ranOn.Should().BeSameAs(completer.Thread);
        ranBeforeSetResultReturned.Should().BeTrue();
        doneWhenCallbackRan.Should().BeTrue();
    }

    [Fact]
    public void AddDoneCallback_CancelledOnAnotherThread_RunsOnCancellingThread()
    {
        Thread? ranOn = null;
        var f = new Future();
        f.AddDoneCallback(_ => ranOn = Thread.CurrentThread);

        using var canceller = HelperThread.Start(() => f.Cancel());
        canceller.Join();

        ranOn.Should().BeSameAs(canceller.Thread);
    }

    [Fact]
    public void AddDoneCallback_Cancelled_RunsOnceThoughCancelAndNotifyFollow()
    {
        int calls = 0;
        var f = new Future();
        f.AddDoneCallback(_ => calls++);

        f.Cancel();
        f.Cancel();
        f.SetRunningOrNotifyCancel();
        f.Cancel();

        calls.Should().Be(1);
    }

    [Fact]
    public void AddDoneCallback_Null_ThrowsArgumentNull()
    {
        var f = new Future<int>();

        f.Invoking(x => x.AddDoneCallback((Action<Future>)null!)).Should().Throw<ArgumentNullException>();
        f.Invoking(x => x.AddDoneCallback((Action<Future<int>>)null!)).Should().Throw<ArgumentNullException>();
    }

    [Fact]
    public void AddDoneCallback_Typed_ReceivesSameFuture()
    {
        Future<string>? received = null;
        var f = new Future<string>();
        f.AddDoneCallback(x => received = x);

        f.SetResult("a");

        received.Should().BeSameAs(f);
    }

    [Fact]
    public void AddDoneCallback_FromInsideCallback_RunsAtOnceOnSameThread()
    {
        var order = new List<string>();
        var f = new Future();
        f.AddDoneCallback(x =>
        {
            order.Add("outer start");
            x.AddDoneCallback(_ => order.Add("inner"));
            order.Add("outer end");
        });

        f.SetResult();

        order.Should().Equal("outer start", "inner", "outer end");
    }

    [Fact]
    public void AddDoneCallback_CallbackWaitsForThreadUsingFuture_NoDeadlock()
    {
        // Callbacks run outside the future's lock: a thread that needs the lock can proceed.
        var f = new Future<int>();
        bool otherThreadFinished = false;
        f.AddDoneCallback(x =>
        {
            using var other = HelperThread.Start(() =>
            {
                x.AddDoneCallback(_ => { });
                x.Cancel().Should().BeFalse();
                x.Result(TimeSpan.Zero).Should().Be(1);
            });
            other.Join();
            otherThreadFinished = true;
        });

        f.SetResult(1);

        otherThreadFinished.Should().BeTrue();
    }

    [Fact]
    public void AddDoneCallback_SeveralThrow_EachReportedInOrderAndAllRun()
    {
        var errors = new[] { new Exception("1"), new Exception("2") };
        int lastRan = 0;
        var f = new Future<int>();
        using var failures = new CallbackFailures(f);
        f.AddDoneCallback(_ => throw errors[0]);
        f.AddDoneCallback((Future<int> _) => throw errors[1]);
        f.AddDoneCallback(_ => lastRan++);

        f.Cancel().Should().BeTrue();

        lastRan.Should().Be(1);
        failures.Reports.Select(r => r.Args.Exception).Should().Equal(errors[0], errors[1]);
    }

    [Fact]
    public void CallbackFailed_HandlerThrows_OtherHandlersAndCallbacksStillRun()
    {
        bool laterCallbackRan = false;
        var f = new Future();
        EventHandler<FutureCallbackFailedEventArgs> throwingHandler = (_, e) =>
        {
            if (ReferenceEquals(e.Future, f)) throw new InvalidOperationException("handler failed");
        };
        Future.CallbackFailed += throwingHandler;
        try
        {
            using var failures = new CallbackFailures(f);
            f.AddDoneCallback(_ => throw new Exception("callback failed"));
            f.AddDoneCallback(_ => laterCallbackRan = true);

            f.Invoking(x => x.SetResult()).Should().NotThrow();

            laterCallbackRan.Should().BeTrue();
            failures.Reports.Should().ContainSingle()
                .Which.Args.Exception.Message.Should().Be("callback failed");
        }
        finally
        {
            Future.CallbackFailed -= throwingHandler;
        }
    }
}
