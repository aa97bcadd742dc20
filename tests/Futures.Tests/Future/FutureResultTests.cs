using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace Futures.Tests;

/// <summary>Result() and Exception(): timeouts, blocking, cancellation, and the exception object kept as thrown.</summary>
public class FutureResultTests : TestBase
{
    // CPython: test_result_with_timeout
    [Theory]
    [InlineData(FutureState.Pending, typeof(TimeoutException))]
    [InlineData(FutureState.Running, typeof(TimeoutException))]
    [InlineData(FutureState.Cancelled, typeof(CancelledException))]
    [InlineData(FutureState.CancelledAndNotified, typeof(CancelledException))]
    public void Result_ZeroTimeout_ThrowsForStatesWithoutResult(FutureState state, Type expected)
    {
        Future<int> f = FutureStates.In(state);

        Action act = () => f.Result(TimeSpan.Zero);

        act.Should().Throw<Exception>().Which.Should().BeOfType(expected);
    }

    // CPython: test_result_with_timeout (EXCEPTION_FUTURE, SUCCESSFUL_FUTURE)
    [Fact]
    public void Result_ZeroTimeout_FinishedReturnsOrRethrows()
    {
        FutureStates.Successful(42).Result(TimeSpan.Zero).Should().Be(42);
        FutureStates.Failed().Invoking(f => f.Result(TimeSpan.Zero)).Should().Throw<IOException>();
    }

    [Fact]
    public void Result_NegativeTimeout_DoesNotWait()
    {
        FutureStates.Pending().Invoking(f => f.Result(TimeSpan.FromSeconds(-1))).Should().Throw<TimeoutException>();
        FutureStates.Pending().Invoking(f => f.Result(TimeSpan.FromMilliseconds(-2))).Should().Throw<TimeoutException>();
        FutureStates.Pending().Invoking(f => f.Result(TimeSpan.FromTicks(-1))).Should().Throw<TimeoutException>();
        FutureStates.Successful(5).Result(TimeSpan.FromSeconds(-1)).Should().Be(5);
    }

    [Fact]
    public void Result_PendingWithTimeout_ThrowsTimeoutAfterWaiting()
    {
        var f = new Future<int>();
        var clock = Stopwatch.StartNew();

        Action act = () => f.Result(ExpectedTimeout);

        act.Should().Throw<TimeoutException>();
        clock.Elapsed.Should().BeGreaterThanOrEqualTo(ExpectedTimeout);
        f.State.Should().Be(FutureState.Pending);
    }

    // CPython: test_result_with_success
    [Fact]
    public void Result_SetWhileWaiting_ReturnsResult()
    {
        var f = new Future<int>();
        using var completer = HelperThread.WhenBlocked(Thread.CurrentThread, () => f.SetResult(42));

        f.Result(UnexpectedTimeout).Should().Be(42);
        completer.Join();
    }

    [Fact]
    public void Result_NullTimeout_WaitsUntilDone()
    {
        var f = new Future<string>();
        using var completer = HelperThread.WhenBlocked(Thread.CurrentThread, () => f.SetResult("done"));

        f.Result(timeout: null).Should().Be("done");
        completer.Join();
    }

    [Fact]
    public void Result_HugeTimeout_WaitsUntilDone()
    {
        var f = new Future<int>();
        using var completer = HelperThread.WhenBlocked(Thread.CurrentThread, () => f.SetResult(1));

        f.Result(TimeSpan.MaxValue).Should().Be(1);
        completer.Join();
    }

    // CPython: test_result_with_cancel
    [Fact]
    public void Result_CancelledWhileWaiting_ThrowsCancelled()
    {
        var f = new Future<int>();
        using var canceller = HelperThread.WhenBlocked(Thread.CurrentThread, () => f.Cancel().Should().BeTrue());

        Action act = () => f.Result(UnexpectedTimeout);

        act.Should().Throw<CancelledException>();
        canceller.Join();
    }

    [Fact]
    public void Result_ManyThreadsWaiting_AllWokenByOneSetResult()
    {
        var f = new Future<int>();
        var results = new int[4];
        var waiters = Enumerable.Range(0, results.Length)
            .Select(i => HelperThread.Start(() => results[i] = f.Result(UnexpectedTimeout)))
            .ToList();
        waiters.ForEach(w => HelperThread.WaitUntilBlocked(w.Thread));

        f.SetResult(9);

        waiters.ForEach(w => w.Join());
        results.Should().AllBeEquivalentTo(9);
    }

    [Fact]
    public void Result_RunningFutureFailsWhileWaiting_RethrowsOnWaitingThread()
    {
        Future<int> f = FutureStates.Running();
        var error = new InvalidOperationException("boom");
        using var completer = HelperThread.WhenBlocked(Thread.CurrentThread, () => f.SetException(error));

        Action act = () => f.Result(UnexpectedTimeout);

        act.Should().Throw<InvalidOperationException>().Which.Should().BeSameAs(error);
        completer.Join();
    }

    // CPython: test_exception_with_timeout
    [Theory]
    [InlineData(FutureState.Pending, typeof(TimeoutException))]
    [InlineData(FutureState.Running, typeof(TimeoutException))]
    [InlineData(FutureState.Cancelled, typeof(CancelledException))]
    [InlineData(FutureState.CancelledAndNotified, typeof(CancelledException))]
    public void Exception_ZeroTimeout_ThrowsForStatesWithoutOutcome(FutureState state, Type expected)
    {
        Future<int> f = FutureStates.In(state);

        Action act = () => f.Exception(TimeSpan.Zero);

        act.Should().Throw<Exception>().Which.Should().BeOfType(expected);
    }

    // CPython: test_exception_with_timeout (EXCEPTION_FUTURE, SUCCESSFUL_FUTURE)
    [Fact]
    public void Exception_ZeroTimeout_FinishedReturnsExceptionOrNull()
    {
        FutureStates.Failed().Exception(TimeSpan.Zero).Should().BeOfType<IOException>();
        FutureStates.Successful().Exception(TimeSpan.Zero).Should().BeNull();
    }

    // CPython: test_exception_with_success
    [Fact]
    public void Exception_SetWhileWaiting_ReturnsIt()
    {
        var f = new Future<int>();
        var error = new IOException();
        using var completer = HelperThread.WhenBlocked(Thread.CurrentThread, () => f.SetException(error));

        f.Exception(UnexpectedTimeout).Should().BeSameAs(error);
        completer.Join();
    }

    [Fact]
    public void Exception_CancelledWhileWaiting_ThrowsCancelled()
    {
        var f = new Future();
        using var canceller = HelperThread.WhenBlocked(Thread.CurrentThread, () => f.Cancel());

        Action act = () => f.Exception(UnexpectedTimeout);

        act.Should().Throw<CancelledException>();
        canceller.Join();
    }

    [Fact]
    public void Exception_PendingWithTimeout_ThrowsTimeout()
    {
        var f = new Future();

        f.Invoking(x => x.Exception(ExpectedTimeout)).Should().Throw<TimeoutException>();
    }

    [Fact]
    public void Exception_CalledTwice_ReturnsSameObjectAsSet()
    {
        var error = new FormatException("bad");
        Future<int> f = FutureStates.Failed(error);

        f.Exception().Should().BeSameAs(error);
        f.Exception().Should().BeSameAs(error);
    }

    [Fact]
    public void Result_Failed_RethrowsSameObjectWithOriginalStackFrames()
    {
        Exception thrown = CatchFromWork();
        var f = new Future<int>();
        f.SetException(thrown);

        for (int i = 0; i < 2; i++)
        {
            Exception caught = f.Invoking(x => x.Result()).Should().Throw<InvalidOperationException>().Which;

            caught.Should().BeSameAs(thrown);
            caught.StackTrace.Should().Contain(nameof(ThrowInWork));
            // The original frames are restored on each rethrow, not piled up.
            CountOf(caught.StackTrace!, nameof(ThrowInWork)).Should().Be(1);
        }
    }

    [Fact]
    public void Result_NonGenericFailed_RethrowsSameObjectWithOriginalStackFrames()
    {
        Exception thrown = CatchFromWork();
        var f = new Future();
        f.SetException(thrown);

        Exception caught = f.Invoking(x => x.Result()).Should().Throw<InvalidOperationException>().Which;

        caught.Should().BeSameAs(thrown);
        caught.StackTrace.Should().Contain(nameof(ThrowInWork));
    }

    [Fact]
    public void Result_FailedOnAnotherThread_RethrowsWithFramesOfThatThread()
    {
        var f = new Future<int>();
        using var worker = HelperThread.Start(() => f.SetException(CatchFromWork()));
        worker.Join();

        Exception caught = f.Invoking(x => x.Result()).Should().Throw<InvalidOperationException>().Which;

        caught.StackTrace.Should().Contain(nameof(ThrowInWork)).And.Contain(nameof(Result_FailedOnAnotherThread_RethrowsWithFramesOfThatThread));
    }

    [Fact]
    public void Result_ExceptionNeverThrown_RethrowsSameObject()
    {
        var error = new ArgumentException("never thrown before");
        Future<int> f = FutureStates.Failed(error);

        f.Invoking(x => x.Result()).Should().Throw<ArgumentException>().Which.Should().BeSameAs(error);
    }

    [Fact]
    public void Result_ThroughBaseReference_RethrowsAsGenericDoes()
    {
        var error = new IOException();
        Future f = FutureStates.Failed(error);

        f.Invoking(x => x.Result()).Should().Throw<IOException>().Which.Should().BeSameAs(error);
        ((Future)FutureStates.Successful()).Invoking(x => x.Result()).Should().NotThrow();
    }

    [Fact]
    public void Result_ReferenceTypeNull_ReturnsNull()
    {
        var f = new Future<string?>();
        f.SetResult(null);

        f.Result().Should().BeNull();
    }

    private static Exception CatchFromWork()
    {
        try
        {
            ThrowInWork();
            throw new UnreachableException();
        }
        catch (InvalidOperationException e)
        {
            return e;
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowInWork() => throw new InvalidOperationException("work failed");

    private static int CountOf(string text, string part)
    {
        int count = 0;
        for (int i = text.IndexOf(part, StringComparison.Ordinal); i >= 0; i = text.IndexOf(part, i + part.Length, StringComparison.Ordinal)) count++;
        return count;
    }
}
