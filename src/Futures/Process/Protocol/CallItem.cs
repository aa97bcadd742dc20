namespace Futures.ProcessPool.Protocol;

/// <summary>One call as it travels to a worker (Python's <c>_CallItem</c>).</summary>
/// <param name="CallId">Numbers the call within the pool; the result carries it back.</param>
/// <param name="Method">What to call.</param>
/// <param name="ArgumentTypes">The declared argument types (Submit's type arguments), assembly-qualified; the worker deserializes by these.</param>
/// <param name="ResultType">The declared result type, assembly-qualified; empty for an Action.</param>
/// <param name="IsChunk">Whether <paramref name="ArgumentsJson"/> is an array of argument arrays (a Map chunk) whose results come back as one array.</param>
/// <param name="ArgumentsJson">UTF-8 JSON: <c>[arg1, arg2]</c>, or <c>[[a1, a2], [a1, a2]]</c> for a chunk.</param>
/// <param name="TraceParent">The parent-side activity's id (W3C <c>traceparent</c>) for the worker's activity to parent on; empty when the call is not traced.</param>
/// <param name="TraceState">The W3C <c>tracestate</c> that goes with <paramref name="TraceParent"/>; empty for none.</param>
/// <param name="Blobs">
/// Whether <c>byte[]</c> values cross as <see cref="MessageKind.Blob"/> frames (a worker pipe; not in a
/// chunk): an argument declared <c>byte[]</c> is then the index of its blob among those sent before the
/// call (or null) in <paramref name="ArgumentsJson"/>, and a <c>byte[]</c> result comes back as a blob.
/// Otherwise they are base64 JSON strings, and the item is self-contained (the Orleans executor).
/// </param>
internal sealed record CallItem(long CallId, MethodRef Method, string[] ArgumentTypes, string ResultType, bool IsChunk, byte[] ArgumentsJson,
    string TraceParent = "", string TraceState = "", bool Blobs = false)
{
    /// <summary>The item as a frame payload.</summary>
    public byte[] Encode() => Wire.Encode(this, static (w, c) =>
    {
        w.Write(c.CallId);
        c.Method.Write(w);
        Wire.WriteStrings(w, c.ArgumentTypes);
        w.Write(c.ResultType);
        w.Write(c.IsChunk);
        Wire.WriteBytes(w, c.ArgumentsJson);
        w.Write(c.TraceParent);
        w.Write(c.TraceState);
        w.Write(c.Blobs);
    });

    /// <summary>Reads what <see cref="Encode"/> wrote.</summary>
    public static CallItem Decode(byte[] payload) => Wire.Decode(payload, static r =>
        new CallItem(r.ReadInt64(), MethodRef.Read(r), Wire.ReadStrings(r), r.ReadString(), r.ReadBoolean(), Wire.ReadBytes(r),
            r.ReadString(), r.ReadString(), r.ReadBoolean()));
}
