using System.Reflection;
using System.Runtime.Loader;

namespace Futures.Tests;

/// <summary>
/// A process pool when its program ends: normally with work still running (CPython's
/// <c>_python_exit</c>, test_interpreter_shutdown), or by an exit or a crash in the parent's own
/// part of a call (serializing an argument, deserializing a result — the stages of test_deadlock
/// that cannot be tested in the test process itself). Each scenario runs in Futures.TestApp; the
/// app's workers must be gone afterwards: no orphans.
/// </summary>
[Collection("ProcessPool")]
public sealed class ProcessPoolExitTests : ProcessTestBase
{
    [Theory]
    [InlineData("process-pending-work")]     // Main returns without Shutdown
    [InlineData("process-shutdown-nowait")]  // Main returns after Shutdown(wait: false) (gh-83386)
    public void MainReturns_CallStillRunning_FinishesThenWorkersAreGone(string scenario)
    {
        TestApp.Result r = TestApp.Run(scenario);
        r.Stderr.Should().BeEmpty();
        r.ExitCode.Should().Be(0);
        string line = r.Stdout.Trim();
        line.Should().StartWith("done ", "the call, released only once ProcessExit had begun, completed its future");
        int worker = int.Parse(line["done ".Length..]);
        ExtraPids.Add(worker);
        ProcessExists(worker).Should().BeFalse("the exit hook waited for the pool's workers to exit");
    }

    [Theory]
    [InlineData("exit", "serialize-argument")]
    [InlineData("crash", "serialize-argument")]
    [InlineData("exit", "deserialize-result")]   // Environment.Exit on the pool's manager thread: must not hang the exit
    [InlineData("crash", "deserialize-result")]
    [InlineData("exit", "done-callback")]        // likewise, from the user's callback
    public void ParentExitsOrCrashes_InItsPartOfACall_NoWorkerOutlivesIt(string failure, string stage)
    {
        TestApp.Result r = TestApp.Run("process-fault", failure, stage);
        string[] lines = r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        lines.Should().HaveCount(2, r.Stdout + r.Stderr);
        lines[0].Should().StartWith("workers ");
        int[] workers = lines[0]["workers ".Length..].Split(' ').Select(int.Parse).ToArray();
        workers.Should().NotBeEmpty();
        ExtraPids.AddRange(workers);
        string where = stage switch
        {
            "serialize-argument" => "serializing an argument",
            "deserialize-result" => "deserializing a result",
            _ => "running a done-callback",
        };
        lines[1].Should().Be($"{failure} while {where}");
        if (failure == "exit") r.ExitCode.Should().Be(17);
        else r.ExitCode.Should().Be(128 + 6, "FailFast aborts (SIGABRT)");
        // Dispose waits (guarded) until every worker is gone: they die with their parent.
    }

    [Fact]
    public void Submit_MethodOfAnAssemblyOutsideTheAppsDepsJson_WorkerLoadsItFromItsLocation()
    {
        // Futures.TestApp.dll is built beside the tests but is not a reference: not in their deps.json.
        string path = TestApp.Path();
        string deps = ((string)AppContext.GetData("APP_CONTEXT_DEPS_FILES")!).Split(';')[0];
        File.ReadAllText(deps).Should().NotContain("Futures.TestApp", $"{deps} must not list the assembly");
        Assembly plugin = AssemblyLoadContext.Default.LoadFromAssemblyPath(path);
        var whereAmI = plugin.GetType("Futures.TestApp.PluginTasks", throwOnError: true)!
            .GetMethod("WhereAmI")!.CreateDelegate<Func<string>>();

        var pool = NewPool(maxWorkers: 1);
        string[] answer = pool.Submit(whereAmI).Result(UnexpectedTimeout).Split('|');
        answer[0].Should().Be(path, "the worker loaded the assembly from the location the parent sent");
        int.Parse(answer[1]).Should().NotBe(Environment.ProcessId);
    }
}
