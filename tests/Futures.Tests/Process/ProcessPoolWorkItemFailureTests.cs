namespace Futures.Tests;

/// <summary>
/// Contract v2 in a process pool: user code that completes a submitted future itself makes the
/// pool's own completion fail; that is reported like a done-callback failure and the pool goes on.
/// </summary>
[Collection("ProcessPool")]
public sealed class ProcessPoolWorkItemFailureTests : ProcessTestBase
{
    [Fact]
    public void FutureCompletedByTheCallerWhileRunning_ResultReportedThroughCallbackFailed_PoolGoesOn()
    {
        var pool = NewPool(maxWorkers: 1);
        string name = $"futures-test-{Guid.NewGuid():N}";
        using var gate = new Mutex(initiallyOwned: true, name);
        Future<int> f = pool.Submit(ProcessTasks.AfterMutex, name);
        using var failures = new CallbackFailures(f);
        ProcessPoolExecutorTests.WaitUntilRunning(f);

        f.SetResult(1); // the caller completes it while the worker still runs the call
        gate.ReleaseMutex();

        // Same worker, so its first result was handled before this one.
        pool.Submit(ProcessTasks.Square, 3).Result(UnexpectedTimeout).Should().Be(9, "the pool goes on");
        f.Result().Should().Be(1, "the first completion stands");
        failures.Reports.Should().ContainSingle().Which.Args.Exception.Should().BeOfType<InvalidStateException>();
    }

    [Fact]
    public void FutureCompletedByTheCallerWhileQueued_NeverRuns_TheOtherCallsComplete()
    {
        var pool = NewPool(maxWorkers: 1);
        string name = $"futures-test-{Guid.NewGuid():N}";
        using var gate = new Mutex(initiallyOwned: true, name);
        Future<int> running = pool.Submit(ProcessTasks.AfterMutex, name);
        ProcessPoolExecutorTests.WaitUntilRunning(running);
        Future<int> extra = pool.Submit(ProcessTasks.Square, 2);  // handed to the busy worker at once
        Future<int> queued = pool.Submit(ProcessTasks.Square, 3); // waits in the pool's queue
        using var failures = new CallbackFailures(queued);

        queued.SetResult(99); // the caller completes it while it waits
        gate.ReleaseMutex();   // the answer to `running` makes the pool take `queued` next (was: a throw under its lock, and a hang)

        running.Result(UnexpectedTimeout).Should().Be(2);
        extra.Result(UnexpectedTimeout).Should().Be(4);
        pool.Submit(ProcessTasks.Square, 5).Result(UnexpectedTimeout).Should().Be(25, "the pool goes on");
        queued.Result().Should().Be(99, "the caller's outcome stands; the call never ran");
        failures.WaitFor(1, UnexpectedTimeout).Should().BeTrue("the failed start is reported like a done-callback failure");
        failures.Reports.Should().ContainSingle().Which.Args.Exception.Should().BeOfType<InvalidOperationException>()
            .Which.Message.Should().Be("Future in unexpected state");
    }

    [Fact]
    public void FutureCompletedByTheCallerWhileQueued_ThenThePoolBreaks_EveryOtherQueuedCallFails()
    {
        var pool = NewPool(maxWorkers: 1);
        string name = $"futures-test-{Guid.NewGuid():N}";
        using var gate = new Mutex(initiallyOwned: true, name);
        Future<int> lost = pool.Submit(ProcessTasks.ExitAfterMutex, name);
        ProcessPoolExecutorTests.WaitUntilRunning(lost);
        Future<int> extra = pool.Submit(ProcessTasks.Square, 2);
        Future<int> completedByCaller = pool.Submit(ProcessTasks.Square, 3);
        Future<int> queued = pool.Submit(ProcessTasks.Square, 4);

        completedByCaller.SetResult(99);
        gate.ReleaseMutex(); // the worker exits: the pool breaks and fails what it holds (was: stopped at the completed one)

        lost.Exception(UnexpectedTimeout).Should().BeOfType<BrokenProcessPoolException>();
        extra.Exception(UnexpectedTimeout).Should().BeOfType<BrokenProcessPoolException>();
        queued.Exception(UnexpectedTimeout).Should().BeOfType<BrokenProcessPoolException>("every waiting call fails when the pool breaks");
        completedByCaller.Result().Should().Be(99);
    }
}
