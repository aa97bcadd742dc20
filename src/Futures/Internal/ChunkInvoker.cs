using System.Runtime.CompilerServices;

namespace Futures.Internal;

/// <summary>Runs one Map call over a chunk of argument tuples (Python's <c>_process_chunk</c>).</summary>
/// <remarks>
/// A chunk work item keeps the user's delegate as its <see cref="WorkItem.Function"/>, so an
/// executor that ships calls elsewhere sees what to call; <see cref="ElementInvoker"/> is how to
/// call it on one element.
/// </remarks>
internal sealed class ChunkInvoker<TArgs, TResult> : IChunkInvoker where TArgs : struct, ITuple
{
    private ChunkInvoker(Func<Delegate, TArgs, TResult> elementInvoker) => ElementInvoker = elementInvoker;

    public Func<Delegate, TArgs, TResult> ElementInvoker { get; }

    public bool ElementIsAsync => ElementInvoker.Target is IAsyncInvoker;

    public static Func<Delegate, ValueTuple<TArgs[]>, TResult[]> Create(Func<Delegate, TArgs, TResult> elementInvoker) =>
        new ChunkInvoker<TArgs, TResult>(elementInvoker).Invoke;

    private TResult[] Invoke(Delegate fn, ValueTuple<TArgs[]> chunk)
    {
        TArgs[] items = chunk.Item1;
        var results = new TResult[items.Length];
        for (int i = 0; i < items.Length; i++) results[i] = ElementInvoker(fn, items[i]);
        return results;
    }
}

/// <summary>Marks a <see cref="ChunkInvoker{TArgs, TResult}"/> whatever its type arguments, so that <see cref="WorkItem.IsMapChunk"/> needs no reflection.</summary>
internal interface IChunkInvoker
{
    /// <summary>Whether each element's call returns a task to await (an async Map).</summary>
    bool ElementIsAsync { get; }
}
