using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace Futures.Codec;

/// <summary>
/// The codec's contracts, by reflection: what System.Text.Json writes and reads for each type.
/// </summary>
/// <remarks>
/// Each type gets one of these, in this order:
/// <list type="number">
/// <item>a type that cannot cross (<see cref="RefusedTypes"/>): a converter that refuses any value but null;</item>
/// <item><c>byte[]</c> and strings: converters that send large ones as blobs (and keep a byte array's identity);</item>
/// <item>exceptions: their state, with their run-time type (<see cref="ExceptionConverter{T}"/>);</item>
/// <item>an open slot — a class that is not sealed, an interface, <c>object</c> — a converter that
/// writes the value's run-time type when it differs (<see cref="OpenTypeConverter{T}"/>);</item>
/// <item>otherwise the exact contract of the type (<see cref="ExactTypeInfo"/>): arrays with their identity, the .NET libraries' collections by their contents,
/// a type with its own <c>[JsonConverter]</c> by that converter, primitives and the like by
/// System.Text.Json's converters, and every other class, struct or record by all its instance
/// fields (<see cref="FieldContract"/>).</item>
/// </list>
/// Contracts are made once per type and options (the options cache those of the first three
/// kinds; this class caches exact contracts, which an open slot's converter asks for by run-time type).
/// </remarks>
[RequiresUnreferencedCode("The codec reads and writes the fields of types it finds at run time.")]
[RequiresDynamicCode("The codec makes generic contracts for types it finds at run time.")]
internal sealed class CodecResolver : DefaultJsonTypeInfoResolver
{
    /// <summary>Exact contracts by type, e.g. <c>{Dog: field contract, List&lt;Dog&gt;: collection contract}</c>.</summary>
    private readonly ConcurrentDictionary<Type, JsonTypeInfo> _exact = new();

    /// <inheritdoc/>
    public override JsonTypeInfo GetTypeInfo(Type type, JsonSerializerOptions options)
    {
        if (Special(type, options) is { } special) return special;
        if (IsOpen(type)) return Create(typeof(OpenTypeConverter<>), type, type, options, this);
        return ExactTypeInfo(type, options);
    }

    /// <summary>The contract of <paramref name="type"/> itself, as the run-time type of a value (never the open-slot converter).</summary>
    public JsonTypeInfo ExactTypeInfo(Type type, JsonSerializerOptions options)
    {
        if (_exact.TryGetValue(type, out JsonTypeInfo? known)) return known;
        JsonTypeInfo made = Special(type, options) ?? MakeExact(type, options);
        return _exact.GetOrAdd(type, made);
    }

    /// <summary>Whether a slot of <paramref name="type"/> can hold values of other (derived) types.</summary>
    public static bool IsOpen(Type type) => !type.IsValueType && !type.IsSealed && !type.IsArray && !type.IsPointer;

    /// <summary>The contracts that are the same in a slot and as a run-time type: refused types, bytes, text, and exceptions (their converter names the run-time type itself).</summary>
    private static JsonTypeInfo? Special(Type type, JsonSerializerOptions options)
    {
        if (RefusedTypes.Why(type) is { } reason) return Refusing(type, reason, options);
        if (type == typeof(byte[])) return JsonMetadataServices.CreateValueInfo<byte[]>(options, new BytesConverter());
        if (type == typeof(string)) return JsonMetadataServices.CreateValueInfo<string>(options, new TextConverter());
        if (typeof(Exception).IsAssignableFrom(type)) return Create(typeof(ExceptionConverter<>), type, type, options);
        return null;
    }

    private JsonTypeInfo MakeExact(Type type, JsonSerializerOptions options)
    {
        if (type.IsArray)
        {
            Type element = type.GetElementType()!;
            if (!type.IsSZArray) return Create(typeof(MultiDimensionalArrayConverter<>), type, type, options, this);
            return RawArrayConverter.Supports(element)
                ? Create(typeof(RawArrayConverter<>), element, type, options, this)
                : Create(typeof(ArrayConverter<>), element, type, options, this);
        }
        if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(Dictionary<,>))
        {
            return Create(typeof(DictionaryConverter<,>), type.GetGenericArguments(), type, options);
        }
        if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(HashSet<>))
        {
            return Create(typeof(HashSetConverter<>), type.GetGenericArguments(), type, options);
        }
        JsonTypeInfo info = base.GetTypeInfo(type, options);
        if (type.IsDefined(typeof(JsonConverterAttribute), inherit: true)) return info; // the type's author chose how it crosses
        if (info.Kind != JsonTypeInfoKind.None && FieldContract.PointerField(type) is { } pointer)
        {
            return Refusing(type, $"an object with a pointer field ({pointer.Name})", options);
        }
        switch (info.Kind)
        {
            case JsonTypeInfoKind.Object:
                return FieldContract.Create(type, options);
            case JsonTypeInfoKind.Enumerable or JsonTypeInfoKind.Dictionary when FrameworkTypes.Contains(type):
                // A .NET collection by its contents, unless System.Text.Json would change it (a stack
                // reversed, a sorted set's comparer dropped) or cannot rebuild it (no constructor it
                // can use): then by its fields, which hold no hash codes in these.
                return ByFields(type) ? FieldContract.Create(type, options) : info;
            case JsonTypeInfoKind.Enumerable or JsonTypeInfoKind.Dictionary when !FrameworkTypes.Contains(type):
                // The app's own collection: by its contents if that is all it holds, else by its fields
                // (the base's included) — unless the base keeps hash codes, which mean nothing elsewhere.
                if (!FieldContract.HasOwnFields(type)) return info;
                return FieldContract.HashedBase(type) is { } hashed
                    ? Refusing(type, $"a collection derived from {hashed.Name} with fields of its own (its hash buckets mean nothing in another process)", options)
                    : FieldContract.Create(type, options);
            default:
                return info;
        }
    }

    /// <summary>The .NET collections that cross by their fields rather than their contents (see <see cref="MakeExact"/>).</summary>
    private static bool ByFields(Type type)
    {
        for (Type? t = type; t is not null; t = t.BaseType)
        {
            Type definition = t.IsGenericType ? t.GetGenericTypeDefinition() : t;
            if (definition == typeof(Stack<>) || definition == typeof(System.Collections.Concurrent.ConcurrentStack<>)
                || definition == typeof(SortedSet<>) || definition == typeof(SortedDictionary<,>) || definition == typeof(SortedList<,>))
            {
                return true;
            }
        }
        return !type.IsAbstract && !type.IsInterface && type.GetConstructor(Type.EmptyTypes) is null
            && type.Namespace != "System.Collections.Immutable" && FieldContract.HashedBase(type) is null;
    }

    /// <summary>A contract for <paramref name="type"/> whose every value but null is refused, saying <paramref name="reason"/>.</summary>
    private static JsonTypeInfo Refusing(Type type, string reason, JsonSerializerOptions options) =>
        Create(typeof(RefusingConverter<>), type, type, options, reason);

    /// <summary>
    /// A contract for values of <paramref name="valueType"/> whose converter is
    /// <paramref name="converterDefinition"/> closed over <paramref name="typeArgument"/> (the value
    /// type itself, or an array's element type) and made with <paramref name="arguments"/>.
    /// </summary>
    private static JsonTypeInfo Create(Type converterDefinition, Type typeArgument, Type valueType, JsonSerializerOptions options, params object[] arguments) =>
        Create(converterDefinition, [typeArgument], valueType, options, arguments);

    private static JsonTypeInfo Create(Type converterDefinition, Type[] typeArguments, Type valueType, JsonSerializerOptions options, params object[] arguments)
    {
        var converter = (JsonConverter)Activator.CreateInstance(converterDefinition.MakeGenericType(typeArguments), arguments)!;
        return (JsonTypeInfo)s_createValueInfo.MakeGenericMethod(valueType).Invoke(null, [options, converter])!;
    }

    private static readonly MethodInfo s_createValueInfo =
        typeof(JsonMetadataServices).GetMethod(nameof(JsonMetadataServices.CreateValueInfo))!;
}
