using System.Text.Json;
using Futures.ProcessPool.Protocol;

namespace Futures.ProcessPool;

/// <summary>A submitted call on its way through the pool: the work item, its method named for a worker, and its arguments already serialized.</summary>
/// <remarks>
/// Made on the submitting thread, so that serialization costs are paid there and a value that
/// cannot be serialized fails its own future before it is queued. Completed on the manager thread.
/// </remarks>
internal sealed class PendingCall
{
    private PendingCall(WorkItem item, CallShape shape, MethodRef method, byte[] argumentsJson)
    {
        Item = item;
        Shape = shape;
        Method = method;
        ArgumentsJson = argumentsJson;
    }

    /// <summary>The work item; its future is the one to complete.</summary>
    public WorkItem Item { get; }

    /// <summary>The future this call completes.</summary>
    public Future Future => Item.Future;

    /// <summary>The declared types.</summary>
    public CallShape Shape { get; }

    /// <summary>What the worker calls.</summary>
    public MethodRef Method { get; }

    /// <summary>The arguments, as JSON.</summary>
    public byte[] ArgumentsJson { get; }

    /// <summary>The id given when the call is sent; 0 before.</summary>
    public long CallId { get; set; }

    /// <summary>Checks and serializes <paramref name="item"/>.</summary>
    /// <returns>The call, or null if its arguments could not be serialized (its future has failed with the serializer's exception).</returns>
    /// <exception cref="ArgumentException">The delegate captures state or cannot be named for a worker.</exception>
    public static PendingCall? Create(WorkItem item)
    {
        MethodRef method = DelegateDescriptor.Describe(item.Function, "fn");
        CallShape shape = CallShape.Of(item);
        byte[] json;
        try
        {
            json = shape.SerializeArguments(item);
        }
        catch (Exception e)
        {
            item.Future.SetException(e);
            return null;
        }
        return new PendingCall(item, shape, method, json);
    }

    /// <summary>The call as a frame payload, under id <see cref="CallId"/>.</summary>
    public byte[] Encode() =>
        new CallItem(CallId, Method, Shape.ArgumentTypeNames, Shape.ResultTypeName, Shape.IsChunk, ArgumentsJson).Encode();

    /// <summary>Completes the future from the worker's answer: the value read as the declared type, or the rebuilt exception.</summary>
    /// <remarks>A result that cannot be deserialized fails this future with the serializer's exception; nothing else is affected.</remarks>
    public void Complete(ResultItem result)
    {
        if (result.Exception is { } info)
        {
            Future.SetException(RemoteExceptions.Rebuild(info));
            return;
        }
        object? value;
        try
        {
            value = Shape.ResultType is null ? null : JsonSerializer.Deserialize(result.ResultJson, Shape.ResultType, Wire.JsonOptions);
        }
        catch (Exception e)
        {
            Future.SetException(e);
            return;
        }
        Shape.SetResult(Future, value);
    }
}
