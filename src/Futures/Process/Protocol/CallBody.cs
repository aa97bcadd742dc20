using System.Buffers.Binary;

namespace Futures.ProcessPool.Protocol;

/// <summary>What differs from one call to the next: its id, its values, its trace context.</summary>
/// <remarks>
/// A <see cref="CallItem"/> is a <see cref="CallHeader"/> and a body; on a worker pipe a body
/// travels alone after its header's id (<see cref="MessageKind.CallById"/>), written and read with
/// spans: no stream, no copy of the values on the worker's side (<see cref="Payload"/> is a slice of
/// the frame).
/// </remarks>
/// <param name="CallId">Numbers the call within the pool; the result carries it back.</param>
/// <param name="Count">How many calls: 1, or the items of a Map chunk.</param>
/// <param name="Blobs">Whether large strings and arrays cross as blob frames sent just before the call (see <see cref="CallItem.Blobs"/>).</param>
/// <param name="TraceParent">The parent-side activity's id (W3C <c>traceparent</c>); empty when the call is not traced.</param>
/// <param name="TraceState">The W3C <c>tracestate</c> that goes with <paramref name="TraceParent"/>; empty for none.</param>
/// <param name="Payload">The codec's JSON array of the call's values (see <see cref="CallItem.Payload"/>).</param>
internal readonly record struct CallBody(long CallId, int Count, bool Blobs, string TraceParent, string TraceState, ReadOnlyMemory<byte> Payload)
{
    /// <summary>A <see cref="MessageKind.CallById"/> frame's payload: <paramref name="headerId"/>, then this body, the values last and unprefixed.</summary>
    public byte[] EncodeWithHeaderId(int headerId)
    {
        int size = 4 + 8 + 4 + 1 + Wire.SizeOf(TraceParent) + Wire.SizeOf(TraceState) + Payload.Length;
        var bytes = new byte[size];
        Span<byte> span = bytes;
        BinaryPrimitives.WriteInt32LittleEndian(span, headerId);
        BinaryPrimitives.WriteInt64LittleEndian(span[4..], CallId);
        BinaryPrimitives.WriteInt32LittleEndian(span[12..], Count);
        span[16] = Blobs ? (byte)1 : (byte)0;
        int at = 17;
        at += Wire.Write(span[at..], TraceParent);
        at += Wire.Write(span[at..], TraceState);
        Payload.Span.CopyTo(span[at..]);
        return bytes;
    }

    /// <summary>Reads what <see cref="EncodeWithHeaderId"/> wrote; the body's values are a slice of <paramref name="payload"/>.</summary>
    /// <exception cref="InvalidDataException">The payload is too short for what it says.</exception>
    public static (int HeaderId, CallBody Body) DecodeWithHeaderId(byte[] payload)
    {
        ReadOnlySpan<byte> span = payload;
        if (span.Length < 17) throw new InvalidDataException("A call frame too short for its fields.");
        int headerId = BinaryPrimitives.ReadInt32LittleEndian(span);
        long callId = BinaryPrimitives.ReadInt64LittleEndian(span[4..]);
        int count = BinaryPrimitives.ReadInt32LittleEndian(span[12..]);
        bool blobs = span[16] != 0;
        int at = 17;
        string traceParent = Wire.Read(span, ref at);
        string traceState = Wire.Read(span, ref at);
        return (headerId, new CallBody(callId, count, blobs, traceParent, traceState, payload.AsMemory(at)));
    }
}
