using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using System.Text.Json;

namespace Futures.Codec;

/// <summary>
/// What an exception held, as read from the wire (<see cref="ExceptionConverter{T}"/>'s format),
/// for <see cref="ExceptionRebuilder"/>; and the reflection both sides share to get at it.
/// </summary>
[RequiresUnreferencedCode("The codec reads and writes the fields of types it finds at run time.")]
[RequiresDynamicCode("The codec makes generic contracts for types it finds at run time.")]
internal sealed class ExceptionState
{
    public const string Message = "Message";
    public const string HResult = "HResult";
    public const string Source = "Source";
    public const string HelpLink = "HelpLink";
    public const string StackTrace = "StackTrace";
    public const string Data = "Data";
    public const string InnerException = "InnerException";
    public const string Properties = "Properties";
    public const string Fields = "Fields";

    /// <summary><see cref="Exception"/>'s own message field: <see cref="Exception.Message"/> may be overridden to add to it (AggregateException, ArgumentException).</summary>
    private static readonly FieldInfo? s_message = typeof(Exception).GetField("_message", BindingFlags.Instance | BindingFlags.NonPublic);

    private static readonly ConcurrentDictionary<Type, PropertyInfo[]> s_properties = new();

    public ExceptionState(Type? type, string typeName)
    {
        Type = type;
        TypeName = type?.FullName ?? TypeNameWithoutAssembly(typeName);
    }

    /// <summary>The exception's type here; null when this side does not build it (it then arrives as a <see cref="RemoteException"/>).</summary>
    public Type? Type { get; }

    /// <summary>The exception's type's full name, as the sending side had it.</summary>
    public string TypeName { get; }

    /// <summary>The message its constructor was given (without what an override of Message adds).</summary>
    public string MessageText { get; private set; } = "";

    public int HResultValue { get; private set; }

    public string? SourceText { get; private set; }

    public string? HelpLinkText { get; private set; }

    /// <summary>The stack trace where it was thrown, as text.</summary>
    public string StackTraceText { get; private set; } = "";

    /// <summary>Its Data entries, in order.</summary>
    public List<KeyValuePair<object, object?>> DataEntries { get; } = [];

    /// <summary>Its inner exception, rebuilt; null for none.</summary>
    public Exception? Inner { get; private set; }

    /// <summary>Its own public properties' values, by name (any case), e.g. <c>{"ParamName": "x"}</c>.</summary>
    public Dictionary<string, object?> PropertyValues { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Its own fields' values, e.g. <c>{_paramName: "x"}</c>.</summary>
    public List<KeyValuePair<FieldInfo, object?>> FieldValues { get; } = [];

    /// <summary>Reads the value of <paramref name="property"/> (the reader is on it).</summary>
    public void Read(string property, ref Utf8JsonReader reader, JsonSerializerOptions options)
    {
        switch (property)
        {
            case Message: MessageText = reader.GetString() ?? ""; break;
            case HResult: HResultValue = reader.GetInt32(); break;
            case Source: SourceText = reader.GetString(); break;
            case HelpLink: HelpLinkText = reader.GetString(); break;
            case StackTrace: StackTraceText = reader.GetString() ?? ""; break;
            case InnerException: Inner = (Exception?)RuntimeType.Deserialize(ref reader, options.GetTypeInfo(typeof(Exception))); break;
            case Data: ReadData(ref reader, options); break;
            case Properties: ReadMembers(ref reader, options, isField: false); break;
            case Fields: ReadMembers(ref reader, options, isField: true); break;
            default: reader.Skip(); break; // a newer peer's addition
        }
    }

    private void ReadData(ref Utf8JsonReader reader, JsonSerializerOptions options)
    {
        var objects = options.GetTypeInfo(typeof(object));
        while (reader.Read() && reader.TokenType == JsonTokenType.StartArray)
        {
            reader.Read();
            object key = RuntimeType.Deserialize(ref reader, objects) ?? throw new JsonException("A null Data key.");
            reader.Read();
            object? value = RuntimeType.Deserialize(ref reader, objects);
            reader.Read(); // the pair's end
            DataEntries.Add(new(key, value));
        }
    }

    private void ReadMembers(ref Utf8JsonReader reader, JsonSerializerOptions options, bool isField)
    {
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            string name = reader.GetString()!;
            reader.Read();
            if (Type is null)
            {
                reader.Skip(); // a type this side does not build: only its message and stack trace are used
            }
            else if (isField && FieldNamed(Type, name) is { } field)
            {
                FieldValues.Add(new(field, RuntimeType.Deserialize(ref reader, options.GetTypeInfo(field.FieldType))));
            }
            else if (!isField && PropertiesOf(Type).FirstOrDefault(p => p.Name == name) is { } prop)
            {
                PropertyValues[name] = RuntimeType.Deserialize(ref reader, options.GetTypeInfo(prop.PropertyType));
            }
            else
            {
                reader.Skip(); // a member this side's type does not have (another build)
            }
        }
    }

    /// <summary>The message <paramref name="e"/>'s constructor was given.</summary>
    public static string BaseMessage(Exception e) => s_message?.GetValue(e) as string ?? e.Message;

    /// <summary>Sets the message <paramref name="e"/> was constructed with, whatever its constructor made of the one it was given.</summary>
    public static void SetBaseMessage(Exception e, string message) => s_message?.SetValue(e, message);

    /// <summary>Where <paramref name="e"/> was thrown (and, for one rebuilt from a worker, where that was), as text.</summary>
    public static string StackTraceOf(Exception e) => e.StackTrace ?? "";

    /// <summary>
    /// The public readable properties that <paramref name="type"/> and its base types below
    /// <see cref="Exception"/> declare, e.g. <c>[ParamName]</c>; Exception's own are carried apart.
    /// </summary>
    public static PropertyInfo[] PropertiesOf(Type type) => s_properties.GetOrAdd(type, static t =>
        t.GetProperties(BindingFlags.Instance | BindingFlags.Public)
            .Where(p => p.CanRead && p.GetIndexParameters().Length == 0 && p.DeclaringType != typeof(Exception)
                && typeof(Exception).GetProperty(p.Name) is null)
            .ToArray());

    /// <summary>The instance fields that <paramref name="type"/> and its base types below <see cref="Exception"/> declare.</summary>
    public static IEnumerable<(FieldInfo Field, string Name)> FieldsOf(Type type) =>
        FieldContract.Fields(type).Where(f => f.Field.DeclaringType != typeof(Exception));

    /// <summary>The value of <paramref name="property"/> on <paramref name="e"/>, unless its getter throws or the value cannot cross.</summary>
    public static bool TryGet(PropertyInfo property, Exception e, out object? value)
    {
        try
        {
            value = property.GetValue(e);
        }
        catch (Exception)
        {
            value = null;
            return false; // a getter that throws: the fields still carry the state
        }
        return value is null || RefusedTypes.Why(value.GetType()) is null;
    }

    private static string TypeNameWithoutAssembly(string name)
    {
        int comma = name.LastIndexOf(", ", StringComparison.Ordinal);
        return comma < 0 || name.IndexOf(']', comma) >= 0 ? name : name[..comma];
    }

    private static FieldInfo? FieldNamed(Type type, string name)
    {
        foreach ((FieldInfo field, string wireName) in FieldsOf(type))
        {
            if (wireName == name) return field;
        }
        return null;
    }
}
