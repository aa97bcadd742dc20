using System.Text.Json;

namespace Futures.Codec;

/// <summary>
/// Raw bytes inside the codec's JSON — a <c>byte[]</c>, or the memory of an array of plain values —
/// as a blob when large and the transport has frames (<c>"$blob": 0</c>), else as base64
/// (<c>"$base64": "AAEC"</c>). Shared by <see cref="BytesConverter"/> and <see cref="RawArrayConverter{T}"/>.
/// </summary>
internal static class RawBytes
{
    private const string BlobProperty = "$blob";
    private const string Base64Property = "$base64";

    /// <summary>
    /// Writes <paramref name="bytes"/> as the next property of the current object. A blob is a copy
    /// taken now where the list takes snapshots (a Submit's), else <paramref name="whole"/> itself
    /// when the bytes are a whole <c>byte[]</c> (see <see cref="BlobList.AddBytes"/>).
    /// </summary>
    public static void Write(Utf8JsonWriter writer, ReadOnlySpan<byte> bytes, byte[]? whole = null)
    {
        if (CodecSession.Current.Blobs is { } blobs && bytes.Length >= BlobList.MinBytes) writer.WriteNumber(BlobProperty, blobs.AddBytes(bytes, whole));
        else writer.WriteBase64String(Base64Property, bytes);
    }

    /// <summary>Reads what <see cref="Write"/> wrote; the reader is before the property's name and ends on its value.</summary>
    /// <exception cref="JsonException">Neither form, or a blob that did not come.</exception>
    public static byte[] Read(ref Utf8JsonReader reader)
    {
        reader.Read();
        if (reader.ValueTextEquals(BlobProperty))
        {
            reader.Read();
            return (CodecSession.Current.Blobs ?? throw new JsonException("A blob outside a framed transport.")).Get<byte[]>(reader.GetInt32());
        }
        if (reader.ValueTextEquals(Base64Property))
        {
            reader.Read();
            return reader.GetBytesFromBase64();
        }
        throw new JsonException("$blob or $base64 expected.");
    }
}
