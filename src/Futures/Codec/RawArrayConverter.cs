using System.Diagnostics.CodeAnalysis;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Futures.Codec;

/// <summary>Which element types <see cref="RawArrayConverter{T}"/> carries.</summary>
internal static class RawArrayConverter
{
    /// <summary>
    /// Primitives, enums and the runtime's small value types that are plain bits (a DateTime's
    /// ticks and kind, a decimal's scale): their arrays cross as their memory, exactly.
    /// </summary>
    public static bool Supports(Type element) =>
        (element.IsPrimitive && element != typeof(IntPtr) && element != typeof(UIntPtr))
        || element.IsEnum
        || element == typeof(decimal) || element == typeof(DateTime) || element == typeof(DateTimeOffset)
        || element == typeof(TimeSpan) || element == typeof(Guid) || element == typeof(DateOnly) || element == typeof(TimeOnly)
        || element == typeof(Half) || element == typeof(Int128) || element == typeof(UInt128);
}

/// <summary>
/// Arrays of plain values (<see cref="RawArrayConverter.Supports"/>) as their raw bytes, with their
/// identity: <c>{"$id":"2","$blob":0}</c> (a frame of its own when large) or
/// <c>{"$id":"2","$base64":"..."}</c>, later <c>{"$ref":"2"}</c>.
/// </summary>
/// <remarks>
/// A <c>double[]</c> of a million elements is 8 MB copied, not a million numbers formatted and
/// parsed, and every bit arrives (NaN payloads, negative zero, a decimal's trailing zeros). Both
/// ends are little-endian .NET processes of one app. A value's run-time array type may differ
/// from the declared one only for enums and their underlying type (the runtime lets an
/// <c>int[]</c> pass as a <c>MyEnum[]</c>); it then travels in a <see cref="RuntimeType"/> wrapper.
/// </remarks>
[RequiresUnreferencedCode("The codec reads and writes the fields of types it finds at run time.")]
[RequiresDynamicCode("The codec makes generic contracts for types it finds at run time.")]
internal sealed class RawArrayConverter<T> : JsonConverter<T[]> where T : unmanaged
{
    private readonly CodecResolver _resolver;

    public RawArrayConverter(CodecResolver resolver) => _resolver = resolver;

    /// <inheritdoc/>
    public override void Write(Utf8JsonWriter writer, T[] value, JsonSerializerOptions options)
    {
        if (value.GetType() != typeof(T[]))
        {
            RuntimeType.WriteWrapped(writer, value, value.GetType(), _resolver, options);
            return;
        }
        if (!References.WriteStart(writer, value)) return;
        RawBytes.Write(writer, MemoryMarshal.AsBytes(value.AsSpan()));
        writer.WriteEndObject();
    }

    /// <inheritdoc/>
    public override T[] Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (RuntimeType.IsWrapped(reader)) return (T[])RuntimeType.ReadWrapped(ref reader, typeof(T[]), _resolver, options)!;
        CodecSession session = CodecSession.Current;
        References.ReadStart(ref reader, out string id, out bool isRef);
        if (isRef) return session.ResolveReference(id) as T[] ?? throw new JsonException($"Id {id} is not a {typeof(T).Name}[].");
        byte[] bytes = RawBytes.Read(ref reader);
        if (bytes.Length % System.Runtime.CompilerServices.Unsafe.SizeOf<T>() != 0) throw new JsonException($"{bytes.Length} bytes are not whole {typeof(T).Name} values.");
        T[] array = MemoryMarshal.Cast<byte, T>(bytes).ToArray();
        session.AddReference(id, array);
        References.ReadEnd(ref reader);
        return array;
    }
}
