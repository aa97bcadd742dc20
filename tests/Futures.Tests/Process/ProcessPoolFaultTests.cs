namespace Futures.Tests;

/// <summary>Worker crashes, the initializer, maxTasksPerChild, TerminateWorkers/KillWorkers, taskTimeout and ReplaceWorker.</summary>
[Collection("ProcessPool")]
public sealed class ProcessPoolFaultTests : ProcessTestBase
{
    private const string Abrupt = "A process in the process pool was terminated abruptly while the future was running or pending.";

    internal static void FailingInitializer() => throw new InvalidOperationException("init failed");

    internal static void MarkingInitializer() => Environment.SetEnvironmentVariable("FUTURES_TEST_INIT", "done");

    internal static string? ReadMark() => Environment.GetEnvironmentVariable("FUTURES_TEST_INIT");

    [Theory]
    [InlineData("exit")]
    [InlineData("failfast")]
    [InlineData("kill")]
    public void WorkerDies_WhileRunning_BreaksPool_RunningAndPendingFail(string how)
    {
        var pool = NewPool(maxWorkers: 1);
        Future<int> warm = pool.Submit(ProcessTasks.Pid);
        int pid = warm.Result(UnexpectedTimeout);
        Future<int> dying = how switch
        {
            "exit" => pool.Submit(ProcessTasks.Exit, 7),
            "failfast" => pool.Submit(ProcessTasks.FailFast),
            _ => pool.Submit(ProcessTasks.KillSelf),
        };
        // Pending behind it (Submit may already see the pool broken: then it throws, also fine).
        var pending = new List<Future>();
        for (int i = 0; i < 3; i++)
        {
            try { pending.Add(pool.Submit(ProcessTasks.SlowPid, 10)); }
            catch (BrokenProcessPoolException) { }
        }

        var e = dying.Exception(UnexpectedTimeout).Should().BeOfType<BrokenProcessPoolException>().Which;
        e.Message.Should().StartWith(Abrupt);
        string expected = how switch
        {
            "exit" => $" Worker pid {pid} exited with code 7.",
            "failfast" => $" Worker pid {pid} was killed by signal SIGABRT (6).",
            _ => $" Worker pid {pid} was killed by signal SIGKILL (9).",
        };
        e.Message.Should().EndWith(expected);
        foreach (Future f in pending) f.Exception(UnexpectedTimeout).Should().BeOfType<BrokenProcessPoolException>();
        FluentActions.Invoking(() => pool.Submit(ProcessTasks.Pid)).Should().Throw<BrokenProcessPoolException>().WithMessage(Abrupt + "*");
        pool.Shutdown();
        AssertNoChildren(pool);
    }

    [Fact]
    public void WorkerDies_WhileIdle_BreaksPool()
    {
        var pool = NewPool(maxWorkers: 1);
        int pid = pool.Submit(ProcessTasks.Pid).Result(UnexpectedTimeout);
        System.Diagnostics.Process.GetProcessById(pid).Kill();
        WaitUntilGone(pid);
        // The exit is reported asynchronously; a Submit racing it either throws or fails its future.
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            try
            {
                Exception? e = pool.Submit(ProcessTasks.Pid).Exception(UnexpectedTimeout);
                e.Should().BeOfType<BrokenProcessPoolException>();
                break;
            }
            catch (BrokenProcessPoolException)
            {
                break;
            }
        }
        clock.Elapsed.Should().BeLessThan(UnexpectedTimeout);
    }

    [Fact]
    public void Initializer_RunsInEveryWorker()
    {
        var pool = NewPool(maxWorkers: 1, initializer: MarkingInitializer);
        pool.Submit(ReadMark).Result(UnexpectedTimeout).Should().Be("done");
    }

    [Fact]
    public void Initializer_Throws_BreaksPoolWithItsException()
    {
        var pool = NewPool(maxWorkers: 2, initializer: FailingInitializer);
        var futures = Enumerable.Range(0, 4).Select(i => pool.Submit(ProcessTasks.Square, i)).ToList();
        foreach (var f in futures)
        {
            var e = f.Exception(UnexpectedTimeout).Should().BeOfType<BrokenProcessPoolException>().Which;
            e.Message.Should().Be("A process pool initializer failed, the process pool is not usable anymore");
            e.InnerException.Should().BeOfType<InvalidOperationException>().Which.Message.Should().Be("init failed");
        }
        FluentActions.Invoking(() => pool.Submit(ProcessTasks.Pid)).Should().Throw<BrokenProcessPoolException>();
        pool.Shutdown();
        AssertNoChildren(pool);
    }

    [Fact]
    public void Initializer_Throws_BreaksPoolEvenInReplaceWorkerMode()
    {
        var pool = NewPool(maxWorkers: 1, initializer: FailingInitializer, workerCrashMode: WorkerCrashMode.ReplaceWorker);
        pool.Submit(ProcessTasks.Pid).Exception(UnexpectedTimeout).Should().BeOfType<BrokenProcessPoolException>();
    }

    [Fact]
    public void MaxTasksPerChild_OneWorkerTwoTasks_TenTasksAllFinish_OnFiveWorkers()
    {
        // CPython deadlocked here (gh-115634): replacement must count live workers, not spawned ones.
        var pool = NewPool(maxWorkers: 1, maxTasksPerChild: 2);
        var futures = Enumerable.Range(0, 10).Select(_ => pool.Submit(ProcessTasks.Pid)).ToList();
        var pids = futures.Select(f => f.Result(UnexpectedTimeout)).ToList();
        pids.Distinct().Should().HaveCount(5);
        pids.GroupBy(p => p).Should().OnlyContain(g => g.Count() == 2);
        pool.Shutdown();
        AssertNoChildren(pool);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void TerminateOrKillWorkers_CancelsQueued_FailsRunning_ThenSubmitSaysShutdown(bool kill)
    {
        var pool = NewPool(maxWorkers: 1);
        Future<int> running = pool.Submit(ProcessTasks.SlowPid, 30_000);
        var queued = Enumerable.Range(0, 4).Select(_ => pool.Submit(ProcessTasks.SlowPid, 1)).ToList();
        ProcessPoolExecutorTests.WaitUntilRunning(running);
        ProcessPoolExecutorTests.WaitUntilRunning(queued[0]); // the one extra call queued behind the busy worker
        if (kill) pool.KillWorkers(); else pool.TerminateWorkers();

        running.Exception(UnexpectedTimeout).Should().BeOfType<BrokenProcessPoolException>()
            .Which.Message.Should().Contain(kill ? "SIGKILL (9)" : "SIGTERM (15)");
        // The one queued behind the running call was already handed out: it fails too; the rest are cancelled.
        queued.Skip(1).Should().OnlyContain(f => f.Cancelled());
        queued[0].Exception(UnexpectedTimeout).Should().BeOfType<BrokenProcessPoolException>();
        FluentActions.Invoking(() => pool.Submit(ProcessTasks.Pid)).Should().Throw<InvalidOperationException>()
            .WithMessage("cannot schedule new futures after shutdown");
        pool.Shutdown();
        AssertNoChildren(pool);
    }

    [Fact]
    public void TaskTimeout_OverdueTaskFails_WorkerReplaced_PoolGoesOn()
    {
        var pool = NewPool(maxWorkers: 1, taskTimeout: TimeSpan.FromSeconds(1));
        int firstPid = pool.Submit(ProcessTasks.Pid).Result(UnexpectedTimeout);
        Future<int> overdue = pool.Submit(ProcessTasks.SlowPid, 60_000);
        Future<int> next = pool.Submit(ProcessTasks.Pid);
        overdue.Exception(UnexpectedTimeout).Should().BeOfType<TimeoutException>().Which.Message.Should().Contain($"pid {firstPid}");
        next.Result(UnexpectedTimeout).Should().NotBe(firstPid);
        WaitUntilGone(firstPid);
        pool.Submit(ProcessTasks.Square, 5).Result(UnexpectedTimeout).Should().Be(25);
    }

    [Fact]
    public void ReplaceWorker_OnlyTheDeadWorkersCallFails_QueuedCallMovesOn()
    {
        var pool = NewPool(maxWorkers: 1, workerCrashMode: WorkerCrashMode.ReplaceWorker);
        int pid = pool.Submit(ProcessTasks.Pid).Result(UnexpectedTimeout);
        Future<int> dying = pool.Submit(ProcessTasks.Exit, 3);
        Future<int> behind = pool.Submit(ProcessTasks.Pid);
        Future<int> later = pool.Submit(ProcessTasks.Square, 6);
        dying.Exception(UnexpectedTimeout).Should().BeOfType<BrokenProcessPoolException>()
            .Which.Message.Should().Be($"{Abrupt} Worker pid {pid} exited with code 3.");
        behind.Result(UnexpectedTimeout).Should().NotBe(pid);
        later.Result(UnexpectedTimeout).Should().Be(36);
        pool.Submit(ProcessTasks.Square, 7).Result(UnexpectedTimeout).Should().Be(49);
    }

    [Fact]
    public void ReplaceWorker_IdleWorkerKilled_IsReplaced()
    {
        var pool = NewPool(maxWorkers: 1, workerCrashMode: WorkerCrashMode.ReplaceWorker);
        int pid = pool.Submit(ProcessTasks.Pid).Result(UnexpectedTimeout);
        System.Diagnostics.Process.GetProcessById(pid).Kill();
        WaitUntilGone(pid);
        pool.Submit(ProcessTasks.Pid).Result(UnexpectedTimeout).Should().NotBe(pid);
    }
}
