using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Futures.ProcessPool.Protocol;

namespace Futures.ProcessPool;

/// <summary>A call header as the parent sends it: its id, and the <see cref="MessageKind.Header"/> frame payload that introduces it to a worker.</summary>
/// <param name="Id">Numbers the header for the life of this process, from 1.</param>
/// <param name="Payload">The id and the header, encoded once and sent to each worker once.</param>
internal sealed record SentHeader(int Id, byte[] Payload);

/// <summary>
/// The parent's call headers (<see cref="CallHeader"/>): one per function and declared types, made
/// at its first Submit and kept for the life of the process, so that a call sends only its header's id.
/// </summary>
/// <remarks>
/// Keyed by the identity of the cached <see cref="DescribedMethod"/> and <see cref="CallShape"/>
/// (both made once per method and work-item type), so a lookup hashes two references, not the
/// names. A function or a type of a collectible assembly gets no header (its calls go whole, as
/// <see cref="MessageKind.Call"/>): the table would keep the assembly loaded.
/// </remarks>
internal static class CallHeaders
{
    private static readonly ConcurrentDictionary<(DescribedMethod Method, CallShape Shape), SentHeader> s_headers = new(new ByIdentity());

    private static int s_lastId;

    /// <summary>The header of calls to <paramref name="method"/> with <paramref name="shape"/>; null where calls must carry it whole.</summary>
    public static SentHeader? For(DescribedMethod method, CallShape shape)
    {
        if (method.IsCollectible || shape.IsCollectible) return null;
        return s_headers.TryGetValue((method, shape), out SentHeader? known) ? known : s_headers.GetOrAdd((method, shape), static key =>
        {
            int id = Interlocked.Increment(ref s_lastId); // a race may number a header twice; one of them is kept
            var header = new CallHeader(key.Method.Method, key.Shape.ArgumentTypeNames, key.Shape.ResultTypeName,
                key.Method.TargetType is { } target ? MethodRef.TypeName(target) : "", key.Shape.IsChunk, key.Shape.IsAsync);
            return new SentHeader(id, header.EncodeWithId(id));
        });
    }

    private sealed class ByIdentity : IEqualityComparer<(DescribedMethod Method, CallShape Shape)>
    {
        public bool Equals((DescribedMethod Method, CallShape Shape) x, (DescribedMethod Method, CallShape Shape) y) =>
            ReferenceEquals(x.Method, y.Method) && ReferenceEquals(x.Shape, y.Shape);

        public int GetHashCode((DescribedMethod Method, CallShape Shape) key) =>
            HashCode.Combine(RuntimeHelpers.GetHashCode(key.Method), RuntimeHelpers.GetHashCode(key.Shape));
    }
}
