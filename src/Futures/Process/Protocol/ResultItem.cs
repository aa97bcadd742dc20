namespace Futures.ProcessPool.Protocol;

/// <summary>The outcome of one call as it travels back (Python's <c>_ResultItem</c>): a JSON value or an exception.</summary>
/// <param name="CallId">The <see cref="CallItem.CallId"/> of the call.</param>
/// <param name="Exception">What the call (or the worker's deserializing/serializing around it) threw; null on success.</param>
/// <param name="ResultJson">The result as UTF-8 JSON, by the declared result type; empty for an Action, on failure, or for a blob.</param>
internal sealed record ResultItem(long CallId, ExceptionInfo? Exception, byte[] ResultJson)
{
    /// <summary>How a successful value travels: as <see cref="ResultJson"/>, or as a <c>byte[]</c> blob frame sent just before (or a null one).</summary>
    public ResultForm Form { get; init; }

    /// <summary>The <c>byte[]</c> result that came as a blob frame, attached by the reader; null otherwise.</summary>
    public byte[]? Blob { get; init; }

    /// <summary>The item as a frame payload.</summary>
    public byte[] Encode() => Wire.Encode(this, static (w, item) =>
    {
        w.Write(item.CallId);
        w.Write(item.Exception is not null);
        if (item.Exception is not null) item.Exception.Write(w);
        else
        {
            w.Write((byte)item.Form);
            Wire.WriteBytes(w, item.ResultJson);
        }
    });

    /// <summary>Reads what <see cref="Encode"/> wrote.</summary>
    public static ResultItem Decode(byte[] payload) => Wire.Decode(payload, static r =>
    {
        long id = r.ReadInt64();
        if (r.ReadBoolean()) return new ResultItem(id, ExceptionInfo.Read(r), []);
        var form = (ResultForm)r.ReadByte();
        return new ResultItem(id, null, Wire.ReadBytes(r)) { Form = form };
    });
}

/// <summary>How a <see cref="ResultItem"/>'s value travels.</summary>
internal enum ResultForm : byte
{
    /// <summary>UTF-8 JSON in <see cref="ResultItem.ResultJson"/>.</summary>
    Json = 0,

    /// <summary>A <c>byte[]</c>: the <see cref="MessageKind.Blob"/> frame just before the result.</summary>
    Blob = 1,

    /// <summary>A null <c>byte[]</c>.</summary>
    NullBlob = 2,
}
