using System.Text.Json;
using System.Text.Json.Serialization;

namespace Futures.Tests;

/// <summary>Submit, results, what can cross, exceptions and shutdown (test_process_pool, test_shutdown's process parts).</summary>
[Collection("ProcessPool")]
public sealed class ProcessPoolExecutorTests : ProcessTestBase
{
    [Fact]
    public void Submit_StaticMethod_RunsInAnotherProcess()
    {
        var pool = NewPool();
        pool.Submit(ProcessTasks.Pid).Result(UnexpectedTimeout).Should().NotBe(Environment.ProcessId);
        pool.Submit(ProcessTasks.Square, 7).Result(UnexpectedTimeout).Should().Be(49);
        pool.Submit(ProcessTasks.Add, 2, 3).Result(UnexpectedTimeout).Should().Be(5);
        pool.Submit(ProcessTasks.Concat, "a", 1, 2.5).Result(UnexpectedTimeout).Should().Be("a|1|2.5");
    }

    [Fact]
    public void Submit_LambdaWithoutCaptures_Runs()
    {
        var pool = NewPool();
        pool.Submit(static (int x) => x + 1, 41).Result(UnexpectedTimeout).Should().Be(42);
        pool.Submit((string s) => s.ToUpperInvariant(), "abc").Result(UnexpectedTimeout).Should().Be("ABC");
        pool.Submit(() => Environment.ProcessId).Result(UnexpectedTimeout).Should().NotBe(Environment.ProcessId);
    }

    [Fact]
    public void Submit_Action_CompletesPlainFuture()
    {
        var pool = NewPool();
        Future f = pool.Submit(ProcessTasks.Sleep, 1);
        f.Result(UnexpectedTimeout);
        f.State.Should().Be(FutureState.Finished);
        f.Exception(UnexpectedTimeout).Should().BeNull();
    }

    [Fact]
    public void Submit_StructWithFieldsAndGenericMethod_RoundTrip()
    {
        var pool = NewPool();
        pool.Submit(ProcessTasks.Mirror, new Point { X = 1, Y = 2 }).Result(UnexpectedTimeout).Should().Be(new Point { X = 2, Y = 1 });
        pool.Submit(ProcessTasks.Identity, new List<string> { "x", "y" }).Result(UnexpectedTimeout).Should().Equal("x", "y");
        pool.Submit(ProcessTasks.Identity<(int, string)>, (3, "z")).Result(UnexpectedTimeout).Should().Be((3, "z"));
    }

    [Fact]
    public void Submit_CapturingLambda_ThrowsArgumentExceptionNamingTheVariables()
    {
        var pool = NewPool();
        int factor = 3;
        string label = "x";
        Action act = () => pool.Submit((int x) => x * factor + label.Length, 1);
        act.Should().Throw<ArgumentException>()
            .Which.Message.Should().Contain("factor").And.Contain("label").And.Contain("arguments");
    }

    [Fact]
    public void Submit_InstanceMethod_RunsOnACopyOfItsObject()
    {
        var pool = NewPool();
        var list = new List<int> { 1 };
        pool.Submit(list.Add, 2).Result(UnexpectedTimeout); // the worker's copy grows, as with pickle
        list.Should().Equal(1);
        pool.Submit(list.Contains, 1).Result(UnexpectedTimeout).Should().BeTrue();
    }

    [Fact]
    public void Submit_Null_ThrowsArgumentNullException()
    {
        var pool = NewPool();
        Action act = () => pool.Submit((Func<int>)null!);
        act.Should().Throw<ArgumentNullException>();
    }

    [Fact]
    public void Submit_WorkThrows_SameTypeAndMessageWithRemoteInner()
    {
        var pool = NewPool();
        Exception? e = pool.Submit(ProcessTasks.Throw, "boom").Exception(UnexpectedTimeout);
        e.Should().BeOfType<InvalidOperationException>().Which.Message.Should().Be("boom");
        var remote = e!.InnerException.Should().BeOfType<RemoteException>().Which;
        remote.RemoteType.Should().Be(typeof(InvalidOperationException).FullName);
        remote.RemoteStackTrace.Should().Contain(nameof(ProcessTasks.Throw));

        Action act = () => pool.Submit(ProcessTasks.ThrowCustom, "mine").Result(UnexpectedTimeout);
        act.Should().Throw<CustomTestException>().WithMessage("mine").WithInnerException<RemoteException>();
    }

    [Fact]
    public void Submit_ExceptionWithoutStringConstructor_ComesBackAsItsType_BoundByPropertyNames()
    {
        var pool = NewPool();
        Exception? e = pool.Submit(ProcessTasks.ThrowNoStringCtor).Exception(UnexpectedTimeout);
        e.Should().BeOfType<NoStringCtorException>().Which.Code.Should().Be(42);
        e!.Message.Should().Be("code 42");
    }

    [Fact]
    public void Submit_ExceptionThatNoConstructorCanRebuild_ComesBackAsRemoteException()
    {
        var pool = NewPool();
        Exception? e = pool.Submit(ProcessTasks.ThrowUnbuildable).Exception(UnexpectedTimeout);
        var remote = e.Should().BeOfType<RemoteException>().Which;
        remote.RemoteType.Should().Be(typeof(UnbuildableException).FullName);
        remote.Message.Should().Contain("unbuildable 7");
        remote.RemoteStackTrace.Should().Contain(nameof(ProcessTasks.ThrowUnbuildable));
    }

    [Fact]
    public void Submit_ArgumentThatCannotSerialize_FailsOnlyItsFuture()
    {
        var pool = NewPool();
        Future<int> bad = pool.Submit(static (Unserializable u) => 1, new Unserializable());
        bad.Exception(UnexpectedTimeout).Should().BeOfType<InvalidOperationException>().Which.Message.Should().Be("cannot serialize");
        pool.Submit(ProcessTasks.Square, 3).Result(UnexpectedTimeout).Should().Be(9);
    }

    [Fact]
    public void Submit_ResultThatCannotDeserialize_FailsOnlyItsFuture()
    {
        var pool = NewPool();
        Future<NoDeserialize> bad = pool.Submit(static () => new NoDeserialize { Value = 1 });
        bad.Exception(UnexpectedTimeout).Should().BeOfType<JsonException>();
        pool.Submit(ProcessTasks.Square, 4).Result(UnexpectedTimeout).Should().Be(16);
    }

    [Fact]
    public void Submit_ManyCalls_AllComplete_OnSeveralWorkers()
    {
        var pool = NewPool(maxWorkers: 2);
        var futures = Enumerable.Range(0, 50).Select(i => pool.Submit(ProcessTasks.Square, i)).ToList();
        futures.Select(f => f.Result(UnexpectedTimeout)).Should().Equal(Enumerable.Range(0, 50).Select(i => i * i));
    }

    [Fact]
    public void Submit_AfterShutdown_Throws()
    {
        var pool = NewPool();
        pool.Submit(ProcessTasks.Square, 2).Result(UnexpectedTimeout);
        pool.Shutdown();
        Action act = () => pool.Submit(ProcessTasks.Square, 2);
        act.Should().Throw<InvalidOperationException>().WithMessage("cannot schedule new futures after shutdown");
        AssertNoChildren(pool);
    }

    [Fact]
    public void Shutdown_Wait_RunsAllSubmittedWorkAndLeavesNoChild()
    {
        var pool = NewPool(maxWorkers: 2);
        var futures = Enumerable.Range(0, 6).Select(_ => pool.Submit(ProcessTasks.SlowPid, 50)).ToList();
        pool.Shutdown(wait: true);
        futures.Should().OnlyContain(f => f.State == FutureState.Finished);
        AssertNoChildren(pool);
    }

    [Fact]
    public void Shutdown_NoWait_WorkStillCompletes()
    {
        var pool = NewPool(maxWorkers: 1);
        var futures = Enumerable.Range(0, 3).Select(i => pool.Submit(ProcessTasks.Square, i)).ToList();
        pool.Shutdown(wait: false);
        futures.Select(f => f.Result(UnexpectedTimeout)).Should().Equal(0, 1, 4);
    }

    [Fact]
    public void Shutdown_CancelFutures_CancelsQueuedWork_RunningWorkFinishes()
    {
        var pool = NewPool(maxWorkers: 1);
        Future<int> first = pool.Submit(ProcessTasks.SlowPid, 300);
        var rest = Enumerable.Range(0, 5).Select(_ => pool.Submit(ProcessTasks.SlowPid, 300)).ToList();
        WaitUntilRunning(first);
        pool.Shutdown(wait: true, cancelFutures: true);
        first.State.Should().Be(FutureState.Finished);
        // The in-flight window: the running call plus at most one queued behind it.
        rest.Count(f => f.Cancelled()).Should().BeGreaterThanOrEqualTo(4);
        AssertNoChildren(pool);
    }

    [Fact]
    public void Cancel_QueuedCall_SucceedsBeyondTheInFlightWindow()
    {
        var pool = NewPool(maxWorkers: 1);
        Future<int> running = pool.Submit(ProcessTasks.SlowPid, 200);
        Future<int> extra = pool.Submit(ProcessTasks.SlowPid, 1);
        Future<int> queued = pool.Submit(ProcessTasks.SlowPid, 1);
        WaitUntilRunning(running);
        queued.Cancel().Should().BeTrue();
        running.Result(UnexpectedTimeout);
        extra.Result(UnexpectedTimeout);
        queued.Cancelled().Should().BeTrue();
    }

    [Fact]
    public void Constructor_InvalidArguments_Throw()
    {
        FluentActions.Invoking(() => new ProcessPoolExecutor(maxWorkers: 0)).Should().Throw<ArgumentOutOfRangeException>();
        FluentActions.Invoking(() => new ProcessPoolExecutor(maxQueueSize: 0)).Should().Throw<ArgumentOutOfRangeException>();
        FluentActions.Invoking(() => new ProcessPoolExecutor(maxQueueSize: 1, queueFullMode: QueueFullMode.CallerRuns))
            .Should().Throw<ArgumentException>();
        int captured = 1;
        FluentActions.Invoking(() => new ProcessPoolExecutor(initializer: () => captured++))
            .Should().Throw<ArgumentException>().Which.Message.Should().Contain("captured");
        new ProcessPoolExecutor().MaxWorkers.Should().Be(Environment.ProcessorCount);
        new ProcessPoolExecutor(name: "p").Name.Should().Be("p");
        new ProcessPoolExecutor().Name.Should().StartWith("ProcessPoolExecutor-");
    }

    /// <summary>Waits (guarded) until the manager has handed <paramref name="f"/> to a worker.</summary>
    internal static void WaitUntilRunning(Future f)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (f.State == FutureState.Pending)
        {
            if (clock.Elapsed > UnexpectedTimeout) throw new TimeoutException("never started");
            Thread.Sleep(5); // the Pending → Running transition has no event to wait on
        }
    }
}

[JsonConverter(typeof(ThrowingConverter))]
public sealed class Unserializable;

public sealed class ThrowingConverter : JsonConverter<Unserializable>
{
    public override Unserializable Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => new();
    public override void Write(Utf8JsonWriter writer, Unserializable value, JsonSerializerOptions options) =>
        throw new InvalidOperationException("cannot serialize");
}

/// <summary>Serializes fine; fails to deserialize (a JSON number where an object is expected).</summary>
[JsonConverter(typeof(NoDeserializeConverter))]
public sealed class NoDeserialize
{
    public int Value;
}

public sealed class NoDeserializeConverter : JsonConverter<NoDeserialize>
{
    public override NoDeserialize Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        throw new JsonException("cannot deserialize");
    public override void Write(Utf8JsonWriter writer, NoDeserialize value, JsonSerializerOptions options) => writer.WriteNumberValue(value.Value);
}
