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
    public byte[] Encode() => Wire.Encode(this, static (w, item) =>
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

    /// <summary>Reads what <see cref="Encode"/> wrote.</summary>
    public static ResultItem Decode(byte[] payload) => Wire.Decode(payload, static r =>
    {
        long id = r.ReadInt64();
        if (r.ReadBoolean()) return new ResultItem(id, ExceptionInfo.Read(r), []) { ExceptionJson = Wire.ReadBytes(r) };
        return new ResultItem(id, null, Wire.ReadBytes(r));
    });
}
