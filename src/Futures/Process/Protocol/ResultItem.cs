namespace Futures.ProcessPool.Protocol;

/// <summary>The outcome of one call as it travels back (Python's <c>_ResultItem</c>): a JSON value or an exception.</summary>
/// <param name="CallId">The <see cref="CallItem.CallId"/> of the call.</param>
/// <param name="Exception">What the call (or the worker's deserializing/serializing around it) threw; null on success.</param>
/// <param name="ResultJson">The result as UTF-8 JSON, by the declared result type; empty for an Action or on failure.</param>
internal sealed record ResultItem(long CallId, ExceptionInfo? Exception, byte[] ResultJson)
{
    /// <summary>The item as a frame payload.</summary>
    public byte[] Encode() => Wire.Encode(this, static (w, item) =>
    {
        w.Write(item.CallId);
        w.Write(item.Exception is not null);
        if (item.Exception is not null) item.Exception.Write(w);
        else Wire.WriteBytes(w, item.ResultJson);
    });

    /// <summary>Reads what <see cref="Encode"/> wrote.</summary>
    public static ResultItem Decode(byte[] payload) => Wire.Decode(payload, static r =>
    {
        long id = r.ReadInt64();
        return r.ReadBoolean() ? new ResultItem(id, ExceptionInfo.Read(r), []) : new ResultItem(id, null, Wire.ReadBytes(r));
    });
}
