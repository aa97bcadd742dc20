using System.Collections;
using System.Text.Json.Serialization;

#pragma warning disable CS0169, CS0649, CS0414 // fields set by the codec, read by the tests
#pragma warning disable CA1822

namespace Futures.Tests.Codec;

// The types of the fidelity matrix: each is a way in which a naive serializer changes data.

public class PrivateState
{
    private int _hidden = 99;
    public PrivateState(int id, string name) { Id = id; Name = name; _hidden = id * 9; }
    public int Id { get; private set; }
    public string Name { get; private set; }
    public int Hidden => _hidden;
}

public class Animal
{
    public string Name = "";
    public virtual string Speak() => $"{Name} makes a sound";
}

public class Dog : Animal
{
    public string Breed = "";
    public override string Speak() => $"{Name} the {Breed} barks";
}

public sealed class Cat : Animal
{
    public int Lives { get; init; } = 9;
}

public interface IShape { double Area(); }

public sealed record Circle(double Radius) : IShape { public double Area() => Math.PI * Radius * Radius; }

public sealed record Square(double Side) : IShape { public double Area() => Side * Side; }

public class Node
{
    public string Name = "";
    public Node? Next;
    public List<Node> Children = new();
}

public sealed class TwoLists
{
    public List<int>? A;
    public List<int>? B;
    public int[]? C;
    public int[]? D;
    public byte[]? E;
    public byte[]? F;
    public string[]? G;
    public string[]? H;
}

/// <summary>Its constructor parameter matches no property: System.Text.Json cannot bind it.</summary>
public sealed class Temperature
{
    private readonly double _celsius;
    public Temperature(double fahrenheit) => _celsius = (fahrenheit - 32) * 5 / 9;
    public double Celsius => _celsius;
}

public readonly struct Point
{
    public Point(int x, int y) { X = x; Y = y; }
    public int X { get; }
    public int Y { get; }
}

public record Person(string Name, int Age)
{
    public List<string> Tags { get; init; } = [];
}

public readonly record struct Money(decimal Amount, string Currency);

public sealed class WithCallback
{
    public string Label = "";
    public Func<int, int>? Callback;
}

public sealed class WithThread
{
    public Thread? Worker;
}

public sealed class Holder
{
    public object? Value;
}

public sealed class TaggedList : List<int>
{
    public string Tag = "";
}

public sealed class PlainList : List<string>;

public sealed class TaggedDictionary : Dictionary<string, int>
{
    public string Tag = "";
}

public sealed class PlainDictionary : Dictionary<string, int>;

public sealed class Bag : IEnumerable<int>
{
    private readonly List<int> _items = new();
    private readonly string _name;
    public Bag(string name) => _name = name;
    public string Name => _name;
    public void Put(int item) => _items.Add(item);
    public IEnumerator<int> GetEnumerator() => _items.GetEnumerator();
    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}

public sealed class WithFinalizer
{
    public int Value;
    ~WithFinalizer() { }
}

public sealed class Cached
{
    public int Value;
    [NonSerialized] public string? Cache;
}

[JsonConverter(typeof(CelsiusConverter))]
public sealed class Celsius(double degrees)
{
    public double Degrees { get; } = degrees;
}

public sealed class CelsiusConverter : JsonConverter<Celsius>
{
    public override Celsius Read(ref System.Text.Json.Utf8JsonReader reader, Type typeToConvert, System.Text.Json.JsonSerializerOptions options) =>
        new(double.Parse(reader.GetString()!.TrimEnd('C'), System.Globalization.CultureInfo.InvariantCulture));

    public override void Write(System.Text.Json.Utf8JsonWriter writer, Celsius value, System.Text.Json.JsonSerializerOptions options) =>
        writer.WriteStringValue(value.Degrees.ToString(System.Globalization.CultureInfo.InvariantCulture) + "C");
}

public enum Color { Red = 1, Green = 2 }

[Flags]
public enum Access { None = 0, Read = 1, Write = 2 }

public sealed class CodeException : Exception
{
    public CodeException(string message, int code) : base(message) => Code = code;
    public int Code { get; }
}

public sealed class SettableException : Exception
{
    public SettableException(string message) : base(message) { }
    public string? Detail { get; set; }
    private int _counter = 7;
    public int Counter => _counter;
    public void Bump() => _counter++;
}

public sealed class PrefixingException : Exception
{
    public PrefixingException(string message) : base("Prefix: " + message) { }
}

public sealed class NoUsableConstructorException : Exception
{
    public NoUsableConstructorException(int code, DateTime when) : base("no") { }
}

public static class Iterators
{
    public static IEnumerable<int> Yield() { yield return 1; yield return 2; }
}

public sealed class Descending : IComparer<int>
{
    public int Compare(int x, int y) => y.CompareTo(x);
}
