namespace Futures.ProcessPool.Protocol;

/// <summary>
/// The part of a call that is the same for every call of one function with the same declared
/// types: what the worker resolves (its method and types) before it can run the call.
/// </summary>
/// <remarks>
/// On a worker pipe it travels once per worker, in a <see cref="MessageKind.Header"/> frame under an
/// id; each call then names it by that id (<see cref="MessageKind.CallById"/>), so that a tiny call
/// carries no assembly-qualified names and the worker resolves them once. A self-contained
/// <see cref="CallItem"/> (the cluster's, the initializer) carries it whole.
/// </remarks>
/// <param name="Method">What to call.</param>
/// <param name="ArgumentTypes">The declared argument types (Submit's type arguments), assembly-qualified; the worker decodes by these.</param>
/// <param name="ResultType">The declared result type, assembly-qualified (the element type, for a chunk); empty for an Action.</param>
/// <param name="TargetType">The declared type of the instance an instance method runs on (a copy of it travels first in the values), assembly-qualified; empty for none.</param>
/// <param name="IsChunk">Whether calls are Map chunks, whose results come back as one array.</param>
/// <param name="IsAsync">Whether the method returns a task to await; <paramref name="ResultType"/> is then its awaited type.</param>
internal sealed record CallHeader(MethodRef Method, string[] ArgumentTypes, string ResultType, string TargetType, bool IsChunk, bool IsAsync)
{
    /// <summary>A <see cref="MessageKind.Header"/> frame's payload: <paramref name="id"/>, then this header.</summary>
    public byte[] EncodeWithId(int id) => Wire.Encode((id, this), static (w, s) =>
    {
        w.Write(s.id);
        s.Item2.Method.Write(w);
        Wire.WriteStrings(w, s.Item2.ArgumentTypes);
        w.Write(s.Item2.ResultType);
        w.Write(s.Item2.TargetType);
        w.Write(s.Item2.IsChunk);
        w.Write(s.Item2.IsAsync);
    });

    /// <summary>Reads what <see cref="EncodeWithId"/> wrote.</summary>
    public static (int Id, CallHeader Header) DecodeWithId(byte[] payload) => Wire.Decode(payload, static r =>
        (r.ReadInt32(), new CallHeader(MethodRef.Read(r), Wire.ReadStrings(r), r.ReadString(), r.ReadString(), r.ReadBoolean(), r.ReadBoolean())));
}
