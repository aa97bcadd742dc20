using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace Futures.Codec;

/// <summary>
/// Arrays of rank 2 and more (and the rare rank-1 arrays with a lower bound), with their identity:
/// <c>{"$id":"2","$lengths":[2,3],"$lower":[0,0],"$values":[row-major elements]}</c>, later <c>{"$ref":"2"}</c>.
/// </summary>
/// <remarks>System.Text.Json has no contract for them; elements go by the element type's contract, one nested call each.</remarks>
[RequiresUnreferencedCode("The codec reads and writes the fields of types it finds at run time.")]
[RequiresDynamicCode("The codec makes generic contracts for types it finds at run time.")]
internal sealed class MultiDimensionalArrayConverter<TArray> : JsonConverter<TArray> where TArray : class
{
    private const string LengthsProperty = "$lengths";
    private const string LowerProperty = "$lower";
    private const string ValuesProperty = "$values";

    private static readonly Type s_element = typeof(TArray).GetElementType()!;
    private static readonly int s_rank = typeof(TArray).GetArrayRank();

    private readonly CodecResolver _resolver;

    public MultiDimensionalArrayConverter(CodecResolver resolver) => _resolver = resolver;

    /// <inheritdoc/>
    public override void Write(Utf8JsonWriter writer, TArray value, JsonSerializerOptions options)
    {
        DeepGraphs.Check();
        CodecSession.Current.NoteElementHere();
        var array = (Array)(object)value;
        if (array.GetType() != typeof(TArray))
        {
            RuntimeType.WriteWrapped(writer, array, array.GetType(), _resolver, options);
            return;
        }
        if (!References.WriteStart(writer, array)) return;
        writer.WriteStartArray(LengthsProperty);
        for (int d = 0; d < s_rank; d++) writer.WriteNumberValue(array.GetLength(d));
        writer.WriteEndArray();
        writer.WriteStartArray(LowerProperty);
        for (int d = 0; d < s_rank; d++) writer.WriteNumberValue(array.GetLowerBound(d));
        writer.WriteEndArray();
        writer.WriteStartArray(ValuesProperty);
        JsonTypeInfo element = options.GetTypeInfo(s_element);
        int i = 0;
        CodecSession session = CodecSession.Current;
        foreach (object? item in array)
        {
            session.NoteHere($"[element {i++}]");
            RuntimeType.Serialize(writer, item, element);
        }
        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    /// <inheritdoc/>
    public override TArray Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        DeepGraphs.Check();
        if (RuntimeType.IsWrapped(reader)) return (TArray)RuntimeType.ReadWrapped(ref reader, typeof(TArray), _resolver, options)!;
        CodecSession session = CodecSession.Current;
        References.ReadStart(ref reader, out string id, out bool isRef);
        if (isRef) return session.ResolveReference(id) as TArray ?? throw new JsonException($"Id {id} is not a {typeof(TArray).Name}.");
        int[] lengths = ReadInts(ref reader, LengthsProperty);
        int[] lower = ReadInts(ref reader, LowerProperty);
        long count = 1;
        foreach (int length in lengths) count *= length;
        if (lengths.Any(l => l < 0) || count > session.PayloadLength) throw new JsonException("Bad array lengths.");
        var array = Array.CreateInstance(s_element, lengths, lower);
        session.AddReference(id, array);
        reader.Read();
        if (!reader.ValueTextEquals(ValuesProperty)) throw new JsonException("$values expected.");
        reader.Read();
        JsonTypeInfo element = options.GetTypeInfo(s_element);
        int[] index = (int[])lower.Clone();
        for (long n = 0; n < count; n++)
        {
            reader.Read();
            array.SetValue(RuntimeType.Deserialize(ref reader, element), index);
            for (int d = s_rank - 1; d >= 0; d--) // row-major: the last index moves fastest
            {
                if (++index[d] < lower[d] + lengths[d]) break;
                index[d] = lower[d];
            }
        }
        reader.Read();
        if (reader.TokenType != JsonTokenType.EndArray) throw new JsonException("More elements than $lengths say.");
        References.ReadEnd(ref reader);
        return (TArray)(object)array;
    }

    private static int[] ReadInts(ref Utf8JsonReader reader, string property)
    {
        reader.Read();
        if (!reader.ValueTextEquals(property)) throw new JsonException($"{property} expected.");
        reader.Read();
        var values = new int[s_rank];
        for (int d = 0; d < s_rank; d++)
        {
            reader.Read();
            values[d] = reader.GetInt32();
        }
        reader.Read();
        if (reader.TokenType != JsonTokenType.EndArray) throw new JsonException($"{property} has more values than the rank.");
        return values;
    }
}
