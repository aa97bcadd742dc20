using System.Text.Json;
using System.Text.Json.Serialization;

namespace Futures.Tests;

/// <summary>
/// CPython's test_deadlock.py, for pipes and System.Text.Json: a failure at each stage of a call's
/// trip, as an exception, a process exit and a crash, must end with its defined outcome within the
/// guard timeout, never a hang. (A failure while the parent serializes an argument or deserializes
/// a result is an exception only: an exit or crash there ends the test process itself.)
/// </summary>
[Collection("ProcessPool")]
public sealed class ProcessPoolFaultMatrixTests : ProcessTestBase
{
    private const string Abrupt = "A process in the process pool was terminated abruptly while the future was running or pending.";

    internal static int TakeArg(ArgFault fault) => 1;

    internal static ResultFault MakeResult(string mode) => new() { Mode = mode };

    internal static int FailIn(string mode) => mode switch
    {
        "error" => throw new InvalidOperationException("error in function"),
        "exit" => ExitNow(),
        _ => CrashNow(),
    };

    private static int ExitNow()
    {
        Environment.Exit(17);
        return 0;
    }

    private static int CrashNow()
    {
        Environment.FailFast("crash in function");
        return 0;
    }

    /// <summary>(stage, failure) → the outcome: "error:Type" (this future fails with that type, the pool goes on) or "broken".</summary>
    public static TheoryData<string, string, string> Matrix => new()
    {
        { "serialize-argument-in-parent", "error", "error:InvalidOperationException" },
        { "deserialize-argument-in-worker", "error", "error:InvalidOperationException" },
        { "deserialize-argument-in-worker", "exit", "broken" },
        { "deserialize-argument-in-worker", "crash", "broken" },
        { "run-in-worker", "error", "error:InvalidOperationException" },
        { "run-in-worker", "exit", "broken" },
        { "run-in-worker", "crash", "broken" },
        { "serialize-result-in-worker", "error", "error:InvalidOperationException" },
        { "serialize-result-in-worker", "exit", "broken" },
        { "serialize-result-in-worker", "crash", "broken" },
        { "deserialize-result-in-parent", "error", "error:InvalidOperationException" },
    };

    [Theory]
    [MemberData(nameof(Matrix))]
    public void Fault_AtEachStage_EndsWithItsOutcome(string stage, string failure, string outcome)
    {
        var pool = NewPool(maxWorkers: 1);
        int pid = pool.Submit(ProcessTasks.Pid).Result(UnexpectedTimeout);
        Future faulty = stage switch
        {
            "serialize-argument-in-parent" => pool.Submit(TakeArg, new ArgFault { Mode = "parent-" + failure }),
            "deserialize-argument-in-worker" => pool.Submit(TakeArg, new ArgFault { Mode = failure }),
            "run-in-worker" => pool.Submit(FailIn, failure),
            "serialize-result-in-worker" => pool.Submit(MakeResult, failure),
            _ => pool.Submit(MakeResult, "parent-" + failure),
        };
        if (outcome == "broken")
        {
            AssertBrokenOnSubmit(() => pool.Submit(ProcessTasks.Square, 3));
            faulty.Exception(UnexpectedTimeout).Should().BeOfType<BrokenProcessPoolException>()
                .Which.Message.Should().StartWith(Abrupt).And.Contain($"pid {pid}");
            FluentActions.Invoking(() => pool.Submit(ProcessTasks.Pid)).Should().Throw<BrokenProcessPoolException>();
        }
        else
        {
            Future<int> next = pool.Submit(ProcessTasks.Square, 3);
            faulty.Exception(UnexpectedTimeout)!.GetType().Name.Should().Be(outcome["error:".Length..]);
            next.Result(UnexpectedTimeout).Should().Be(9);
            pool.Submit(ProcessTasks.Pid).Result(UnexpectedTimeout).Should().Be(pid, "the pool and its worker go on");
        }
        pool.Shutdown();
        AssertNoChildren(pool);
    }

    [Fact]
    public void Crash_WithBigArgumentsInFlight_DoesNotHang()
    {
        // test_crash_big_data: a worker dies while megabytes are on their way to it.
        var pool = NewPool(maxWorkers: 1);
        string big = new('x', 8 << 20);
        Future<int> crash = pool.Submit(static (string mode, string _) => FailIn(mode), "crash", big);
        for (int i = 0; i < 3; i++)
        {
            // The pool may break while this call is being serialized: then Submit itself says so.
            try
            {
                pool.Submit(static (string s) => s.Length, big).Exception(UnexpectedTimeout).Should().BeOfType<BrokenProcessPoolException>();
            }
            catch (BrokenProcessPoolException)
            {
            }
        }
        crash.Exception(UnexpectedTimeout).Should().BeOfType<BrokenProcessPoolException>();
        pool.Shutdown();
        AssertNoChildren(pool);
    }

    [Fact]
    public void BigArgumentsAndResults_Cross()
    {
        var pool = NewPool(maxWorkers: 1);
        string big = new('y', 4 << 20);
        pool.Submit(static (string s) => s + s, big).Result(UnexpectedTimeout).Length.Should().Be(8 << 20);
    }

    [Fact]
    public void Shutdown_AfterCrash_ReturnsAndLeavesNoChild()
    {
        // test_shutdown_deadlock: shutdown while a worker is dying must not hang.
        var pool = NewPool(maxWorkers: 2);
        Future<int> crash = pool.Submit(FailIn, "crash");
        pool.Shutdown(wait: true);
        crash.Exception(UnexpectedTimeout).Should().BeOfType<BrokenProcessPoolException>();
        AssertNoChildren(pool);
    }

    [Fact]
    public void ManySmallCalls_SubmittedAtOnce_AllFinish()
    {
        // gh-105829: a flood of submits must not block the manager.
        var pool = NewPool(maxWorkers: 2);
        var futures = Enumerable.Range(0, 5000).Select(i => pool.Submit(ProcessTasks.Square, i % 100)).ToList();
        Future.Wait(futures, UnexpectedTimeout).NotDone.Should().BeEmpty();
        futures.Sum(f => (long)f.Result()).Should().Be(Enumerable.Range(0, 5000).Sum(i => (long)(i % 100) * (i % 100)));
    }

    [Fact]
    public void ParentKilled_WorkersExit()
    {
        // The "parent" is itself a worker that runs a nested pool; SIGKILL it and its child must go.
        var pool = NewPool(maxWorkers: 1);
        int parentPid = pool.Submit(ProcessTasks.Pid).Result(UnexpectedTimeout);
        int grandchild = pool.Submit(NestedPool.StartAndReturnWorkerPid).Result(UnexpectedTimeout);
        ExtraPids.Add(grandchild);
        grandchild.Should().NotBe(parentPid);
        ProcessExists(grandchild).Should().BeTrue();
        pool.KillWorkers();
        WaitUntilGone(parentPid);
        WaitUntilGone(grandchild);
    }
}

/// <summary>Runs inside a worker: a pool of its own, kept alive by a static field.</summary>
internal static class NestedPool
{
    private static ProcessPoolExecutor? s_pool;

    public static int StartAndReturnWorkerPid()
    {
        s_pool = new ProcessPoolExecutor(maxWorkers: 1);
        return s_pool.Submit(ProcessTasks.Pid).Result(TimeSpan.FromSeconds(30));
    }
}

/// <summary>An argument whose converter fails as <see cref="Mode"/> says: in the parent when written (<c>parent-*</c>), else in the worker when read.</summary>
[JsonConverter(typeof(ArgFaultConverter))]
public sealed class ArgFault
{
    public string Mode = "";
}

public sealed class ArgFaultConverter : JsonConverter<ArgFault>
{
    public override ArgFault Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        string mode = reader.GetString()!;
        Faults.Do(mode, "deserializing an argument");
        return new ArgFault { Mode = mode };
    }

    public override void Write(Utf8JsonWriter writer, ArgFault value, JsonSerializerOptions options)
    {
        if (value.Mode.StartsWith("parent-", StringComparison.Ordinal)) Faults.Do(value.Mode["parent-".Length..], "serializing an argument");
        writer.WriteStringValue(value.Mode);
    }
}

/// <summary>A result whose converter fails as <see cref="Mode"/> says: in the parent when read (<c>parent-*</c>), else in the worker when written.</summary>
[JsonConverter(typeof(ResultFaultConverter))]
public sealed class ResultFault
{
    public string Mode = "";
}

public sealed class ResultFaultConverter : JsonConverter<ResultFault>
{
    public override ResultFault Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        string mode = reader.GetString()!;
        if (mode.StartsWith("parent-", StringComparison.Ordinal)) Faults.Do(mode["parent-".Length..], "deserializing a result");
        return new ResultFault { Mode = mode };
    }

    public override void Write(Utf8JsonWriter writer, ResultFault value, JsonSerializerOptions options)
    {
        if (!value.Mode.StartsWith("parent-", StringComparison.Ordinal)) Faults.Do(value.Mode, "serializing a result");
        writer.WriteStringValue(value.Mode);
    }
}

internal static class Faults
{
    public static void Do(string mode, string where)
    {
        switch (mode)
        {
            case "error": throw new InvalidOperationException($"error while {where}");
            case "exit": Environment.Exit(17); break;
            case "crash": Environment.FailFast($"crash while {where}"); break;
        }
    }
}
