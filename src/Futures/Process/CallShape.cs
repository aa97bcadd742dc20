using System.Collections.Concurrent;
using System.Reflection;
using System.Runtime.CompilerServices;
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
    private static readonly ConcurrentDictionary<(Type, bool), CallShape> s_shapes = new();
    private static readonly MethodInfo s_setTyped = typeof(CallShape).GetMethod(nameof(SetTyped), BindingFlags.NonPublic | BindingFlags.Static)!;

    private CallShape(Type[] argumentTypes, Type? resultType, Type? wireResultType, bool isChunk)
    {
        ArgumentTypes = argumentTypes;
        ArgumentTypeNames = argumentTypes.Select(MethodRef.TypeName).ToArray();
        ResultType = resultType;
        ResultTypeName = wireResultType is null ? "" : MethodRef.TypeName(wireResultType);
        IsChunk = isChunk;
        SetResult = resultType is null
            ? static (f, _) => f.SetResult()
            : s_setTyped.MakeGenericMethod(resultType).CreateDelegate<Action<Future, object?>>();
    }

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

    /// <summary>Completes the future with a value of <see cref="ResultType"/>.</summary>
    public Action<Future, object?> SetResult { get; }

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
        return s_shapes.GetOrAdd((type, item.IsMapChunk), static key => Create(key.Item1, key.Item2));
    }

    private static CallShape Create(Type itemType, bool isChunk)
    {
        Type[] generic = itemType.GetGenericArguments();
        Type args = generic[0];
        Type? result = generic[1] == typeof(VoidResult) ? null : generic[1];
        if (!isChunk) return new CallShape(args.GetGenericArguments(), result, result, isChunk: false);
        Type element = args.GetGenericArguments()[0].GetElementType()!;
        return new CallShape(element.GetGenericArguments(), result, result!.GetElementType(), isChunk: true);
    }

    private static void SetTyped<T>(Future future, object? value) => ((Future<T>)future).SetResult((T)value!);

    /// <summary>The arguments of <paramref name="item"/> as the JSON array the worker reads (an array of arrays for a chunk).</summary>
    /// <exception cref="Exception">Whatever the serializer throws for a value it cannot write.</exception>
    /// <param name="item">The call.</param>
    /// <param name="blobs">Where <c>byte[]</c> arguments go, as blobs (see <see cref="Protocol.CallItem.Blobs"/>); null: as base64 JSON.</param>
    public byte[] SerializeArguments(WorkItem item, List<byte[]>? blobs = null)
    {
        using var buffer = new MemoryStream();
        using (var writer = new System.Text.Json.Utf8JsonWriter(buffer))
        {
            object?[] arguments = item.GetArguments();
            if (blobs is not null && !IsChunk)
            {
                writer.WriteStartArray();
                for (int i = 0; i < arguments.Length; i++)
                {
                    if (ArgumentTypes[i] != typeof(byte[])) Write(writer, arguments[i], i);
                    else if (arguments[i] is not byte[] bytes) writer.WriteNullValue();
                    else
                    {
                        // Copied now, as serialization would: a change to the array after Submit is not seen.
                        writer.WriteNumberValue(blobs.Count);
                        blobs.Add(bytes.AsSpan().ToArray());
                    }
                }
                writer.WriteEndArray();
            }
            else if (IsChunk)
            {
                writer.WriteStartArray();
                foreach (object? element in (Array)arguments[0]!) WriteTuple(writer, (ITuple)element!);
                writer.WriteEndArray();
            }
            else
            {
                writer.WriteStartArray();
                for (int i = 0; i < arguments.Length; i++) Write(writer, arguments[i], i);
                writer.WriteEndArray();
            }
        }
        return buffer.ToArray();
    }

    private void WriteTuple(System.Text.Json.Utf8JsonWriter writer, ITuple tuple)
    {
        writer.WriteStartArray();
        for (int i = 0; i < tuple.Length; i++) Write(writer, tuple[i], i);
        writer.WriteEndArray();
    }

    private void Write(System.Text.Json.Utf8JsonWriter writer, object? value, int index) =>
        System.Text.Json.JsonSerializer.Serialize(writer, value, ArgumentTypes[index], Wire.JsonOptions);
}
