using System.Text.Json;

namespace Futures.Codec;

/// <summary>
/// The <c>$id</c> / <c>$ref</c> metadata of the codec's own converters (arrays, byte arrays,
/// exceptions), in System.Text.Json's format, numbered by the same <see cref="CodecSession"/>, so
/// that one object referenced from anywhere in the graph keeps one id.
/// </summary>
internal static class References
{
    /// <summary>The property that gives an object its id, first in its JSON object.</summary>
    public const string Id = "$id";

    /// <summary>The only property of a reference to an object written earlier.</summary>
    public const string Ref = "$ref";

    /// <summary>
    /// Starts the object of <paramref name="value"/>: <c>{"$id": id, ...</c> the first time it is met
    /// (true: the caller writes the rest and ends the object), or writes <c>{"$ref": id}</c> whole for an
    /// object written before (false: nothing more to write).
    /// </summary>
    public static bool WriteStart(Utf8JsonWriter writer, object value)
    {
        string id = CodecSession.Current.GetReference(value, out bool seen);
        writer.WriteStartObject();
        if (seen)
        {
            writer.WriteString(Ref, id);
            writer.WriteEndObject();
            return false;
        }
        writer.WriteString(Id, id);
        return true;
    }

    /// <summary>Reads <c>{"$ref": id}</c> whole (<paramref name="isRef"/>), or the start of <c>{"$id": id, ...}</c>, leaving the reader on the id's value.</summary>
    /// <exception cref="JsonException">Neither.</exception>
    public static void ReadStart(ref Utf8JsonReader reader, out string id, out bool isRef)
    {
        if (reader.TokenType != JsonTokenType.StartObject) throw new JsonException("An object with $id or $ref expected.");
        reader.Read();
        isRef = reader.TokenType == JsonTokenType.PropertyName && reader.ValueTextEquals(Ref);
        if (!isRef && (reader.TokenType != JsonTokenType.PropertyName || !reader.ValueTextEquals(Id))) throw new JsonException("$id or $ref expected.");
        reader.Read();
        id = reader.GetString() ?? throw new JsonException("A null id.");
        if (isRef) ReadEnd(ref reader);
    }

    /// <summary>Reads past the end of the current object, which must have nothing left in it.</summary>
    public static void ReadEnd(ref Utf8JsonReader reader)
    {
        reader.Read();
        if (reader.TokenType != JsonTokenType.EndObject) throw new JsonException("Unexpected property after the value.");
    }
}
