using System.Text.Json;
using System.Text.Json.Serialization;

namespace Futures.Codec;

/// <summary>
/// <c>byte[]</c> with its identity (an array referenced twice arrives as one array), as a blob when
/// large and the transport has frames, else as base64:
/// <c>{"$id":"4","$blob":0}</c>, <c>{"$id":"5","$base64":"AAEC"}</c>, then <c>{"$ref":"4"}</c>.
/// </summary>
/// <remarks>
/// System.Text.Json writes a <c>byte[]</c> as a plain base64 string and ignores its identity, and
/// base64 costs a third more bytes and two passes: a 10 MB array is one raw frame instead. At
/// Submit a blob is a copy taken now, so a change the caller makes to its array after Submit is not
/// seen, as with any other serialized value (see <see cref="BlobList"/>).
/// </remarks>
internal sealed class BytesConverter : JsonConverter<byte[]>
{
    /// <inheritdoc/>
    public override void Write(Utf8JsonWriter writer, byte[] value, JsonSerializerOptions options)
    {
        if (!References.WriteStart(writer, value)) return;
        RawBytes.Write(writer, value, whole: value);
        writer.WriteEndObject();
    }

    /// <inheritdoc/>
    public override byte[] Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        CodecSession session = CodecSession.Current;
        References.ReadStart(ref reader, out string id, out bool isRef);
        if (isRef) return session.ResolveReference(id) as byte[] ?? throw new JsonException($"Id {id} is not a byte array.");
        byte[] bytes = RawBytes.Read(ref reader);
        session.AddReference(id, bytes);
        References.ReadEnd(ref reader);
        return bytes;
    }
}
