using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Futures.Codec;

/// <summary>
/// The converter of an open slot — <typeparamref name="T"/> is <c>object</c>, an interface, an
/// abstract class or a class that is not sealed — so that a value arrives as its run-time type
/// (a <c>Dog</c> passed as <c>Animal</c> arrives as a <c>Dog</c>, with its <c>Breed</c>).
/// </summary>
/// <remarks>
/// A value of exactly <typeparamref name="T"/> is written by that type's exact contract; any other
/// in a <see cref="RuntimeType"/> wrapper. Two shortcuts keep common <c>object</c> slots small: a
/// string is a JSON string and a bool a JSON bool (unambiguous, as numbers are not: an Int32 and
/// an Int64 must stay apart). Null is written and read by System.Text.Json itself.
/// </remarks>
[RequiresUnreferencedCode("The codec reads and writes the fields of types it finds at run time.")]
[RequiresDynamicCode("The codec makes generic contracts for types it finds at run time.")]
internal sealed class OpenTypeConverter<T> : JsonConverter<T>
{
    private static readonly bool s_holdsString = typeof(T).IsAssignableFrom(typeof(string));
    private static readonly bool s_holdsBool = typeof(T).IsAssignableFrom(typeof(bool));

    private readonly CodecResolver _resolver;

    public OpenTypeConverter(CodecResolver resolver) => _resolver = resolver;

    /// <inheritdoc/>
    public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options)
    {
        DeepGraphs.Check();
        CodecSession.Current.NoteElementHere(); // an element of a collection the codec does not write itself
        object boxed = value!;
        Type runtime = boxed.GetType();
        if (runtime == typeof(T))
        {
            RuntimeType.Serialize(writer, boxed, _resolver.ExactTypeInfo(runtime, options));
        }
        else if (boxed is string text && text.Length < BlobList.MinChars && TextConverter.IsWellFormed(text))
        {
            writer.WriteStringValue(text);
        }
        else if (boxed is bool flag)
        {
            writer.WriteBooleanValue(flag);
        }
        else
        {
            RuntimeType.WriteWrapped(writer, boxed, runtime, _resolver, options);
        }
    }

    /// <inheritdoc/>
    public override T? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        DeepGraphs.Check();
        switch (reader.TokenType)
        {
            case JsonTokenType.String when s_holdsString:
                return (T)(object)reader.GetString()!;
            case JsonTokenType.True or JsonTokenType.False when s_holdsBool:
                return (T)(object)reader.GetBoolean();
        }
        object? value = RuntimeType.IsWrapped(reader)
            ? RuntimeType.ReadWrapped(ref reader, typeof(T), _resolver, options)
            : RuntimeType.Deserialize(ref reader, _resolver.ExactTypeInfo(typeof(T), options));
        return (T?)value;
    }
}

/// <summary>The converter of a type that cannot cross (<see cref="RefusedTypes"/>): null crosses, any other value is refused.</summary>
[RequiresUnreferencedCode("The codec reads and writes the fields of types it finds at run time.")]
internal sealed class RefusingConverter<T> : JsonConverter<T>
{
    private readonly string _reason;

    public RefusingConverter(string reason) => _reason = reason;

    /// <inheritdoc/>
    public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options)
    {
        Type runtime = value!.GetType();
        CodecSession.Current.NoteElementHere();
        throw new CannotCrossException(runtime, RefusedTypes.Why(runtime) ?? _reason);
    }

    /// <inheritdoc/>
    public override T? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        throw new JsonException($"The peer sent a value of {typeof(T).FullName}, which is {_reason}; it was not built.");
}
