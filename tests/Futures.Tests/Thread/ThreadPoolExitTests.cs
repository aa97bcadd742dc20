using System.Diagnostics;

namespace Futures.Tests;

/// <summary>
/// What happens when a program's Main returns with a thread pool still alive (CPython's
/// <c>test_interpreter_shutdown</c>, <c>test_hang_gh83386</c>, <c>test_cancel_futures_wait_false</c>):
/// submitted work still runs, and idle workers do not keep the process alive. Each scenario runs
/// in Futures.TestApp as a child process, which is killed if it outlives the test.
/// </summary>
public sealed class ThreadPoolExitTests : TestBase
{
    [Fact]
    public void MainReturns_WithoutShutdown_SubmittedWorkStillRuns() // test_interpreter_shutdown
    {
        ChildResult r = RunTestApp("pending-work");
        r.Stderr.Should().BeEmpty();
        r.Stdout.Trim().Should().Be("apple");
        r.ExitCode.Should().Be(0);
    }

    [Fact]
    public void MainReturns_AfterShutdownNoWait_SubmittedWorkStillRuns() // test_hang_gh83386
    {
        ChildResult r = RunTestApp("shutdown-nowait");
        r.Stderr.Should().BeEmpty();
        r.Stdout.Trim().Should().Be("apple");
        r.ExitCode.Should().Be(0);
    }

    [Fact]
    public void MainReturns_AfterShutdownCancelFuturesNoWait_RunningWorkFinishesAndQueuedNeverRuns() // test_cancel_futures_wait_false
    {
        ChildResult r = RunTestApp("cancel-nowait");
        r.Stderr.Should().BeEmpty();
        r.Stdout.Trim().Should().Be("apple");
        r.ExitCode.Should().Be(0);
    }

    [Fact]
    public void ProcessExit_AfterTheExitHook_SubmitThrows() // test_submit_after_interpreter_shutdown
    {
        ChildResult r = RunTestApp("submit-after-exit");
        r.Stderr.Should().BeEmpty();
        r.Stdout.Trim().Should().Be("runtime-error: cannot schedule new futures after shutdown");
        r.ExitCode.Should().Be(0);
    }

    [Fact]
    public void MainReturns_WithIdleWorkers_ProcessExits()
    {
        ChildResult r = RunTestApp("idle-workers");
        r.Stderr.Should().BeEmpty();
        r.Stdout.Trim().Should().Be("6");
        r.ExitCode.Should().Be(0);
    }

    // Contract v2: Environment.Exit inside a call ends the process with that code. The exiting
    // worker blocks in Environment.Exit while the ProcessExit handlers run on another thread, so
    // the exit hook must not wait for it; it still waits for the pool's other call, which prints.
    [Theory]
    [InlineData("call")]
    [InlineData("callback")]
    public void EnvironmentExit_OnAWorker_EndsTheProcessWithThatCode(string where)
    {
        TestApp.Result r = TestApp.Run("exit-in-call", where, "3");
        r.Stderr.Should().BeEmpty();
        r.Stdout.Trim().Should().Be("other done", "the exit hook still lets the other call finish");
        r.ExitCode.Should().Be(3);
    }

    private sealed record ChildResult(int ExitCode, string Stdout, string Stderr);

    /// <summary>Runs the test app with <paramref name="scenario"/>; fails (after killing it) if it has not exited within the guard.</summary>
    private static ChildResult RunTestApp(string scenario)
    {
        var psi = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add("exec");
        psi.ArgumentList.Add(TestAppPath());
        psi.ArgumentList.Add(scenario);
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";

        using var process = Process.Start(psi)!;
        try
        {
            Task<string> stdout = process.StandardOutput.ReadToEndAsync();
            Task<string> stderr = process.StandardError.ReadToEndAsync();
            bool exited = process.WaitForExit(UnexpectedTimeout);
            exited.Should().BeTrue($"the child ('{scenario}') must exit on its own once Main returns");
            process.WaitForExit(); // and its output is fully read
            return new ChildResult(process.ExitCode, stdout.GetAwaiter().GetResult(), stderr.GetAwaiter().GetResult());
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit();
            }
        }
    }

    /// <summary>
    /// Futures.TestApp.dll, built beside the tests by the project reference: the same layout with
    /// the project's folder name swapped (bin/Debug/net10.0 or artifacts/bin/.../debug alike).
    /// </summary>
    private static string TestAppPath()
    {
        string baseDir = AppContext.BaseDirectory;
        const string tests = "Futures.Tests", app = "Futures.TestApp";
        int at = baseDir.LastIndexOf(Path.DirectorySeparatorChar + tests + Path.DirectorySeparatorChar, StringComparison.Ordinal);
        at.Should().BeGreaterThanOrEqualTo(0, $"the test output folder '{baseDir}' should name {tests}");
        string path = Path.Combine(
            baseDir[..at] + Path.DirectorySeparatorChar + app + baseDir[(at + tests.Length + 1)..], app + ".dll");
        File.Exists(path).Should().BeTrue($"{path} should have been built by the project reference");
        return path;
    }
}
