using Futures.ProcessPool;

namespace Futures.Tests;

/// <summary>
/// Workers that cannot start, and how a worker's end is told: an exit code above 128 is a signal only
/// when the process really was signalled (a worker reports its own exit code; the .NET host's start
/// failures exit above 128 too, and are told as start failures with what the worker printed).
/// </summary>
[Collection("ProcessPool")]
public sealed class ProcessPoolStartTests : ProcessTestBase
{
    private const string Abrupt = "A process in the process pool was terminated abruptly while the future was running or pending.";

    [Fact]
    public void WorkerCannotStart_BreaksPool_WithTheFirstLinesOfItsStderr_NotASignal()
    {
        // `dotnet exec` of a missing Futures.dll: the host prints why and exits with 129, which reads as SIGHUP.
        WorkerLauncher real = WorkerLauncher.Default;
        var pool = NewPool(maxWorkers: 2);
        pool.Launcher = WorkerLauncher.DotnetExec(real.Host, real.RuntimeConfig, real.DepsFile, "/nonexistent/Futures.dll");

        var futures = Enumerable.Range(0, 3).Select(i => pool.Submit(ProcessTasks.Square, i)).ToList();

        foreach (Future<int> f in futures)
        {
            string message = f.Exception(UnexpectedTimeout).Should().BeOfType<BrokenProcessPoolException>().Which.Message;
            message.Should().StartWith(Abrupt).And.MatchRegex(@"Worker pid \d+ failed to start \(exit status 129\)\.")
                .And.Contain("Its standard error:\nThe application to execute does not exist: '/nonexistent/Futures.dll'")
                .And.NotContain("signal");
        }
        FluentActions.Invoking(() => pool.Submit(ProcessTasks.Pid)).Should().Throw<BrokenProcessPoolException>();
        pool.Shutdown();
        AssertNoChildren(pool);
    }

    [Fact]
    public void NoWayToStartAWorker_BreaksPool_WithTheReason()
    {
        var pool = NewPool(maxWorkers: 1);
        pool.Launcher = WorkerLauncher.Unavailable("This app cannot host workers.");

        var e = pool.Submit(ProcessTasks.Pid).Exception(UnexpectedTimeout).Should().BeOfType<BrokenProcessPoolException>().Which;

        e.Message.Should().Be("A process pool worker could not be started: This app cannot host workers.");
        e.InnerException.Should().BeOfType<NotSupportedException>();
        AssertBrokenOnSubmit(() => pool.Submit(ProcessTasks.Pid));
    }

    [Fact]
    public void MissingExecutable_BreaksPool_WithTheReason()
    {
        var pool = NewPool(maxWorkers: 1);
        pool.Launcher = WorkerLauncher.SelfLaunch(WorkerLaunchMode.StartupHook, "/nonexistent/app");

        pool.Submit(ProcessTasks.Pid).Exception(UnexpectedTimeout).Should().BeOfType<BrokenProcessPoolException>()
            .Which.Message.Should().StartWith("A process pool worker could not be started: ").And.Contain("/nonexistent/app");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void TaskExitsWithCodeAbove128_IsToldAsAnExitCode_NotASignal(bool fromAnotherThread)
    {
        var pool = NewPool(maxWorkers: 1);
        int pid = pool.Submit(ProcessTasks.Pid).Result(UnexpectedTimeout);

        Future<int> dying = fromAnotherThread ? pool.Submit(ProcessTasks.ExitFromAnotherThread, 129) : pool.Submit(ProcessTasks.Exit, 129);

        dying.Exception(UnexpectedTimeout).Should().BeOfType<BrokenProcessPoolException>()
            .Which.Message.Should().Be($"{Abrupt} Worker pid {pid} exited with code 129.");
    }

    [Fact]
    public void WorkerKilled_IsToldAsTheSignal()
    {
        var pool = NewPool(maxWorkers: 1);
        int pid = pool.Submit(ProcessTasks.Pid).Result(UnexpectedTimeout);

        Future<int> dying = pool.Submit(ProcessTasks.KillSelf);

        dying.Exception(UnexpectedTimeout).Should().BeOfType<BrokenProcessPoolException>()
            .Which.Message.Should().Be($"{Abrupt} Worker pid {pid} was killed by signal SIGKILL (9).");
    }

    [Fact]
    public void WorkersStderr_ReachesTheParentsStderr()
    {
        TestApp.Result r = TestApp.Run("process-stderr");
        r.ExitCode.Should().Be(0, r.Stderr);
        string line = r.Stdout.Trim();
        line.Should().StartWith("worker ");
        int worker = int.Parse(line["worker ".Length..]);
        ExtraPids.Add(worker);
        r.Stderr.Should().Be($"stderr of worker {worker}\n");
    }
}
