using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace Futures.Codec;

/// <summary>
/// <see cref="Dictionary{TKey, TValue}"/> with its comparer and any key type, and its identity:
/// <c>{"$id":"2","$comparer":"OrdinalIgnoreCase","$pairs":[[key,value],..]}</c>.
/// </summary>
/// <remarks>
/// System.Text.Json writes a dictionary as a JSON object, which takes only keys it can turn into
/// property names and drops the comparer, so a case-insensitive dictionary would arrive
/// case-sensitive. Keys and values go by the codec's rules; the dictionary exists, with its id,
/// before its pairs are read, so a value may refer back to it.
/// </remarks>
[RequiresUnreferencedCode("The codec reads and writes the fields of types it finds at run time.")]
[RequiresDynamicCode("The codec makes generic contracts for types it finds at run time.")]
internal sealed class DictionaryConverter<TKey, TValue> : JsonConverter<Dictionary<TKey, TValue>> where TKey : notnull
{
    private const string PairsProperty = "$pairs";

    /// <inheritdoc/>
    public override void Write(Utf8JsonWriter writer, Dictionary<TKey, TValue> value, JsonSerializerOptions options)
    {
        DeepGraphs.Check();
        CodecSession.Current.NoteElementHere();
        bool isDefault = ReferenceEquals(value.Comparer, EqualityComparer<TKey>.Default);
        if (!HashedCollection.WriteStart(writer, value, value.Comparer, isDefault, options)) return;
        writer.WriteStartArray(PairsProperty);
        JsonTypeInfo keys = options.GetTypeInfo(typeof(TKey));
        JsonTypeInfo values = options.GetTypeInfo(typeof(TValue));
        CodecSession session = CodecSession.Current;
        foreach ((TKey key, TValue item) in value)
        {
            writer.WriteStartArray();
            session.NoteHere($"[{key}]");
            RuntimeType.Serialize(writer, key, keys);
            RuntimeType.Serialize(writer, item, values);
            writer.WriteEndArray();
        }
        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    /// <inheritdoc/>
    public override Dictionary<TKey, TValue> Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        DeepGraphs.Check();
        if (HashedCollection.ReadStart<Dictionary<TKey, TValue>, IEqualityComparer<TKey>>(ref reader, options, PairsProperty, out string id, out var comparer) is { } known) return known;
        var dictionary = new Dictionary<TKey, TValue>(comparer);
        CodecSession.Current.AddReference(id, dictionary);
        JsonTypeInfo keys = options.GetTypeInfo(typeof(TKey));
        JsonTypeInfo values = options.GetTypeInfo(typeof(TValue));
        while (reader.Read() && reader.TokenType == JsonTokenType.StartArray)
        {
            reader.Read();
            var key = (TKey)(RuntimeType.Deserialize(ref reader, keys) ?? throw new JsonException("A null dictionary key."));
            reader.Read();
            dictionary[key] = (TValue)RuntimeType.Deserialize(ref reader, values)!;
            reader.Read();
        }
        References.ReadEnd(ref reader);
        return dictionary;
    }
}

/// <summary><see cref="HashSet{T}"/> with its comparer and its identity: <c>{"$id":"2","$comparer":..,"$items":[..]}</c>.</summary>
[RequiresUnreferencedCode("The codec reads and writes the fields of types it finds at run time.")]
[RequiresDynamicCode("The codec makes generic contracts for types it finds at run time.")]
internal sealed class HashSetConverter<T> : JsonConverter<HashSet<T>>
{
    private const string ItemsProperty = "$items";

    /// <inheritdoc/>
    public override void Write(Utf8JsonWriter writer, HashSet<T> value, JsonSerializerOptions options)
    {
        DeepGraphs.Check();
        CodecSession.Current.NoteElementHere();
        bool isDefault = ReferenceEquals(value.Comparer, EqualityComparer<T>.Default);
        if (!HashedCollection.WriteStart(writer, value, value.Comparer, isDefault, options)) return;
        writer.WriteStartArray(ItemsProperty);
        JsonTypeInfo items = options.GetTypeInfo(typeof(T));
        CodecSession session = CodecSession.Current;
        int i = 0;
        foreach (T item in value)
        {
            session.NoteHere($"[{i++.ToString(CultureInfo.InvariantCulture)}]");
            RuntimeType.Serialize(writer, item, items);
        }
        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    /// <inheritdoc/>
    public override HashSet<T> Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        DeepGraphs.Check();
        if (HashedCollection.ReadStart<HashSet<T>, IEqualityComparer<T>>(ref reader, options, ItemsProperty, out string id, out var comparer) is { } known) return known;
        var set = new HashSet<T>(comparer);
        CodecSession.Current.AddReference(id, set);
        JsonTypeInfo items = options.GetTypeInfo(typeof(T));
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray) set.Add((T)RuntimeType.Deserialize(ref reader, items)!);
        References.ReadEnd(ref reader);
        return set;
    }
}

/// <summary>The parts that <see cref="DictionaryConverter{TKey, TValue}"/> and <see cref="HashSetConverter{T}"/> share: identity and comparer.</summary>
[RequiresUnreferencedCode("The codec reads and writes the fields of types it finds at run time.")]
[RequiresDynamicCode("The codec makes generic contracts for types it finds at run time.")]
internal static class HashedCollection
{
    private const string ComparerProperty = "$comparer";

    /// <summary>The string comparers that cross by name (culture-aware ones take the receiving side's culture).</summary>
    private static readonly (string Name, StringComparer Comparer)[] s_named =
    [
        ("Ordinal", StringComparer.Ordinal), ("OrdinalIgnoreCase", StringComparer.OrdinalIgnoreCase),
        ("InvariantCulture", StringComparer.InvariantCulture), ("InvariantCultureIgnoreCase", StringComparer.InvariantCultureIgnoreCase),
        ("CurrentCulture", StringComparer.CurrentCulture), ("CurrentCultureIgnoreCase", StringComparer.CurrentCultureIgnoreCase),
    ];

    /// <summary>
    /// Writes <c>{"$ref":..}</c> for a collection written before (false: nothing more to write), or
    /// <c>{"$id":..</c> and its comparer unless it is the default one: by name for the framework's
    /// string comparers, else as a value by the codec's rules (a comparer class of the app's crosses
    /// by its fields; one built from a lambda is refused, as any delegate).
    /// </summary>
    public static bool WriteStart<TComparer>(Utf8JsonWriter writer, object collection, TComparer comparer, bool isDefault, JsonSerializerOptions options) where TComparer : class
    {
        if (!References.WriteStart(writer, collection)) return false;
        if (isDefault) return true;
        writer.WritePropertyName(ComparerProperty);
        if (s_named.FirstOrDefault(n => n.Comparer.Equals(comparer)) is { Name: { } name })
        {
            writer.WriteStringValue(name);
        }
        else
        {
            CodecSession.Current.NoteHere(".Comparer");
            RuntimeType.Serialize(writer, comparer, options.GetTypeInfo(typeof(TComparer)));
        }
        return true;
    }

    /// <summary>
    /// Reads what <see cref="WriteStart"/> wrote, up to the items' array (the reader is then on its
    /// start); returns the collection itself for a <c>$ref</c>.
    /// </summary>
    public static TCollection? ReadStart<TCollection, TComparer>(ref Utf8JsonReader reader, JsonSerializerOptions options, string itemsProperty,
        out string id, out TComparer? comparer) where TCollection : class where TComparer : class
    {
        CodecSession session = CodecSession.Current;
        comparer = null;
        References.ReadStart(ref reader, out id, out bool isRef);
        if (isRef) return session.ResolveReference(id) as TCollection ?? throw new JsonException($"Id {id} is not a {typeof(TCollection).Name}.");
        reader.Read();
        if (reader.ValueTextEquals(ComparerProperty))
        {
            reader.Read();
            if (reader.TokenType == JsonTokenType.String)
            {
                string name = reader.GetString()!;
                comparer = s_named.FirstOrDefault(n => n.Name == name).Comparer as TComparer ?? throw new JsonException($"An unknown comparer {name}.");
            }
            else
            {
                comparer = (TComparer?)RuntimeType.Deserialize(ref reader, options.GetTypeInfo(typeof(TComparer)));
            }
            reader.Read();
        }
        if (!reader.ValueTextEquals(itemsProperty)) throw new JsonException($"{itemsProperty} expected.");
        reader.Read();
        return null;
    }
}
