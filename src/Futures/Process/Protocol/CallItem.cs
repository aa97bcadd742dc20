namespace Futures.ProcessPool.Protocol;

/// <summary>One call as it travels to a worker (Python's <c>_CallItem</c>).</summary>
/// <param name="CallId">Numbers the call within the pool; the result carries it back.</param>
/// <param name="Method">What to call.</param>
/// <param name="ArgumentTypes">The declared argument types (Submit's type arguments), assembly-qualified; the worker decodes by these.</param>
/// <param name="ResultType">The declared result type, assembly-qualified; empty for an Action.</param>
/// <param name="IsChunk">Whether this is a Map chunk of <paramref name="Count"/> calls, whose results come back as one array.</param>
/// <param name="Payload">
/// The codec's JSON array (<see cref="Codec.ValueCodec"/>) of the call's values: the target when
/// <paramref name="TargetType"/> is set, then the arguments — for a chunk, the arguments of each of
/// its calls in turn — so that the whole call is one graph (shared references stay shared).
/// </param>
/// <param name="TraceParent">The parent-side activity's id (W3C <c>traceparent</c>) for the worker's activity to parent on; empty when the call is not traced.</param>
/// <param name="TraceState">The W3C <c>tracestate</c> that goes with <paramref name="TraceParent"/>; empty for none.</param>
/// <param name="Blobs">
/// Whether large strings and arrays cross as blob frames sent just before the call (a worker pipe),
/// results likewise; otherwise everything is in the JSON and the item is self-contained (the cluster).
/// </param>
/// <param name="TargetType">The declared type of the instance an instance method runs on (a copy of it travels first in the payload), assembly-qualified; empty for none.</param>
/// <param name="Count">How many calls: 1, or the items of a Map chunk.</param>
/// <param name="IsAsync">Whether the method returns a task to await; <paramref name="ResultType"/> is then its awaited type.</param>
internal sealed record CallItem(long CallId, MethodRef Method, string[] ArgumentTypes, string ResultType, bool IsChunk, byte[] Payload,
    string TraceParent = "", string TraceState = "", bool Blobs = false, string TargetType = "", int Count = 1, bool IsAsync = false)
{
    /// <summary>What the worker resolves once per function and declared types.</summary>
    public CallHeader Header => new(Method, ArgumentTypes, ResultType, TargetType, IsChunk, IsAsync);

    /// <summary>What differs from one call to the next.</summary>
    public CallBody Body => new(CallId, Count, Blobs, TraceParent, TraceState, Payload);

    /// <summary>The item as a frame payload.</summary>
    public byte[] Encode() => Wire.Encode(this, static (w, c) =>
    {
        w.Write(c.CallId);
        c.Method.Write(w);
        Wire.WriteStrings(w, c.ArgumentTypes);
        w.Write(c.ResultType);
        w.Write(c.IsChunk);
        Wire.WriteBytes(w, c.Payload);
        w.Write(c.TraceParent);
        w.Write(c.TraceState);
        w.Write(c.Blobs);
        w.Write(c.TargetType);
        w.Write(c.Count);
        w.Write(c.IsAsync);
    });

    /// <summary>Reads what <see cref="Encode"/> wrote.</summary>
    public static CallItem Decode(byte[] payload) => Wire.Decode(payload, static r =>
        new CallItem(r.ReadInt64(), MethodRef.Read(r), Wire.ReadStrings(r), r.ReadString(), r.ReadBoolean(), Wire.ReadBytes(r),
            r.ReadString(), r.ReadString(), r.ReadBoolean(), r.ReadString(), r.ReadInt32(), r.ReadBoolean()));
}
