using System.Diagnostics.CodeAnalysis;
using System.Runtime.ExceptionServices;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Futures.Codec;

/// <summary>
/// How a value whose run-time type differs from its slot's declared type travels:
/// <c>{"$type": "MyApp.Dog, MyApp", "$value": {...the Dog's own contract...}}</c>; and the nested
/// serializer calls that the codec's converters make.
/// </summary>
/// <remarks>
/// The value inside a wrapper is written by a nested serializer call with the run-time type's exact
/// contract (<see cref="CodecResolver.ExactTypeInfo"/>), in the same <see cref="CodecSession"/>, so
/// shared references stay shared across the boundary. The receiving side builds the named type only
/// through <see cref="CodecTypeResolver.Resolve(string, Type)"/>, which checks it against the declared type.
/// A nested call's failure — any exception — is thrown on only after its catch block has ended:
/// System.Text.Json catches and rethrows at each call, and an exception rethrown from inside a catch
/// block keeps the frames it came from on the stack, so a failure deep in a deep graph (running out
/// of stack, above all), passed up through every level that way, would overflow the stack itself.
/// </remarks>
[RequiresUnreferencedCode("The codec reads and writes the fields of types it finds at run time.")]
[RequiresDynamicCode("The codec makes generic contracts for types it finds at run time.")]
internal static class RuntimeType
{
    /// <summary>The discriminator property, first in a wrapper object.</summary>
    public const string TypeProperty = "$type";

    /// <summary>The property that holds the value itself.</summary>
    public const string ValueProperty = "$value";

    /// <summary>Writes <paramref name="value"/> wrapped with its run-time type <paramref name="runtime"/>.</summary>
    public static void WriteWrapped(Utf8JsonWriter writer, object value, Type runtime, CodecResolver resolver, JsonSerializerOptions options)
    {
        if (RefusedTypes.Why(runtime) is { } reason) throw new CannotCrossException(runtime, reason);
        writer.WriteStartObject();
        writer.WriteString(TypeProperty, CodecTypeResolver.NameOf(runtime));
        writer.WritePropertyName(ValueProperty);
        CodecSession.Current.NoteHere(""); // the wrapper adds no step to the path
        Serialize(writer, value, resolver.ExactTypeInfo(runtime, options));
        writer.WriteEndObject();
    }

    /// <summary>Writes <paramref name="value"/> by <paramref name="contract"/> in a nested serializer call.</summary>
    public static void Serialize(Utf8JsonWriter writer, object? value, JsonTypeInfo contract)
    {
        Exception? failure = null;
        try
        {
            JsonSerializer.Serialize(writer, value, contract);
        }
        catch (Exception e)
        {
            failure = e;
        }
        if (failure is not null) ThrowOn(failure);
    }

    /// <summary>Reads a value by <paramref name="contract"/> in a nested serializer call.</summary>
    public static object? Deserialize(ref Utf8JsonReader reader, JsonTypeInfo contract)
    {
        Exception? failure = null;
        object? value = null;
        try
        {
            value = JsonSerializer.Deserialize(ref reader, contract);
        }
        catch (Exception e)
        {
            failure = e;
        }
        if (failure is not null) ThrowOn(failure);
        return value;
    }

    /// <summary>
    /// Throws <paramref name="failure"/> on from here. Running out of stack, the usual failure deep in a
    /// graph, is thrown as a new exception at each level: rethrowing one object keeps adding to its
    /// stack trace, which over thousands of levels costs time quadratic in the depth.
    /// </summary>
    [DoesNotReturn]
    private static void ThrowOn(Exception failure)
    {
        if (failure is InsufficientExecutionStackException) throw new InsufficientExecutionStackException();
        ExceptionDispatchInfo.Throw(failure);
    }

    /// <summary>Whether the reader is at a wrapper object (its first property is <c>$type</c>).</summary>
    public static bool IsWrapped(in Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartObject) return false;
        Utf8JsonReader peek = reader; // a copy: the caller's reader does not move
        return peek.Read() && peek.TokenType == JsonTokenType.PropertyName && peek.ValueTextEquals(TypeProperty);
    }

    /// <summary>Reads a wrapper object for a slot declared as <paramref name="declared"/>; leaves the reader on its end.</summary>
    public static object? ReadWrapped(ref Utf8JsonReader reader, Type declared, CodecResolver resolver, JsonSerializerOptions options)
    {
        reader.Read(); // $type
        reader.Read();
        string name = reader.GetString() ?? throw new JsonException("A null $type.");
        Type runtime = CodecSession.Current.Types.Resolve(name, declared);
        reader.Read();
        if (reader.TokenType != JsonTokenType.PropertyName || !reader.ValueTextEquals(ValueProperty)) throw new JsonException("$value expected after $type.");
        reader.Read();
        object? value = Deserialize(ref reader, resolver.ExactTypeInfo(runtime, options));
        reader.Read();
        if (reader.TokenType != JsonTokenType.EndObject) throw new JsonException("Nothing may follow $value.");
        return value;
    }
}
