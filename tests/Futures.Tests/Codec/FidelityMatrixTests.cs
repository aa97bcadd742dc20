using System.Collections.Immutable;

namespace Futures.Tests.Codec;

/// <summary>Methods the matrix sends to workers: what they see, and echoes of what they were given.</summary>
public static class FidelityTasks
{
    public static T Echo<T>(T value) => value;

    public static string Describe(PrivateState s) => $"{s.Id}/{s.Name}/{s.Hidden}";

    public static string Speak(Animal a) => $"{a.GetType().Name}: {a.Speak()}";

    public static bool SameList(TwoLists two) => ReferenceEquals(two.A, two.B);

    public static int Apply(Func<int, int> f) => f(1);

    public static Thread MakeThread() => new(() => { });

    public static int ThrowCode() => throw new CodeException("bad", 5);

    public static int ThrowParam() => throw new ArgumentNullException("param", "missing");

    public static int ThrowAggregate() => throw new AggregateException(new InvalidOperationException("a"), new ArgumentException("b"));

    public static int ThrowChained() => throw new InvalidOperationException("outer", new FormatException("inner"));

    public static async Task<int> DoubleLater(int x)
    {
        await Task.Delay(10);
        return x * 2;
    }

    public static async Task<int> FailLater(string message)
    {
        await Task.Yield();
        throw new CodeException(message, 9);
    }

    public static async Task PauseLater() => await Task.Delay(5);

    public static int ThrowWithData()
    {
        var e = new SettableException("s") { Detail = "d", HResult = 4321 };
        e.Data["key"] = 42;
        throw e;
    }
}

/// <summary>A bound method's object: the worker runs on a copy.</summary>
public sealed class Counter
{
    public int Start;
    private int _calls;

    public int AddTo(int x)
    {
        _calls++;
        return Start + x + _calls * 100;
    }

    public int Calls => _calls;
}

/// <summary>
/// The fidelity matrix of contract v2 "Data across the boundary", for every executor that ships calls
/// to another process (the ChannelTestBase pattern: each executor subclasses it): each case arrives
/// as it was sent, or is refused naming its type and place.
/// </summary>
public abstract class FidelityMatrixTests : TestBase
{
    /// <summary>The executor under test; the subclass disposes what it makes.</summary>
    protected abstract Executor Executor { get; }

    private T RoundTrip<T>(T value) => Executor.Submit(FidelityTasks.Echo, value).Result(UnexpectedTimeout);

    [Fact]
    public void PrivateSettersAndPrivateFields_Arrive()
    {
        Executor.Submit(FidelityTasks.Describe, new PrivateState(11, "secret")).Result(UnexpectedTimeout).Should().Be("11/secret/99");
        PrivateState back = RoundTrip(new PrivateState(11, "secret"));
        (back.Id, back.Name, back.Hidden).Should().Be((11, "secret", 99));
    }

    [Fact]
    public void DerivedTypes_ArriveAsThemselves_BothWays()
    {
        Executor.Submit(FidelityTasks.Speak, (Animal)new Dog { Name = "Rex", Breed = "Lab" }).Result(UnexpectedTimeout).Should().Be("Dog: Rex the Lab barks");
        RoundTrip<object>(new Dog { Name = "Rex", Breed = "Lab" }).Should().BeOfType<Dog>().Which.Breed.Should().Be("Lab");
        RoundTrip<object>(42L).Should().BeOfType<long>();
        RoundTrip<IShape>(new Square(2)).Should().Be(new Square(2));
    }

    [Fact]
    public void CyclesAndSharedReferences_KeepTheirShape()
    {
        var a = new Node { Name = "a" };
        a.Next = new Node { Name = "b", Next = a };
        Node back = RoundTrip(a);
        back.Next!.Next.Should().BeSameAs(back);
        var list = new List<int> { 1 };
        Executor.Submit(FidelityTasks.SameList, new TwoLists { A = list, B = list }).Result(UnexpectedTimeout).Should().BeTrue();
        TwoLists lists = RoundTrip(new TwoLists { A = list, B = list });
        lists.A.Should().BeSameAs(lists.B);
    }

    [Fact]
    public void ConstructorParametersThatMatchNoProperty_AreNoObstacle()
    {
        RoundTrip(new Temperature(212)).Celsius.Should().Be(100);
        RoundTrip(new Person("Ann", 3) { Tags = ["t"] }).Tags.Should().Equal("t");
    }

    [Fact]
    public void CollectionsAndScalars_ArriveExactly()
    {
        RoundTrip(new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase) { ["A"] = 1 })["a"].Should().Be(1);
        RoundTrip(ImmutableList.Create(1, 2)).Should().Equal(1, 2);
        RoundTrip((1, "x")).Should().Be((1, "x"));
        RoundTrip(1.50m).Scale.Should().Be(2);
        var local = new DateTime(2024, 1, 2, 3, 4, 5, DateTimeKind.Local).AddTicks(7);
        RoundTrip(local).Should().Be(local);
        RoundTrip(local).Kind.Should().Be(DateTimeKind.Local);
        var offset = new DateTimeOffset(2024, 1, 2, 3, 4, 5, TimeSpan.FromHours(-3)).AddTicks(1);
        RoundTrip(offset).Offset.Should().Be(TimeSpan.FromHours(-3));
        RoundTrip(Color.Green).Should().Be(Color.Green);
        string big = new string('é', 300_000);
        RoundTrip(big).Should().Be(big);
        byte[] bytes = Enumerable.Range(0, 100_000).Select(i => (byte)i).ToArray();
        RoundTrip(bytes).Should().Equal(bytes);
    }

    [Fact]
    public void Delegates_AreRefusedAtSubmit_NamingTypeAndArgument()
    {
        Action submit = () => Executor.Submit<Func<int, int>, int>(FidelityTasks.Apply, static x => x + 1);
        submit.Should().Throw<ArgumentException>().Which.Message.Should().Contain("System.Func<System.Int32, System.Int32>").And.Contain("arg1");
        Action nested = () => Executor.Submit(FidelityTasks.Echo<WithCallback>, new WithCallback { Callback = static x => x });
        nested.Should().Throw<ArgumentException>().Which.Message.Should().Contain("arg1.Callback");
    }

    [Fact]
    public void AResultThatCannotCross_FailsItsFuture_NamingTheType()
    {
        Exception? e = Executor.Submit(FidelityTasks.MakeThread).Exception(UnexpectedTimeout);
        e.Should().BeOfType<ArgumentException>().Which.Message.Should().Contain("System.Threading.Thread").And.Contain("the result");
        Executor.Submit(FidelityTasks.Echo, 3).Result(UnexpectedTimeout).Should().Be(3);
    }

    [Fact]
    public void Exceptions_ComeBackWithTheirState()
    {
        Executor.Submit(FidelityTasks.ThrowCode).Exception(UnexpectedTimeout).Should().BeOfType<CodeException>().Which.Code.Should().Be(5);
        Executor.Submit(FidelityTasks.ThrowParam).Exception(UnexpectedTimeout).Should().BeOfType<ArgumentNullException>().Which.ParamName.Should().Be("param");
        var aggregate = Executor.Submit(FidelityTasks.ThrowAggregate).Exception(UnexpectedTimeout).Should().BeOfType<AggregateException>().Which;
        aggregate.InnerExceptions.Select(x => x.GetType()).Should().Equal(typeof(InvalidOperationException), typeof(ArgumentException));
        aggregate.Message.Should().Be("One or more errors occurred. (a) (b)");
        var chained = Executor.Submit(FidelityTasks.ThrowChained).Exception(UnexpectedTimeout)!;
        chained.InnerException.Should().BeOfType<FormatException>().Which.Message.Should().Be("inner");
        chained.StackTrace.Should().Contain(nameof(FidelityTasks.ThrowChained));
        var settable = Executor.Submit(FidelityTasks.ThrowWithData).Exception(UnexpectedTimeout).Should().BeOfType<SettableException>().Which;
        (settable.Detail, settable.HResult, settable.Data["key"]).Should().Be(("d", 4321, 42));
        settable.InnerException.Should().BeOfType<RemoteException>().Which.RemoteStackTrace.Should().Contain(nameof(FidelityTasks.ThrowWithData));
    }

    [Fact]
    public void AsyncMethods_AreAwaitedInTheWorker()
    {
        Executor.Submit(FidelityTasks.DoubleLater, 21).Result(UnexpectedTimeout).Should().Be(42);
        Executor.Submit(static async (int x) => { await Task.Yield(); return x + 1; }, 1).Result(UnexpectedTimeout).Should().Be(2);
        Executor.Submit(FidelityTasks.PauseLater).Result(UnexpectedTimeout);
        Executor.Map(FidelityTasks.DoubleLater, [1, 2, 3], chunkSize: 2).Should().Equal(2, 4, 6);
        Exception? e = Executor.Submit(FidelityTasks.FailLater, "late").Exception(UnexpectedTimeout);
        e.Should().BeOfType<CodeException>().Which.Code.Should().Be(9, "the task's own exception, not an AggregateException");
    }

    [Fact]
    public void InstanceMethods_RunOnACopyOfTheirObject()
    {
        var counter = new Counter { Start = 5 };
        Executor.Submit(counter.AddTo, 3).Result(UnexpectedTimeout).Should().Be(108);
        Executor.Submit(counter.AddTo, 3).Result(UnexpectedTimeout).Should().Be(108, "each call gets a fresh copy");
        counter.Calls.Should().Be(0, "changes made to the copy do not come back, as with pickle");
    }

    [Fact]
    public void InstanceMethodsWhoseObjectCannotCross_AreRefusedAtSubmit()
    {
        var holder = new ThreadOwner();
        Action submit = () => Executor.Submit(holder.Name);
        submit.Should().Throw<ArgumentException>().Which.Message.Should().Contain("System.Threading.Thread").And.Contain(".Worker");
    }
}

/// <summary>An object that holds a thread, so it cannot cross.</summary>
public sealed class ThreadOwner
{
    public Thread Worker = new(() => { });

    public string Name() => "owner";
}
