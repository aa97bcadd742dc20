using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace Futures.Codec;

/// <summary>
/// One-dimensional arrays of any element type that is not a primitive (those are
/// <see cref="RawArrayConverter{T}"/>'s), with their identity:
/// <c>{"$id":"2","$length":3,"$values":[...]}</c>, later <c>{"$ref":"2"}</c>.
/// </summary>
/// <remarks>
/// System.Text.Json ignores reference handling for arrays, so an array referenced twice would
/// arrive as two. The length comes first so that the array exists, with its id, before its
/// elements are read: an element may refer back to it (a cycle). An array whose run-time type is
/// not <typeparamref name="TElement"/><c>[]</c> (array covariance: a <c>Dog[]</c> in an
/// <c>Animal[]</c> slot) travels in a <see cref="RuntimeType"/> wrapper.
/// </remarks>
[RequiresUnreferencedCode("The codec reads and writes the fields of types it finds at run time.")]
[RequiresDynamicCode("The codec makes generic contracts for types it finds at run time.")]
internal sealed class ArrayConverter<TElement> : JsonConverter<TElement[]>
{
    private const string LengthProperty = "$length";
    private const string ValuesProperty = "$values";

    private readonly CodecResolver _resolver;

    public ArrayConverter(CodecResolver resolver) => _resolver = resolver;

    /// <inheritdoc/>
    public override void Write(Utf8JsonWriter writer, TElement[] value, JsonSerializerOptions options)
    {
        DeepGraphs.Check();
        CodecSession.Current.NoteElementHere();
        if (value.GetType() != typeof(TElement[]))
        {
            RuntimeType.WriteWrapped(writer, value, value.GetType(), _resolver, options);
            return;
        }
        if (!References.WriteStart(writer, value)) return;
        writer.WriteNumber(LengthProperty, value.Length);
        writer.WriteStartArray(ValuesProperty);
        JsonTypeInfo element = options.GetTypeInfo(typeof(TElement));
        CodecSession session = CodecSession.Current;
        for (int i = 0; i < value.Length; i++)
        {
            session.NoteHere($"[{i.ToString(CultureInfo.InvariantCulture)}]");
            RuntimeType.Serialize(writer, value[i], element);
        }
        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    /// <inheritdoc/>
    public override TElement[] Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        DeepGraphs.Check();
        if (RuntimeType.IsWrapped(reader)) return (TElement[])RuntimeType.ReadWrapped(ref reader, typeof(TElement[]), _resolver, options)!;
        CodecSession session = CodecSession.Current;
        References.ReadStart(ref reader, out string id, out bool isRef);
        if (isRef) return session.ResolveReference(id) as TElement[] ?? throw new JsonException($"Id {id} is not a {typeof(TElement).Name}[].");
        var array = new TElement[ReadLength(ref reader, session)];
        session.AddReference(id, array);
        reader.Read();
        if (!reader.ValueTextEquals(ValuesProperty)) throw new JsonException("$values expected.");
        reader.Read();
        JsonTypeInfo element = options.GetTypeInfo(typeof(TElement));
        for (int i = 0; i < array.Length; i++)
        {
            reader.Read();
            if (RuntimeType.Deserialize(ref reader, element) is TElement item) array[i] = item;
        }
        reader.Read();
        if (reader.TokenType != JsonTokenType.EndArray) throw new JsonException("More elements than $length.");
        References.ReadEnd(ref reader);
        return array;
    }

    /// <summary>Reads <c>"$length": n</c>; n cannot exceed the payload's size (each element takes a byte at least), so a forged length allocates nothing huge.</summary>
    internal static int ReadLength(ref Utf8JsonReader reader, CodecSession session)
    {
        reader.Read();
        if (!reader.ValueTextEquals(LengthProperty)) throw new JsonException("$length expected.");
        reader.Read();
        int length = reader.GetInt32();
        if (length < 0 || length > session.PayloadLength) throw new JsonException($"A bad array length {length}.");
        return length;
    }
}
