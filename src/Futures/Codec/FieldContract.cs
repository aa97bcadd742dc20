using System.Collections;
using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Futures.Codec;

/// <summary>
/// The contract of a class, struct or record that crosses by its state: every instance field, public
/// or not, of the type and its base types — as pickle copies an object's <c>__dict__</c>.
/// </summary>
/// <remarks>
/// So private setters, private fields and get-only properties set by a constructor (their backing
/// fields) all arrive, and no constructor runs on the receiving side: the object is made
/// uninitialized and its fields are set, as pickle does. Fields marked <c>[NonSerialized]</c> are
/// left out (their owner said so). A backing field <c>&lt;Name&gt;k__BackingField</c> is named
/// <c>Name</c> on the wire; a name that a base type uses too gets its declaring type's name in front.
/// </remarks>
[RequiresUnreferencedCode("The codec reads and writes the fields of types it finds at run time.")]
[RequiresDynamicCode("The codec makes generic contracts for types it finds at run time.")]
internal static class FieldContract
{
    private static readonly MethodInfo s_createTyped = typeof(FieldContract).GetMethod(nameof(CreateTyped), BindingFlags.NonPublic | BindingFlags.Static)!;

    /// <summary>The fields of each type examined, named for the wire, e.g. <c>{Dog: [(Breed, "Breed"), (Name, "Name")]}</c>.</summary>
    private static readonly ConcurrentDictionary<Type, (FieldInfo Field, string Name)[]> s_fields = new();

    /// <summary>The contract of <paramref name="type"/> by its fields.</summary>
    public static JsonTypeInfo Create(Type type, JsonSerializerOptions options) =>
        (JsonTypeInfo)s_createTyped.MakeGenericMethod(type).Invoke(null, [options])!;

    /// <summary>The first field that is a pointer, which nothing can carry; null if none.</summary>
    public static FieldInfo? PointerField(Type type) =>
        Fields(type).Select(f => f.Field).FirstOrDefault(f => f.FieldType.IsPointer || f.FieldType.IsFunctionPointer);

    /// <summary>Whether the app's own types in <paramref name="type"/>'s hierarchy (not the .NET libraries' base types) declare instance fields.</summary>
    public static bool HasOwnFields(Type type) => Fields(type).Any(f => !FrameworkTypes.Contains(f.Field.DeclaringType!));

    /// <summary>The .NET hash-based collection that <paramref name="type"/> derives from (its buckets hold hash codes); null if none.</summary>
    public static Type? HashedBase(Type type)
    {
        for (Type? t = type.BaseType; t is not null; t = t.BaseType)
        {
            Type definition = t.IsGenericType ? t.GetGenericTypeDefinition() : t;
            if (definition == typeof(Dictionary<,>) || definition == typeof(HashSet<>) || definition == typeof(ConcurrentDictionary<,>)
                || definition == typeof(Hashtable) || definition == typeof(System.Collections.Specialized.OrderedDictionary))
            {
                return t;
            }
        }
        return null;
    }

    /// <summary>Every instance field of <paramref name="type"/> and its base types that crosses, with its name on the wire.</summary>
    public static (FieldInfo Field, string Name)[] Fields(Type type) => s_fields.GetOrAdd(type, static t => NameFields(t));

    private static (FieldInfo Field, string Name)[] NameFields(Type type)
    {
        var fields = new List<(FieldInfo, string)>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (Type? t = type; t is not null && t != typeof(object) && t != typeof(ValueType); t = t.BaseType)
        {
            foreach (FieldInfo field in t.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
            {
                if (field.IsDefined(typeof(NonSerializedAttribute))) continue; // its owner said it is not state (a cache, a logger)
                string name = WireName(field.Name);
                if (!names.Add(name))
                {
                    name = $"{t.Name}.{name}";
                    for (int n = 2; !names.Add(name); n++) name = $"{t.Name}.{WireName(field.Name)}#{n}";
                }
                fields.Add((field, name));
            }
        }
        return fields.ToArray();
    }

    /// <summary><c>&lt;Name&gt;k__BackingField</c> → <c>Name</c>; any other field keeps its name.</summary>
    private static string WireName(string fieldName) =>
        fieldName.StartsWith('<') && fieldName.EndsWith(">k__BackingField", StringComparison.Ordinal)
            ? fieldName[1..^">k__BackingField".Length]
            : fieldName;

    private static JsonTypeInfo CreateTyped<T>(JsonSerializerOptions options) where T : notnull
    {
        JsonTypeInfo<T> info = JsonMetadataServices.CreateObjectInfo(options, new JsonObjectInfoValues<T>
        {
            // No constructor runs: the object is made empty and its fields are set, as pickle does.
            ObjectCreator = typeof(T).IsValueType ? static () => default! : static () => (T)RuntimeHelpers.GetUninitializedObject(typeof(T)),
            PropertyMetadataInitializer = static _ => [],
        });
        // Objects nest through these contracts without passing a converter of the codec's: check the stack here too.
        info.OnSerializing = static _ =>
        {
            CodecSession.CurrentOrNull?.NoteElementHere(); // in a collection the codec does not write itself
            DeepGraphs.Check();
        };
        info.OnDeserializing = static _ => DeepGraphs.Check();
        foreach ((FieldInfo field, string name) in Fields(typeof(T)))
        {
            JsonPropertyInfo property = info.CreateJsonPropertyInfo(field.FieldType, name);
            string step = "." + name;
            property.Get = target =>
            {
                CodecSession.CurrentOrNull?.NoteHere(step); // for a refusal to say where it sits
                return field.GetValue(target);
            };
            property.Set = field.SetValue; // read-only fields too: reflection may set them, as a constructor would
            info.Properties.Add(property);
        }
        return info;
    }
}
