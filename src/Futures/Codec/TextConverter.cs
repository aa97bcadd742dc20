using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Futures.Codec;

/// <summary>
/// Strings: a JSON string, or a blob when long and the transport has frames (<c>{"$blob":0}</c>,
/// sent as UTF-8 in a frame of its own, at <c>byte[]</c> speed), or — for text that is not
/// well-formed UTF-16 (a lone surrogate), which JSON cannot carry — its UTF-16 code units as
/// base64 (<c>{"$utf16":"..."}</c>), so that every string arrives exactly as it was.
/// </summary>
internal sealed class TextConverter : JsonConverter<string>
{
    private const string BlobProperty = "$blob";
    private const string Utf16Property = "$utf16";

    /// <inheritdoc/>
    public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options)
    {
        if (!IsWellFormed(value))
        {
            writer.WriteStartObject();
            writer.WriteBase64String(Utf16Property, MemoryMarshal.AsBytes(value.AsSpan()));
            writer.WriteEndObject();
        }
        else if (value.Length >= BlobList.MinChars && CodecSession.Current.Blobs is { } blobs)
        {
            writer.WriteStartObject();
            writer.WriteNumber(BlobProperty, blobs.Add(value));
            writer.WriteEndObject();
        }
        else
        {
            writer.WriteStringValue(value);
        }
    }

    /// <inheritdoc/>
    public override string Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.String) return reader.GetString()!;
        if (reader.TokenType != JsonTokenType.StartObject) throw new JsonException("A string expected.");
        reader.Read();
        string text;
        if (reader.ValueTextEquals(BlobProperty))
        {
            reader.Read();
            text = (CodecSession.Current.Blobs ?? throw new JsonException("A blob outside a framed transport.")).Get<string>(reader.GetInt32());
        }
        else if (reader.ValueTextEquals(Utf16Property))
        {
            reader.Read();
            byte[] units = reader.GetBytesFromBase64();
            text = new string(MemoryMarshal.Cast<byte, char>(units));
        }
        else
        {
            throw new JsonException("$blob or $utf16 expected.");
        }
        References.ReadEnd(ref reader);
        return text;
    }

    /// <inheritdoc/>
    /// <remarks>A dictionary key: always a JSON property name.</remarks>
    public override void WriteAsPropertyName(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WritePropertyName(value);

    /// <inheritdoc/>
    public override string ReadAsPropertyName(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.GetString()!;

    /// <summary>Whether every surrogate in <paramref name="text"/> is half of a pair (what UTF-8 and JSON can carry).</summary>
    public static bool IsWellFormed(string text)
    {
        ReadOnlySpan<char> span = text;
        int at = span.IndexOfAnyInRange('\uD800', '\uDFFF');
        if (at < 0) return true; // the common case: one vectorized scan
        for (int i = at; i < span.Length;)
        {
            if (Rune.DecodeFromUtf16(span[i..], out _, out int used) != System.Buffers.OperationStatus.Done) return false;
            i += used;
        }
        return true;
    }
}
