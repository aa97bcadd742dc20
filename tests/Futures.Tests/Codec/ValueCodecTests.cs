using System.Collections.Immutable;
using System.Collections.ObjectModel;
using System.Numerics;
using System.Text.Json;
using Futures.Codec;

namespace Futures.Tests.Codec;

/// <summary>
/// The codec in one process: each value encoded and decoded as it would cross to a worker (with
/// blobs, as over a pipe, and without, as to a cluster node). Either it arrives as it was sent, or
/// it is refused with an ArgumentException naming its type and place.
/// </summary>
public sealed class ValueCodecTests
{
    public static TheoryData<bool> Transports => new() { true, false };

    private static T RoundTrip<T>(T value, bool blobs = true)
    {
        BlobList? list = blobs ? new BlobList() : null;
        byte[] json = ValueCodec.Encode([value], [typeof(T)], list, ["arg1"]);
        return (T)ValueCodec.Decode(json, [typeof(T)], list)[0]!;
    }

    private static object?[] RoundTrip(object?[] values, Type[] types)
    {
        var list = new BlobList();
        byte[] json = ValueCodec.Encode(values, types, list, types.Select((_, i) => $"arg{i + 1}").ToArray());
        return ValueCodec.Decode(json, types, list);
    }

    private static ArgumentException Refused<T>(T value) =>
        Assert.Throws<ArgumentException>(() => ValueCodec.Encode([value], [typeof(T)], new BlobList(), ["arg1"]));

    [Theory, MemberData(nameof(Transports))]
    public void PrivateSettersAndFields_Arrive(bool blobs)
    {
        PrivateState back = RoundTrip(new PrivateState(11, "secret"), blobs);
        back.Id.Should().Be(11);
        back.Name.Should().Be("secret");
        back.Hidden.Should().Be(99);
    }

    [Fact]
    public void DerivedType_InBaseSlot_ArrivesAsItsOwnType()
    {
        RoundTrip<Animal>(new Dog { Name = "Rex", Breed = "Lab" }).Should().BeOfType<Dog>().Which.Breed.Should().Be("Lab");
        RoundTrip<object>(new Dog { Name = "Rex", Breed = "Lab" }).Should().BeOfType<Dog>().Which.Speak().Should().Be("Rex the Lab barks");
        RoundTrip<IShape>(new Circle(2)).Should().Be(new Circle(2));
        List<Animal> zoo = RoundTrip(new List<Animal> { new Dog { Name = "d", Breed = "b" }, new Cat { Name = "c", Lives = 3 }, new Animal { Name = "a" } });
        zoo.Select(a => a.GetType()).Should().Equal(typeof(Dog), typeof(Cat), typeof(Animal));
        ((Cat)zoo[1]).Lives.Should().Be(3);
        RoundTrip<Animal[]>(new Dog[] { new() { Name = "x", Breed = "y" } }).Should().BeOfType<Dog[]>();
    }

    [Fact]
    public void ObjectSlot_KeepsTheRunTimeTypeOfEveryValue()
    {
        object?[] values = [42, 42L, 4.2, 4.2f, 4.2m, "text", "lone \ud800", true, 'c', (byte)7, null, Color.Green, new DateTime(2024, 5, 6, 7, 8, 9, DateTimeKind.Utc), Guid.NewGuid(), (1, "a"), new[] { 1, 2 }, new List<object> { 1, "a" }];
        foreach (object? value in values)
        {
            object? back = RoundTrip<object?>(value);
            back?.GetType().Should().Be(value?.GetType(), $"{value} crossed");
            back.Should().BeEquivalentTo(value, o => o.RespectingRuntimeTypes());
        }
    }

    [Theory, MemberData(nameof(Transports))]
    public void CyclesAndSharedReferences_KeepTheirShape(bool blobs)
    {
        var a = new Node { Name = "a" };
        var b = new Node { Name = "b", Next = a };
        a.Next = b;
        a.Children.Add(b);
        b.Children.Add(a);
        Node back = RoundTrip(a, blobs);
        back.Next!.Next.Should().BeSameAs(back);
        back.Children[0].Should().BeSameAs(back.Next);
        back.Next.Children[0].Should().BeSameAs(back);

        var list = new List<int> { 1, 2 };
        int[] ints = [3];
        byte[] bytes = new byte[2000];
        string[] strings = ["s"];
        TwoLists two = RoundTrip(new TwoLists { A = list, B = list, C = ints, D = ints, E = bytes, F = bytes, G = strings, H = strings }, blobs);
        two.A.Should().BeSameAs(two.B);
        two.C.Should().BeSameAs(two.D);
        two.E.Should().BeSameAs(two.F);
        two.G.Should().BeSameAs(two.H);

        object[] selfish = new object[1];
        selfish[0] = selfish;
        object[] selfBack = RoundTrip(selfish, blobs);
        selfBack[0].Should().BeSameAs(selfBack);
    }

    [Fact]
    public void SharedReferences_AcrossArguments_StayShared()
    {
        var list = new List<int> { 1 };
        object?[] back = RoundTrip([list, list], [typeof(List<int>), typeof(IEnumerable<int>)]);
        back[0].Should().BeSameAs(back[1]);
    }

    [Fact]
    public void ConstructorsThatBindNoProperty_AreNotNeeded()
    {
        RoundTrip(new Temperature(212)).Celsius.Should().Be(100);
        RoundTrip(new Person("Ann", 3) { Tags = ["x"] }).Should().BeEquivalentTo(new Person("Ann", 3) { Tags = ["x"] });
        RoundTrip(new Point(3, 4)).Should().Be(new Point(3, 4));
        RoundTrip(new Money(1.50m, "EUR")).Amount.Scale.Should().Be(2);
    }

    [Fact]
    public void Collections_ArriveWithTheirContentsAndOrder()
    {
        RoundTrip(new Dictionary<string, int> { ["a"] = 1, ["b"] = 2 }).Should().Equal(new Dictionary<string, int> { ["a"] = 1, ["b"] = 2 });
        RoundTrip(new Dictionary<int, string> { [1] = "a" }).Should().ContainKey(1);
        RoundTrip(new HashSet<string> { "x", "y" }).Should().BeEquivalentTo(["x", "y"]);
        RoundTrip(new Queue<int>([1, 2, 3])).Should().Equal(1, 2, 3);
        var stack = new Stack<int>();
        stack.Push(1);
        stack.Push(2);
        RoundTrip(stack).Should().Equal(2, 1);
        RoundTrip(new SortedDictionary<string, int> { ["b"] = 2, ["a"] = 1 }).Keys.Should().Equal("a", "b");
        RoundTrip(new LinkedList<int>([1, 2])).Should().Equal(1, 2);
        RoundTrip(ImmutableList.Create(1, 2)).Should().Equal(1, 2);
        RoundTrip(ImmutableArray.Create(1, 2)).Should().Equal(1, 2);
        RoundTrip(new ReadOnlyCollection<int>([1, 2])).Should().Equal(1, 2);
        RoundTrip(new int[][] { [1], [2, 3] }).Should().BeEquivalentTo(new int[][] { [1], [2, 3] });
        int[,] grid = { { 1, 2, 3 }, { 4, 5, 6 } };
        RoundTrip(grid).Should().BeEquivalentTo(grid);
        RoundTrip(new List<object?> { 1, "a", null, 2L }).Should().Equal(1, "a", null, 2L);
        RoundTrip(new KeyValuePair<string, int>("k", 1)).Should().Be(new KeyValuePair<string, int>("k", 1));
        RoundTrip(Tuple.Create(1, "t")).Should().Be(Tuple.Create(1, "t"));
        RoundTrip((Id: 1, Name: "n")).Should().Be((1, "n"));
    }

    [Fact]
    public void ComparersOfDictionariesAndSets_Arrive()
    {
        var ignoreCase = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase) { ["A"] = 1 };
        RoundTrip(ignoreCase)["a"].Should().Be(1);
        RoundTrip(new HashSet<string>(StringComparer.OrdinalIgnoreCase) { "A" }).Contains("a").Should().BeTrue();
        RoundTrip(new SortedSet<int>(new Descending()) { 1, 2 }).Should().Equal(2, 1);
        RoundTrip(new Dictionary<Point, string> { [new Point(1, 2)] = "p" })[new Point(1, 2)].Should().Be("p");
    }

    [Fact]
    public void AppCollections_WithOwnState_CrossByTheirFields()
    {
        var tagged = new TaggedList { Tag = "t" };
        tagged.Add(5);
        TaggedList back = RoundTrip(tagged);
        back.Tag.Should().Be("t");
        back.Should().Equal(5);
        RoundTrip(new PlainList { "x" }).Should().BeOfType<PlainList>().And.Equal("x");
        RoundTrip(new PlainDictionary { ["k"] = 1 }).Should().BeOfType<PlainDictionary>().And.ContainKey("k");
        var bag = new Bag("b");
        bag.Put(3);
        Bag bagBack = RoundTrip(bag);
        bagBack.Name.Should().Be("b");
        bagBack.Should().Equal(3);
    }

    [Fact]
    public void AppCollection_DerivedFromHashedCollection_WithOwnState_IsRefused()
    {
        Refused(new TaggedDictionary { Tag = "t" }).Message.Should().Contain(nameof(TaggedDictionary)).And.Contain("hash");
    }

    [Fact]
    public void Scalars_ArriveExactly()
    {
        var local = new DateTime(2024, 1, 2, 3, 4, 5, DateTimeKind.Local).AddTicks(7);
        DateTime localBack = RoundTrip(local);
        localBack.Should().Be(local);
        localBack.Kind.Should().Be(DateTimeKind.Local);
        RoundTrip(new DateTime(2024, 1, 2, 3, 4, 5, DateTimeKind.Unspecified).AddTicks(1)).Kind.Should().Be(DateTimeKind.Unspecified);
        var utc = new DateTime(638000000000000001, DateTimeKind.Utc);
        RoundTrip(utc).Should().Be(utc);
        RoundTrip(utc).Kind.Should().Be(DateTimeKind.Utc);
        var offset = new DateTimeOffset(2024, 1, 2, 3, 4, 5, TimeSpan.FromHours(5.5)).AddTicks(3);
        RoundTrip(offset).Should().Be(offset);
        RoundTrip(offset).Offset.Should().Be(TimeSpan.FromHours(5.5));
        RoundTrip(1.50m).Scale.Should().Be(2);
        RoundTrip(0.000m).Scale.Should().Be(3);
        double.IsNaN(RoundTrip(double.NaN)).Should().BeTrue();
        double.IsNegative(RoundTrip(-0.0)).Should().BeTrue();
        RoundTrip(double.PositiveInfinity).Should().Be(double.PositiveInfinity);
        RoundTrip(TimeSpan.FromTicks(123456789)).Should().Be(TimeSpan.FromTicks(123456789));
        RoundTrip(new DateOnly(2024, 2, 29)).Should().Be(new DateOnly(2024, 2, 29));
        RoundTrip(Int128.MaxValue).Should().Be(Int128.MaxValue);
        RoundTrip(BigInteger.Pow(3, 200)).Should().Be(BigInteger.Pow(3, 200));
        RoundTrip(Access.Read | Access.Write).Should().Be(Access.Read | Access.Write);
        RoundTrip<Color?>(Color.Red).Should().Be(Color.Red);
        RoundTrip<int?>(null).Should().BeNull();
        RoundTrip(new[] { double.NaN, -0.0, 1.5 }).Should().HaveCount(3).And.Subject.Last().Should().Be(1.5);
        RoundTrip(new[] { 1.50m }).Single().Scale.Should().Be(2);
        RoundTrip(new[] { local }).Single().Kind.Should().Be(DateTimeKind.Local);
    }

    [Theory, MemberData(nameof(Transports))]
    public void Strings_ArriveExactly_AnySize(bool blobs)
    {
        RoundTrip("", blobs).Should().BeEmpty();
        RoundTrip("héllo ✓ 𝄞 \"quoted\" \\ \n", blobs).Should().Be("héllo ✓ 𝄞 \"quoted\" \\ \n");
        RoundTrip("lone \ud800 surrogate", blobs).Should().Be("lone \ud800 surrogate");
        RoundTrip<string?>(null, blobs).Should().BeNull();
        string large = new string('x', 100_000) + "é";
        RoundTrip(large, blobs).Should().Be(large);
        byte[] bytes = Enumerable.Range(0, 5000).Select(i => (byte)i).ToArray();
        RoundTrip(bytes, blobs).Should().Equal(bytes);
        RoundTrip(Array.Empty<byte>(), blobs).Should().BeEmpty();
    }

    [Fact]
    public void LargeValues_GoToBlobs_OverAPipe()
    {
        var list = new BlobList();
        ValueCodec.Encode([new string('x', 100_000), new byte[100_000], new double[1000]], [typeof(string), typeof(byte[]), typeof(double[])], list, ["a", "b", "c"]);
        list.Count.Should().Be(3);
    }

    [Fact]
    public void UserConverters_AreHonoured()
    {
        RoundTrip(new Celsius(21.5)).Degrees.Should().Be(21.5);
    }

    [Fact]
    public void NonSerializedFields_StayBehind()
    {
        RoundTrip(new Cached { Value = 1, Cache = "big" }).Should().BeEquivalentTo(new Cached { Value = 1, Cache = null });
    }

    [Fact]
    public void TypesThatCannotCross_AreRefused_NamingTypeAndPlace()
    {
        Refused<Func<int, int>>(x => x).Message.Should().Contain("Func").And.Contain("delegate").And.Contain("arg1");
        Refused(new Thread(() => { })).Message.Should().Contain("System.Threading.Thread").And.Contain("thread");
        Refused(new WithCallback { Label = "l", Callback = x => x }).Message.Should().Contain("arg1.Callback");
        Refused(new Holder { Value = new List<object> { 1, new Holder { Value = Task.CompletedTask } } }).Message.Should().Contain("task").And.Contain("arg1.Value[…].Value");
        Refused(Iterators.Yield()).Message.Should().Contain("iterator");
        Refused(Enumerable.Range(0, 3).Select(x => x * 2)).Message.Should().Contain("ToList");
        Refused(new WithFinalizer()).Message.Should().Contain("finalizer");
        Refused(IntPtr.Zero).ParamName.Should().Be("arg1");
        // null in a slot of such a type is just null
        RoundTrip(new WithCallback { Label = "l" }).Label.Should().Be("l");
        RoundTrip(new WithThread()).Worker.Should().BeNull();
    }

    [Fact]
    public void Exceptions_ArriveWithTheirState()
    {
        CodeException code = RoundTrip(Thrown(new CodeException("bad", 5)));
        code.Code.Should().Be(5);
        code.Message.Should().Be("bad");

        var settable = new SettableException("s") { Detail = "d", HResult = 1234, HelpLink = "http://h" };
        settable.Bump();
        settable.Data["key"] = 42;
        SettableException settableBack = RoundTrip(Thrown(settable));
        settableBack.Detail.Should().Be("d");
        settableBack.Counter.Should().Be(8);
        settableBack.HResult.Should().Be(1234);
        settableBack.HelpLink.Should().Be("http://h");
        settableBack.Data["key"].Should().Be(42);

        RoundTrip(Thrown(new ArgumentNullException("param", "missing"))).ParamName.Should().Be("param");
        RoundTrip(Thrown(new PrefixingException("x"))).Message.Should().Be("Prefix: x");

        var aggregate = new AggregateException(new InvalidOperationException("a"), new ArgumentException("b"));
        AggregateException aggregateBack = RoundTrip(Thrown(aggregate));
        aggregateBack.InnerExceptions.Select(e => e.GetType()).Should().Equal(typeof(InvalidOperationException), typeof(ArgumentException));
        aggregateBack.Message.Should().Be(aggregate.Message);

        var chained = new InvalidOperationException("outer", new FormatException("inner"));
        InvalidOperationException chainedBack = RoundTrip(Thrown(chained));
        chainedBack.InnerException.Should().BeOfType<FormatException>().Which.Message.Should().Be("inner");
    }

    [Fact]
    public void Exceptions_CarryTheirStackTrace_AndARemoteExceptionWhenTheyHadNoInner()
    {
        InvalidOperationException back = RoundTrip(Thrown(new InvalidOperationException("x")));
        back.StackTrace.Should().Contain(nameof(Thrown));
        back.InnerException.Should().BeOfType<RemoteException>().Which.RemoteType.Should().Be("System.InvalidOperationException");
    }

    [Fact]
    public void Exceptions_ThatCannotBeBuilt_ArriveAsRemoteExceptions()
    {
        Exception back = RoundTrip<Exception>(Thrown(new NoUsableConstructorException(1, DateTime.Now)));
        back.Should().BeOfType<RemoteException>().Which.RemoteType.Should().Be(typeof(NoUsableConstructorException).FullName);
    }

    [Fact]
    public void PeerNamingATypeThatIsNotAssignable_IsNotBuilt()
    {
        var list = new BlobList();
        byte[] json = ValueCodec.Encode([new Dog { Name = "d" }], [typeof(object)], list, ["arg1"]);
        Action read = () => ValueCodec.Decode(json, [typeof(IShape)], list);
        read.Should().Throw<JsonException>().WithMessage("*Dog*not*built*");
        byte[] unknown = System.Text.Encoding.UTF8.GetBytes("[{\"$type\":\"Evil.Gadget, Evil\",\"$value\":{}}]");
        Action readUnknown = () => ValueCodec.Decode(unknown, [typeof(object)], null);
        readUnknown.Should().Throw<JsonException>().WithMessage("*cannot load*");
    }

    [Fact]
    public void ForgedArrayLengths_AllocateNothingHuge()
    {
        byte[] json = System.Text.Encoding.UTF8.GetBytes("[{\"$id\":\"1\",\"$length\":2000000000,\"$values\":[]}]");
        Action read = () => ValueCodec.Decode(json, [typeof(string[])], null);
        read.Should().Throw<JsonException>().WithMessage("*length*");
    }

    [Fact]
    public void DeepGraphs_CrossFromASmallStack_AndTooDeepOnesFailWithoutOverflowingIt()
    {
        Node Chain(int length)
        {
            var head = new Node { Name = "0" };
            Node tail = head;
            for (int i = 1; i < length; i++) tail = tail.Next = new Node { Name = i.ToString() };
            return head;
        }
        Exception? Attempt(Node head)
        {
            Exception? error = null;
            var thread = new Thread(() => error = Record.Exception(() => RoundTrip(head).Next!.Next!.Name.Should().Be("2")), maxStackSize: 256 * 1024);
            thread.Start();
            thread.Join();
            return error;
        }
        Attempt(Chain(10_000)).Should().BeNull();
        Exception? tooDeep = Attempt(Chain(150_000)); // deeper than even the large stack holds
        tooDeep.Should().BeOfType<ArgumentException>();
        tooDeep!.Message.Should().Contain("nested too deeply");
    }

    private static T Thrown<T>(T e) where T : Exception
    {
        try
        {
            throw e;
        }
        catch (T caught)
        {
            return caught;
        }
    }
}
