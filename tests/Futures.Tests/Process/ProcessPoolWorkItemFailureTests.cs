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
}
