using System.Collections.Concurrent;
using System.Reflection;
using System.Runtime.CompilerServices;
using Futures.Codec;
using Futures.Internal;
using Futures.ProcessPool.Protocol;

namespace Futures.ProcessPool;

/// <summary>
/// What the declared types of a submitted call are, worked out once per closed
/// <see cref="CallWorkItem{TArgs, TResult}"/> type: argument types, result type, whether it is a
/// Map chunk, and how to complete its typed future.
/// </summary>
/// <remarks>
/// Arguments cross by these declared types (Submit's type arguments), and the result is read back
/// only as the declared result type: the worker never chooses a type that the parent instantiates.
/// A chunk is a <c>CallWorkItem&lt;ValueTuple&lt;TArgs[]&gt;, TResult[]&gt;</c> whose invoker is a
/// <see cref="ChunkInvoker{TArgs, TResult}"/>; it crosses as one call whose result is the array.
/// </remarks>
internal sealed class CallShape
{
    private static readonly ConcurrentDictionary<(Type, bool, bool), CallShape> s_shapes = new();

    private CallShape(Type[] argumentTypes, Type? resultType, Type? wireResultType, bool isChunk, bool isAsync)
    {
        IsAsync = isAsync;
        ArgumentTypes = argumentTypes;
        ArgumentTypeNames = argumentTypes.Select(MethodRef.TypeName).ToArray();
        ResultType = resultType;
        ResultTypeName = wireResultType is null ? "" : MethodRef.TypeName(wireResultType);
        IsChunk = isChunk;
        IsCollectible = argumentTypes.Any(t => t.IsCollectible) || resultType?.IsCollectible == true;
    }

    /// <summary>Whether a declared type lives in a collectible assembly: nothing may keep this shape's header for good (see <see cref="CallHeaders"/>).</summary>
    public bool IsCollectible { get; }

    /// <summary>The declared argument types (of one element, for a chunk), e.g. <c>[Int32, String]</c>.</summary>
    public Type[] ArgumentTypes { get; }

    /// <summary><see cref="ArgumentTypes"/> assembly-qualified, for the wire.</summary>
    public string[] ArgumentTypeNames { get; }

    /// <summary>The future's declared result type (<c>Int32[]</c> for a chunk of Int32); null for an Action.</summary>
    public Type? ResultType { get; }

    /// <summary>The result type the worker serializes by (the element type, for a chunk); empty for an Action.</summary>
    public string ResultTypeName { get; }

    /// <summary>Whether this is a Map chunk.</summary>
    public bool IsChunk { get; }

    /// <summary>Whether the function is async: the worker awaits the task it returns, and the result crosses as its awaited value.</summary>
    public bool IsAsync { get; }

    /// <summary>The shape of <paramref name="item"/>, a <see cref="CallWorkItem{TArgs, TResult}"/>.</summary>
    /// <exception cref="ArgumentException">The item was not made by Executor's Submit or Map.</exception>
    public static CallShape Of(WorkItem item)
    {
        Type type = item.GetType();
        if (!type.IsGenericType || type.GetGenericTypeDefinition() != typeof(CallWorkItem<,>))
        {
            throw new ArgumentException($"A process pool ships work items made by Submit and Map only, not {type}.", nameof(item));
        }
        // A Submit of one array argument has the same item type as a chunk: only the invoker tells them apart.
        return s_shapes.GetOrAdd((type, item.IsMapChunk, item.IsAsync), static key => Create(key.Item1, key.Item2, key.Item3));
    }

    private static CallShape Create(Type itemType, bool isChunk, bool isAsync)
    {
        Type[] generic = itemType.GetGenericArguments();
        Type args = generic[0];
        Type? result = generic[1] == typeof(VoidResult) ? null : generic[1];
        if (!isChunk) return new CallShape(args.GetGenericArguments(), result, result, isChunk: false, isAsync);
        Type element = args.GetGenericArguments()[0].GetElementType()!;
        return new CallShape(element.GetGenericArguments(), result, result!.GetElementType(), isChunk: true, isAsync);
    }

    /// <summary>Slot names for messages, by position: <c>arg1</c>, <c>arg2</c>, ...</summary>
    private static readonly string[] s_argumentNames = ["arg1", "arg2", "arg3", "arg4"];

    /// <summary>The slot names of one call's arguments, made once (a benign race may make them twice).</summary>
    private string[]? _argumentSlots;

    /// <summary>The declared type of a single call's result, as the codec takes it, made once.</summary>
    private Type[]? _resultTypes;

    private static string[] SlotNames(int count) =>
        Enumerable.Range(0, count).Select(i => i < s_argumentNames.Length ? s_argumentNames[i] : $"arg{i + 1}").ToArray();

    /// <summary>How many calls <paramref name="item"/> is: 1, or the items of a Map chunk.</summary>
    public int CountOf(WorkItem item) => IsChunk ? ((Array)item.GetArguments()[0]!).Length : 1;

    /// <summary>
    /// The values of <paramref name="item"/> as one codec payload (<see cref="Protocol.CallItem.Payload"/>):
    /// the target first when a copy of it crosses, then the arguments (each chunk item's in turn).
    /// </summary>
    /// <exception cref="ArgumentException">A value cannot cross; the message names its type and place.</exception>
    /// <exception cref="Exception">Whatever user code that runs while encoding throws.</exception>
    /// <param name="item">The call.</param>
    /// <param name="target">The delegate's target, when <paramref name="targetType"/> says it crosses.</param>
    /// <param name="targetType">The target's declared type; null when no target crosses.</param>
    /// <param name="blobs">Where large values go as blobs (a worker pipe); null: all in the JSON.</param>
    public byte[] EncodeValues(WorkItem item, object? target, Type? targetType, BlobList? blobs)
    {
        if (!IsChunk && targetType is null)
        {
            // The common call: the arguments array as it is, with the shape's own types and names.
            return ValueCodec.Encode(item.GetArguments(), ArgumentTypes, blobs, _argumentSlots ??= SlotNames(ArgumentTypes.Length));
        }
        var values = new List<object?>();
        var types = new List<Type>();
        var slots = new List<string>();
        if (targetType is not null)
        {
            values.Add(target);
            types.Add(targetType);
            slots.Add("the target (a copy of the object the method is bound to)");
        }
        object?[] arguments = item.GetArguments();
        if (!IsChunk)
        {
            AddCall(arguments, "");
        }
        else
        {
            int n = 0;
            foreach (object? element in (Array)arguments[0]!)
            {
                ITuple tuple = (ITuple)element!;
                var one = new object?[tuple.Length];
                for (int i = 0; i < one.Length; i++) one[i] = tuple[i];
                AddCall(one, $"item {n++} ");
            }
        }
        return ValueCodec.Encode(values.ToArray(), types.ToArray(), blobs, slots.ToArray());

        void AddCall(object?[] args, string prefix)
        {
            for (int i = 0; i < args.Length; i++)
            {
                values.Add(args[i]);
                types.Add(ArgumentTypes[i]);
                slots.Add(prefix + (i < s_argumentNames.Length ? s_argumentNames[i] : $"arg{i + 1}"));
            }
        }
    }

    /// <summary>The value a successful <paramref name="result"/> carries, of <see cref="ResultType"/> (an array for a chunk of <paramref name="count"/> calls).</summary>
    /// <exception cref="System.Text.Json.JsonException">The result is not what the worker should have sent, or names a type this side will not build.</exception>
    public object? DecodeResult(Protocol.ResultItem result, int count, CodecTypeResolver? types)
    {
        if (ResultType is null) return null;
        BlobList? blobs = result.Blobs is { } received ? new BlobList(received) : null;
        if (!IsChunk) return ValueCodec.Decode(result.ResultJson, _resultTypes ??= [ResultType], blobs, types)[0];
        Type element = ResultType.GetElementType()!;
        object?[] values = ValueCodec.Decode(result.ResultJson, Enumerable.Repeat(element, count).ToArray(), blobs, types);
        var array = Array.CreateInstanceFromArrayType(ResultType, count); // the future's own array type: it exists
        for (int i = 0; i < count; i++) array.SetValue(values[i], i);
        return array;
    }
}
