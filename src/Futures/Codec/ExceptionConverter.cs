using System.Collections;
using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Futures.Codec;

/// <summary>
/// An exception in a slot declared as <typeparamref name="T"/>, with its run-time type and state:
/// <c>{"$id":"3","$type":"MyApp.CodeException, MyApp","Message":..,"HResult":..,"Source":..,
/// "HelpLink":..,"StackTrace":..,"Data":[[key,value],..],"InnerException":..,"Properties":{..},"Fields":{..}}</c>.
/// </summary>
/// <remarks>
/// <c>Properties</c> are the public readable properties that the exception's type and its base
/// types below <see cref="Exception"/> declare (<c>ParamName</c>, a custom <c>Code</c>), by which
/// the receiving side binds a constructor; <c>Fields</c> are those types' instance fields, set after
/// the constructor, so that everything the exception held arrives (an
/// <see cref="AggregateException"/>'s every inner exception, a get-only property's backing field).
/// Inner exceptions and Data values go by the codec's rules. The receiving side builds only
/// exception types already loaded there (<see cref="CodecTypeResolver"/>) and
/// assignable to <typeparamref name="T"/>; one it cannot build arrives as a
/// <see cref="RemoteException"/> with its type name, message and stack trace, where the slot
/// admits that (an <see cref="Exception"/> slot does).
/// </remarks>
[RequiresUnreferencedCode("The codec reads and writes the fields of types it finds at run time.")]
[RequiresDynamicCode("The codec makes generic contracts for types it finds at run time.")]
internal sealed class ExceptionConverter<T> : JsonConverter<T> where T : Exception
{
    /// <inheritdoc/>
    public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options)
    {
        DeepGraphs.Check();
        CodecSession session = CodecSession.Current;
        session.NoteElementHere();
        if (!References.WriteStart(writer, value)) return;
        Type type = value.GetType();
        writer.WriteString(RuntimeType.TypeProperty, CodecTypeResolver.NameOf(type));
        writer.WriteString(ExceptionState.Message, ExceptionState.BaseMessage(value));
        writer.WriteNumber(ExceptionState.HResult, value.HResult);
        writer.WriteString(ExceptionState.Source, value.Source);
        writer.WriteString(ExceptionState.HelpLink, value.HelpLink);
        writer.WriteString(ExceptionState.StackTrace, ExceptionState.StackTraceOf(value));
        writer.WriteStartArray(ExceptionState.Data);
        foreach (DictionaryEntry entry in value.Data)
        {
            writer.WriteStartArray();
            session.NoteHere($".Data[{entry.Key}]");
            RuntimeType.Serialize(writer, entry.Key, options.GetTypeInfo(typeof(object)));
            RuntimeType.Serialize(writer, entry.Value, options.GetTypeInfo(typeof(object)));
            writer.WriteEndArray();
        }
        writer.WriteEndArray();
        writer.WritePropertyName(ExceptionState.InnerException);
        session.NoteHere(".InnerException");
        RuntimeType.Serialize(writer, value.InnerException, options.GetTypeInfo(typeof(Exception)));
        writer.WriteStartObject(ExceptionState.Properties);
        foreach (PropertyInfo property in ExceptionState.PropertiesOf(type))
        {
            if (!ExceptionState.TryGet(property, value, out object? propertyValue)) continue;
            writer.WritePropertyName(property.Name);
            session.NoteHere("." + property.Name);
            RuntimeType.Serialize(writer, propertyValue, options.GetTypeInfo(property.PropertyType));
        }
        writer.WriteEndObject();
        writer.WriteStartObject(ExceptionState.Fields);
        foreach ((FieldInfo field, string name) in ExceptionState.FieldsOf(type))
        {
            writer.WritePropertyName(name);
            session.NoteHere("." + name);
            RuntimeType.Serialize(writer, field.GetValue(value), options.GetTypeInfo(field.FieldType));
        }
        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    /// <inheritdoc/>
    public override T Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        DeepGraphs.Check();
        CodecSession session = CodecSession.Current;
        References.ReadStart(ref reader, out string id, out bool isRef);
        if (isRef) return session.ResolveReference(id) as T ?? throw new JsonException($"Id {id} is not a {typeof(T).Name}.");
        reader.Read();
        if (!reader.ValueTextEquals(RuntimeType.TypeProperty)) throw new JsonException("An exception's $type expected after its $id.");
        reader.Read();
        string typeName = reader.GetString() ?? throw new JsonException("A null $type.");
        var state = new ExceptionState(TypeHere(session, typeName), typeName);
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            string property = reader.GetString()!;
            reader.Read();
            state.Read(property, ref reader, options);
        }
        if (reader.TokenType != JsonTokenType.EndObject) throw new JsonException("An exception object expected.");
        Exception rebuilt = ExceptionRebuilder.Rebuild(state);
        if (rebuilt is not T typed)
        {
            throw new JsonException($"The peer's {typeName} (\"{state.MessageText}\") cannot be rebuilt here as a {typeof(T).FullName}.");
        }
        session.AddReference(id, typed);
        return typed;
    }

    /// <summary>The exception's type on this side, or null when it is not one this side builds (then it arrives as a RemoteException).</summary>
    private static Type? TypeHere(CodecSession session, string name)
    {
        try
        {
            return session.Types.Resolve(name, typeof(T));
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
