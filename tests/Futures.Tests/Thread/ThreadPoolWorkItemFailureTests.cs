namespace Futures.Tests;

/// <summary>
/// Contract v2: an exception escaping a work item (user code completing a submitted future itself,
/// so the executor's own completion fails) never crashes the process; it is reported like a
/// done-callback failure and the worker goes on.
/// </summary>
public sealed class ThreadPoolWorkItemFailureTests : TestBase
{
    [Fact]
    public void CallCompletesItsOwnFuture_ProcessGoesOnAndReportsToStandardError()
    {
        TestApp.Result r = TestApp.Run("work-item-escape");
        r.Stdout.ReplaceLineEndings("\n").Trim().Should().Be("1\n3", "the call's own result stands, and the worker runs the next call");
        r.ExitCode.Should().Be(0);
        r.Stderr.Should().StartWith("exception running work item for Future<Int32>(state=Finished, returned Int32)");
        r.Stderr.Should().Contain(nameof(InvalidStateException));
    }

    [Fact]
    public void CallCompletesItsOwnFuture_ReportedThroughCallbackFailed_WorkerGoesOn()
    {
        using var pool = new ThreadPoolExecutor(maxWorkers: 1);
        var submitted = new TaskCompletionSource<Future<int>>();
        Future<int> f = pool.Submit(() =>
        {
            submitted.Task.Result.SetResult(1);
            return 2;
        });
        using var failures = new CallbackFailures(f);
        submitted.SetResult(f);

        f.Result(UnexpectedTimeout).Should().Be(1, "the first completion stands");
        pool.Submit(static () => 3).Result(UnexpectedTimeout).Should().Be(3, "the worker goes on");
        failures.Reports.Should().ContainSingle().Which.Args.Exception.Should().BeOfType<InvalidStateException>();
    }

    [Fact]
    public void FutureCompletedBeforeItRan_RunReportsAndDoesNotThrow()
    {
        using var ex = new ManualExecutor();
        Future<int> f = ex.Submit(static () => 2);
        using var failures = new CallbackFailures(f);
        f.SetResult(1); // user code completes a submitted future that has not started

        ex.Invoking(e => e.RunNext(UnexpectedTimeout)).Should().NotThrow();
        f.Result().Should().Be(1);
        failures.Reports.Should().ContainSingle().Which.Args.Exception.Message.Should().Be("Future in unexpected state");
    }

    [Fact]
    public void CallCompletesItsOwnFuture_RunDoesNotThrow()
    {
        using var ex = new ManualExecutor();
        Future<int>? f = null;
        f = ex.Submit(() =>
        {
            f!.SetException(new IOException("set by the call"));
            return 2;
        });
        using var failures = new CallbackFailures(f);

        ex.Invoking(e => e.RunNext(UnexpectedTimeout)).Should().NotThrow();
        f.Exception().Should().BeOfType<IOException>();
        failures.Reports.Should().ContainSingle().Which.Args.Exception.Should().BeOfType<InvalidStateException>();
    }
}
