using System.Buffers.Binary;

namespace Futures.ProcessPool.Protocol;

/// <summary>The outcome of one call as it travels back (Python's <c>_ResultItem</c>): its value or its exception.</summary>
/// <param name="CallId">The <see cref="CallItem.CallId"/> of the call.</param>
/// <param name="Exception">What the call (or the worker's decoding and encoding around it) threw, as text; null on success.</param>
/// <param name="ResultJson">The codec's JSON array of the result (or a chunk's results); empty for an Action, or on failure.</param>
internal sealed record ResultItem(long CallId, ExceptionInfo? Exception, byte[] ResultJson)
{
    /// <summary>
    /// On failure, the codec's JSON array of the exception itself, with its state (type, properties,
    /// fields, inner exceptions); empty when that could not be encoded (then only the text crosses).
    /// </summary>
    public byte[] ExceptionJson { get; init; } = [];

    /// <summary>The blobs that came in frames just before this result (see <see cref="CallItem.Blobs"/>), attached by the reader; null for none.</summary>
    public IReadOnlyList<object>? Blobs { get; init; }

    /// <summary>The item as a frame payload.</summary>
    public byte[] Encode() => Exception is null ? EncodeSuccess() : Wire.Encode(this, static (w, item) =>
    {
        w.Write(item.CallId);
        w.Write(item.Exception is not null);
        if (item.Exception is not null)
        {
            item.Exception.Write(w);
            Wire.WriteBytes(w, item.ExceptionJson);
        }
        else
        {
            Wire.WriteBytes(w, item.ResultJson);
        }
    });

    /// <summary>A success, the common case, written with spans: <c>[int64 id][false][int32 length][JSON]</c>, as <see cref="BinaryWriter"/> would.</summary>
    private byte[] EncodeSuccess()
    {
        var bytes = new byte[8 + 1 + 4 + ResultJson.Length];
        BinaryPrimitives.WriteInt64LittleEndian(bytes, CallId);
        bytes[8] = 0;
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(9), ResultJson.Length);
        ResultJson.CopyTo(bytes, 13);
        return bytes;
    }

    /// <summary>Reads what <see cref="Encode"/> wrote.</summary>
    /// <exception cref="EndOfStreamException">The payload is shorter than it says.</exception>
    public static ResultItem Decode(byte[] payload)
    {
        if (payload.Length >= 13 && payload[8] == 0)
        {
            int length = BinaryPrimitives.ReadInt32LittleEndian(payload.AsSpan(9));
            if (length < 0 || length > payload.Length - 13) throw new EndOfStreamException("A result shorter than it says.");
            return new ResultItem(BinaryPrimitives.ReadInt64LittleEndian(payload), null, payload.AsSpan(13, length).ToArray());
        }
        return DecodeFailure(payload);
    }

    private static ResultItem DecodeFailure(byte[] payload) => Wire.Decode(payload, static r =>
    {
        long id = r.ReadInt64();
        if (r.ReadBoolean()) return new ResultItem(id, ExceptionInfo.Read(r), []) { ExceptionJson = Wire.ReadBytes(r) };
        return new ResultItem(id, null, Wire.ReadBytes(r));
    });
}
